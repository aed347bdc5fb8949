"""SOPFlow's own answers when a request cannot be served: Indonesian, never a debug page.

400/403/404/500 are Django's stock handlers rendering templates/400.html ... 500.html; the
views here cover what Django would otherwise answer in English: a failed CSRF check, a login
refused by django-axes after too many wrong passwords, and too many requests (429).
"""

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _


def csrf_failure(request, reason=""):
    # The reason (Django's English technical text) stays out of the page.
    message = _(
        "Formulir ini sudah kedaluwarsa atau tidak dikirim dari halaman SOPFlow. Muat ulang halaman, "
        "lalu kirim formulirnya sekali lagi. Isian Anda belum tersimpan."
    )
    return render(request, "403.html", {"message": message}, status=403)


def too_many_requests(request, message):
    return render(request, "429.html", {"message": message}, status=429)


def login_locked_out(request, original_response=None, credentials=None):
    """django-axes' AXES_LOCKOUT_CALLABLE: the login page's answer while a lockout lasts."""
    minutes = round(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    message = _(
        "Terlalu banyak percobaan masuk yang gagal. Untuk melindungi akun, masuk dengan nama pengguna ini "
        "atau dari alamat ini dikunci sementara selama %(minutes)s menit, juga dengan kata sandi yang benar. "
        "Coba lagi setelah itu, atau minta administrator SOPFlow membuka kuncinya."
    ) % {"minutes": minutes}
    return too_many_requests(request, message)
