"""The language of the pages: Bahasa Indonesia unless an officer chose English in the user menu.

Django's ``LocaleMiddleware`` would follow the browser's Accept-Language header, so an officer
whose browser is set to English would get English pages without asking. SOPFlow instead takes
the officer's own choice (``Officer.language``, kept across logins and browsers), then the
language cookie Django's ``set_language`` view writes (users without an Officer row, such as the
superuser), and otherwise the default, ``settings.LANGUAGE_CODE``.

Printed and signed documents do not follow this: they are rendered under
``translation.override("id")`` (workflows/reports/pdf.py, workflows/signing.py).
"""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from .models import Officer


def supported(code):
    return code if code in dict(settings.LANGUAGES) else None


def officer_language(user):
    """The language ``user`` chose in the user menu, or None."""
    if not user.is_authenticated:
        return None
    officer = Officer.objects.filter(user=user).only("language").first()
    return supported(officer.language) if officer is not None else None


def request_language(request):
    return (
        officer_language(request.user)
        or supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
        or settings.LANGUAGE_CODE
    )


class OfficerLanguageMiddleware:
    """Activates the request's language (see the module docstring); after AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = request_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            response = self.get_response(request)
        finally:
            translation.deactivate()
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


@require_POST
def switch_language(request):
    """Django's ``set_language`` (the cookie, and the redirect back to ``next``), and the choice
    kept on the officer so that it holds at the next login and in another browser."""
    response = set_language(request)
    language = supported(request.POST.get("language"))
    if language and request.user.is_authenticated:
        Officer.objects.filter(user=request.user).update(language=language)
    return response
