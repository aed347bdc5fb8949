"""API tokens in the admin: created for an officer (the secret is shown once), revoked, never edited."""

from django.contrib import admin, messages
from django.utils.translation import gettext as _now
from django.utils.translation import gettext_lazy as _

from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "officer", "key_start", "created", "expires", "status", "last_used"]
    list_filter = [("officer__organisation", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "officer__user__username", "key_start"]
    autocomplete_fields = ["officer"]
    fields = ["officer", "name", "expires"]
    readonly_fields = ["key_start", "created", "created_by", "revoked_at", "revoked_by", "last_used"]
    actions = ["revoke"]

    @admin.display(description=_("status"))
    def status(self, token):
        return token.status_label

    def get_fields(self, request, obj=None):
        if obj is None:
            return self.fields
        return ["officer", "name", "expires", *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        # A token's owner and expiry are fixed once issued: a longer life is a new token.
        return ["officer", "expires", *self.readonly_fields] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False  # a revoked token stays, so the record says who could call the API when

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        obj.raw_token = obj.issue()
        obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        """The one page that shows the secret: rendered in the answer to the POST itself, so it is
        never kept anywhere (no message cookie, no session), and reloading does not show it again.
        The admin marks its pages never-cache (Cache-Control: no-store)."""
        from django.template.response import TemplateResponse

        from ..sla import format_moment

        return TemplateResponse(request, "workflows/api/token_issued.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta, "token": obj,
            "raw_token": obj.raw_token, "expires": format_moment(obj.expires, obj.officer.organisation.timezone),
        })

    @admin.action(description=_("Cabut token yang dipilih"))
    def revoke(self, request, queryset):
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            token.revoke(request.user)
            count += 1
        self.message_user(request, _now("%(count)s token dicabut.") % {"count": count}, messages.SUCCESS)
