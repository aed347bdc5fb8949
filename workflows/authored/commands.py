"""What the import_sop and export_sop commands share: the organisation named on the command line."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _


def organisation_named(text):
    """The organisation whose short name (singkatan), or else full name, is ``text``."""
    from workflows.models import Organisation

    text = (text or "").strip()
    matches = list(Organisation.objects.filter(short_name__iexact=text))
    if not matches:
        matches = list(Organisation.objects.filter(name__iexact=text))
    if not matches:
        raise CommandError(_("Organisasi %(name)s tidak ditemukan; tulis singkatannya, mis. yang tercantum di admin.")
                           % {"name": repr(text)})
    if len(matches) > 1:
        raise CommandError(_("Singkatan %(name)s dipakai lebih dari satu organisasi; tulis nama lengkapnya.")
                           % {"name": repr(text)})
    return matches[0]
