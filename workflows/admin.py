from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import (
    AlternativeSchedule,
    AuditEvent,
    HolidayOverride,
    Officer,
    OfficerRole,
    Opd,
    Organisation,
    SigningIdentity,
    WaktuOverride,
)


class OfficerInline(admin.TabularInline):
    model = Officer
    extra = 0
    fields = ["user", "nip", "position"]
    autocomplete_fields = ["user"]
    show_change_link = True


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "province_code", "timezone"]
    search_fields = ["name", "short_name"]
    inlines = [OfficerInline]


class OfficerRoleInline(admin.TabularInline):
    model = OfficerRole
    extra = 1


@admin.register(Officer)
class OfficerAdmin(admin.ModelAdmin):
    list_display = ["display_name", "organisation", "roles_list", "position"]
    list_filter = ["organisation", "roles__role"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "nip"]
    autocomplete_fields = ["user"]
    inlines = [OfficerRoleInline]

    @admin.display(description=_("peran"))
    def roles_list(self, officer):
        return ", ".join(str(role) for role in officer.roles.all())

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "organisation").prefetch_related("roles")


@admin.register(Opd)
class OpdAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "organisation", "is_active"]
    list_filter = ["organisation", "is_active"]
    search_fields = ["name", "short_name"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is append-only."""

    list_display = ["created", "actor", "action", "process", "step_number", "detail"]
    list_filter = ["action"]
    date_hierarchy = "created"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(HolidayOverride)
class HolidayOverrideAdmin(admin.ModelAdmin):
    """Regional holidays and cancelled national days; only deadlines computed afterwards move."""

    list_display = ["date", "action", "name", "organisation"]
    list_filter = ["action", "organisation"]
    date_hierarchy = "date"
    search_fields = ["name"]


@admin.register(AlternativeSchedule)
class AlternativeScheduleAdmin(admin.ModelAdmin):
    list_display = ["name", "first_day", "last_day", "organisation"]
    list_filter = ["organisation"]
    fieldsets = [
        (None, {"fields": ["organisation", "name", "first_day", "last_day"]}),
        (_("Jam kerja"), {"fields": ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]}),
    ]


@admin.register(WaktuOverride)
class WaktuOverrideAdmin(admin.ModelAdmin):
    """An organisation's own Waktu for one step; the catalogue's value applies everywhere else."""

    list_display = ["organisation", "sop", "step_number", "step_title", "amount", "unit", "catalogue_waktu"]
    list_filter = ["organisation", "sop"]

    @admin.display(description=_("kegiatan"))
    def step_title(self, row):
        step = self._step(row)
        return step.title if step else "—"

    @admin.display(description=_("waktu dalam SOP"))
    def catalogue_waktu(self, row):
        step = self._step(row)
        return step.waktu_label if step else "—"

    def _step(self, row):
        from .catalogue import SOPS

        sop = SOPS.get(row.sop)
        return next((step for step in sop.steps if step.number == row.step_number), None) if sop else None


@admin.register(SigningIdentity)
class SigningIdentityAdmin(admin.ModelAdmin):
    list_display = ["officer", "kind"]
    list_filter = ["kind"]
