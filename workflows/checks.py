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


@checks.register()
def signature_block_font_is_installed(app_configs, **kwargs):
    """The visible signature block is set in SOPFLOW_STAMP_FONT, embedded in every signed PDF
    (PDF/A): without a readable TrueType/OpenType file there, no document can be signed."""
    from pathlib import Path

    path = Path(settings.SOPFLOW_STAMP_FONT)
    hint = ("Install Debian's fonts-dejavu-core (the default, /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf) "
            "or set SOPFLOW_STAMP_FONT to a TrueType/OpenType font file (README: Configuration).")
    if not path.is_file():
        return [checks.Error(f"SOPFLOW_STAMP_FONT ({path}) does not exist: documents cannot be signed.",
                             hint=hint, id="sopflow.E001")]
    try:
        from fontTools import ttLib

        with ttLib.TTFont(path, lazy=True) as font:
            font["head"].unitsPerEm  # noqa: B018 - reading the header is the check
            font.getBestCmap()
    except Exception:  # noqa: BLE001 - fontTools raises many kinds for a file that is not a font
        return [checks.Error(f"SOPFLOW_STAMP_FONT ({path}) is not a readable TrueType/OpenType font: documents "
                             "cannot be signed.", hint=hint, id="sopflow.E001")]
    return []
