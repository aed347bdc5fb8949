"""Uploads: each view's size limit enforced while the body streams in, into files no crash leaves.

``LimitedUploadHandler`` is the only entry of ``FILE_UPLOAD_HANDLERS``. It is installed for
every request because ``CsrfViewMiddleware`` parses ``request.POST`` (and so every uploaded
file) before any view runs; by then ``request.resolver_match`` is set, so the handler reads the
limit of the view the request is for: its class attribute ``max_upload_bytes`` (an int, or an
``UploadLimit`` naming a setting in megabytes). Other URLs get ``UPLOAD_DEFAULT_MAX_MB``, and
so does an anonymous visitor of a page that needs a login (an anonymous user never streams a
2 GB extract to disk only to be sent to the login page).

A file past its limit is not written any further: what was written is dropped at once, the rest
of the body is read and thrown away (so the browser gets an answer instead of a reset
connection), and the form receives a ``RefusedUpload`` in place of the file. Forms that know it
(``refusal_error``) show "Berkas terlalu besar (batas ...)"; code that does not and reads it
gets ``UploadRefused``, a 400, never the missing bytes.

Files are kept in memory up to ``FILE_UPLOAD_MAX_MEMORY_SIZE``, then in an anonymous file
(``O_TMPFILE``, or created and unlinked at once) in a private directory (0700) under
``SOPFLOW_VAR_DIR``: it has no name, so a killed server process leaves nothing on disk.
Storage copies it through ``chunks()`` (there is no ``temporary_file_path``).
"""

import tempfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers
from django.template.defaultfilters import filesizeformat
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

MB = 1024 * 1024


class UploadLimit:
    """A view's limit taken from a setting in megabytes when a request comes (settings may change)."""

    def __init__(self, setting):
        self.setting = setting

    def __int__(self):
        return int(getattr(settings, self.setting) * MB)

    def __repr__(self):
        return f"UploadLimit({self.setting!r})"


def default_limit():
    return int(getattr(settings, "UPLOAD_DEFAULT_MAX_MB", 5) * MB)


def limit_for(request):
    """Largest file, in bytes, that ``request``'s view accepts."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return default_limit()
    view_class = getattr(match.func, "view_class", None)
    limit = getattr(view_class, "max_upload_bytes", None)
    if limit is None:
        return default_limit()
    limit = int(limit)
    user = getattr(request, "user", None)
    needs_login = getattr(match.func, "login_required", True)
    if needs_login and user is not None and not user.is_authenticated:
        return min(limit, default_limit())
    return limit


def temp_dir():
    """The private directory for upload spill files: 0700, created on first use."""
    directory = Path(settings.FILE_UPLOAD_TEMP_DIR or Path(settings.VAR_DIR) / "tmp" / "uploads")
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    if directory.stat().st_mode & 0o077:
        directory.chmod(0o700)
    return directory


class UploadRefused(SuspiciousOperation):
    """Reading a refused upload: code that ignored the refusal answers 400, with nothing stored."""


class RefusedUpload(UploadedFile):
    """Stands in ``request.FILES`` for a file that went past its limit; it holds no content."""

    def __init__(self, name, size, limit, content_type=None, field_name=None):
        super().__init__(file=None, name=name, content_type=content_type, size=size)
        self.limit = limit
        self.field_name = field_name

    @property
    def message(self):
        return _(
            "Berkas terlalu besar (batas %(limit)s): berkas yang dikirim berukuran %(size)s. "
            "Unggahan dihentikan dan tidak disimpan."
        ) % {"limit": filesizeformat(self.limit), "size": filesizeformat(self.size)}

    def _refuse(self, *args, **kwargs):
        raise UploadRefused("upload over its limit was read")

    open = read = chunks = multiple_chunks = readline = seek = __iter__ = _refuse

    def close(self):
        pass


def refusal_error(upload):
    """The Indonesian message for a refused upload, or None for a real file."""
    return upload.message if isinstance(upload, RefusedUpload) else None


class LimitedUploadHandler(FileUploadHandler):
    """Stores each file (memory, then an anonymous private file) up to the view's limit."""

    def __init__(self, request=None):
        super().__init__(request)
        self.limit = None
        self.file = None

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if self.limit is None:
            self.limit = limit_for(self.request)
        self.received = 0
        self.refused = False
        self.file = tempfile.SpooledTemporaryFile(
            max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE, mode="w+b", dir=temp_dir()
        )
        raise StopFutureHandlers()

    def receive_data_chunk(self, raw_data, start):
        if self.refused:
            return None
        self.received += len(raw_data)
        if self.received > self.limit:
            self.refused = True
            self.file.close()  # drop what was written; the rest of this file is read and discarded
            return None
        self.file.write(raw_data)
        return None

    def file_complete(self, file_size):
        if self.refused:
            return RefusedUpload(self.file_name, file_size, self.limit, self.content_type, self.field_name)
        self.file.seek(0)
        return UploadedFile(
            file=self.file,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )

    def upload_interrupted(self):
        if self.file is not None:
            self.file.close()
