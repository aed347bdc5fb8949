"""Every API error as JSON ``{"detail": ..., "code": ...}`` with an Indonesian message."""

from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.views import exception_handler


class Conflict(exceptions.APIException):
    """409: the task is no longer as the caller saw it, or the step must be done in the browser."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def _message(exc):
    """Our own message where DRF would answer with its English default."""
    if isinstance(exc, exceptions.Throttled):
        wait = exc.wait
        if wait is None:
            return _("Terlalu banyak permintaan dengan token ini. Coba lagi sebentar lagi.")
        return _("Terlalu banyak permintaan dengan token ini. Coba lagi dalam %(seconds)s detik.") % {
            "seconds": max(1, round(wait))}
    if isinstance(exc, exceptions.NotAuthenticated):
        return _("Perlu autentikasi: kirim header Authorization: Bearer <token API>, atau masuk lewat halaman login.")
    if isinstance(exc, exceptions.NotFound):
        return _("Tidak ditemukan.")
    if isinstance(exc, exceptions.MethodNotAllowed):
        return _("Metode %(method)s tidak diizinkan pada alamat ini.") % {"method": exc.args[0] if exc.args else ""}
    if isinstance(exc, exceptions.ParseError):
        return _("Isi permintaan bukan JSON yang sah.")
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return _("Jenis isi permintaan tidak didukung; kirim application/json.")
    if isinstance(exc, exceptions.NotAcceptable):
        return _("Format jawaban yang diminta tidak tersedia.")
    if isinstance(exc, exceptions.PermissionDenied) and exc.detail == exceptions.PermissionDenied.default_detail:
        return _("Anda tidak berwenang melakukan tindakan ini.")
    return None


def handler(exc, context):
    from django.http import Http404
    from django.core.exceptions import PermissionDenied

    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    message = _message(exc)
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"detail": _("Isian tidak valid."), "code": "invalid", "errors": response.data}
    else:
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else "error"
        response.data = {"detail": message or str(exc.detail), "code": code}
    return response


def not_found(request, *args, **kwargs):
    """Any unknown address under /api/: a JSON 404, never the HTML page."""
    from django.http import JsonResponse

    return JsonResponse({"detail": _("Tidak ditemukan."), "code": "not_found"}, status=404)
