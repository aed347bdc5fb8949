"""SOP B's admin pages: the OPDs an organisation counts in its utilization list."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from workflows.admin import ORGANISATION_FILTER

from .models import Opd


@admin.register(Opd)
class OpdAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "organisation_name", "active"]
    list_filter = [ORGANISATION_FILTER, "is_active"]
    search_fields = ["name", "short_name"]

    @admin.display(description=_("organisasi"), ordering="organisation__name")
    def organisation_name(self, opd):
        return opd.organisation

    @admin.display(description=_("aktif"), ordering="is_active")
    def active(self, opd):
        # In words: Django's boolean icon reads "True"/"False" to screen readers.
        return _("Ya") if opd.is_active else _("Tidak")
