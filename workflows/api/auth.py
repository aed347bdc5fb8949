"""Authentication by API token (``Authorization: Bearer <token>``) and the per-token throttle."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, throttling

from .models import ApiToken

KEYWORDS = ("bearer", "token")


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """An officer's token from the admin. A revoked, expired or unknown token is refused (401)
    with the reason; it never falls back to another way of logging in."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode("latin-1").lower() not in KEYWORDS:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Header Authorization harus berbentuk: Bearer <token>."))
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed(_("Token API tidak dikenal.")) from error
        token = ApiToken.objects.find(raw)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Token API tidak dikenal."))
        now = timezone.now()
        reason = token.refusal(now)
        if reason:
            raise exceptions.AuthenticationFailed(reason)
        # At most one write a minute per token, so a busy client does not write on every call.
        if token.last_used is None or (now - token.last_used).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used=now)
        return token.officer.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = ApiTokenAuthentication
    name = "tokenApi"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http", "scheme": "bearer",
            "description": _("Token API pegawai, dibuat oleh administrator di halaman admin (Token API)."),
        }


class TokenRateThrottle(throttling.SimpleRateThrottle):
    """Requests per token (or per logged-in user on the browsable pages), counted in the cache."""

    scope = "api"

    def get_rate(self):
        # Read per request, so a changed setting (SOPFLOW_API_RATE) applies without a restart of DRF's class.
        from django.conf import settings

        return settings.SOPFLOW_API_RATE

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
