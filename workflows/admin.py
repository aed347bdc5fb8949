from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent, Officer, OfficerRole, Opd, Organisation


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
