"""Per-officer API tokens: shown once when created, stored only as their SHA-256, with an expiry."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# What an API token starts with, so a leaked one is recognisable (e.g. by a secret scanner).
TOKEN_PREFIX = "sopf_"


def hash_token(raw):
    return hashlib.sha256(raw.encode()).hexdigest()


def default_expiry():
    return timezone.now() + timedelta(days=settings.SOPFLOW_API_TOKEN_DAYS)


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires__gt=now)

    def find(self, raw):
        """The token whose secret is ``raw`` (any state), or None."""
        if not raw or not raw.startswith(TOKEN_PREFIX):
            return None
        return self.select_related("officer__user", "officer__organisation").filter(key_hash=hash_token(raw)).first()


class ApiToken(models.Model):
    """One officer's key to the API. The secret itself is never stored: only its SHA-256."""

    officer = models.ForeignKey(
        "workflows.Officer", on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("pegawai")
    )
    name = models.CharField(
        _("nama token"), max_length=100, help_text=_("Untuk apa token ini, mis. dasbor provinsi atau e-office.")
    )
    key_hash = models.CharField(_("sidik SHA-256"), max_length=64, unique=True, editable=False)
    # The first characters of the secret, to tell an officer's tokens apart in the admin.
    key_start = models.CharField(_("awal token"), max_length=16, editable=False)
    created = models.DateTimeField(_("dibuat"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", editable=False,
        verbose_name=_("dibuat oleh"),
    )
    expires = models.DateTimeField(_("berlaku sampai"), default=default_expiry)
    revoked_at = models.DateTimeField(_("dicabut pada"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False,
        verbose_name=_("dicabut oleh"),
    )
    last_used = models.DateTimeField(_("terakhir dipakai"), null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        app_label = "workflows"
        verbose_name = _("token API")
        verbose_name_plural = _("token API")
        ordering = ["-created", "-pk"]

    def __str__(self):
        return f"{self.name} ({self.key_start}…)"

    def issue(self):
        """A new secret for this (unsaved) token: returns it once; only its hash is kept."""
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.key_hash = hash_token(raw)
        self.key_start = raw[: len(TOKEN_PREFIX) + 6]
        return raw

    def revoke(self, user):
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.revoked_by = user
            self.save(update_fields=["revoked_at", "revoked_by"])

    def refusal(self, now=None):
        """Why this token is no longer accepted (Indonesian), or None."""
        from django.utils.translation import gettext as gettext_now

        now = now or timezone.now()
        if self.revoked_at is not None:
            return gettext_now("Token API ini sudah dicabut. Minta token baru kepada administrator.")
        if self.expires <= now:
            return gettext_now("Token API ini sudah kedaluwarsa. Minta token baru kepada administrator.")
        if not self.officer.user.is_active:
            return gettext_now("Akun pemilik token ini tidak aktif.")
        return None

    @property
    def status_label(self):
        if self.revoked_at is not None:
            return _("dicabut")
        if self.expires <= timezone.now():
            return _("kedaluwarsa")
        return _("berlaku")
