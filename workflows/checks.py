"""SOPFlow's own system checks (`manage.py check --deploy`, which `make serve` runs)."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def signatures_have_a_timestamp_authority(app_configs, **kwargs):
    """Without a TSA a signature is PAdES B-B only: its time is the server's clock, and it stops
    validating when the signer's certificate expires."""
    if settings.SOPFLOW_TSA_URL:
        return []
    return [checks.Warning(
        "SOPFLOW_TSA_URL is not set: signed documents carry no RFC 3161 timestamp (their signing time is "
        "the server's clock only) and stop validating once the signer's certificate expires.",
        hint="Set SOPFLOW_TSA_URL to the timestamp authority's URL (README: Configuration).",
        id="sopflow.W001",
    )]
