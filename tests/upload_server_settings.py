"""Settings for the control run of tests/test_upload_crash.py: SOPFlow's own settings with
Django's stock upload handlers, which write named temporary files (``*.upload.csv``)."""

from pathlib import Path

from sopflow.settings import *  # noqa: F403

FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
Path(FILE_UPLOAD_TEMP_DIR).mkdir(parents=True, exist_ok=True)  # noqa: F405
