"""Private file storage: outside the web root, served only through authorised views."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage


class PrivateStorage(FileSystemStorage):
    """FileSystemStorage rooted at PRIVATE_STORAGE_DIR, read at use time (not import time)."""

    def __init__(self):
        # base_url=None: these files have no public URL; views stream them after a check.
        # Personal data: readable by SOPFlow's own user only, whatever the process umask.
        super().__init__(base_url=None, file_permissions_mode=0o600, directory_permissions_mode=0o700)

    @property
    def base_location(self):
        return str(settings.PRIVATE_STORAGE_DIR)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def _save(self, name, content):
        name = super()._save(name, content)
        # A step that rolls back removes what it wrote (see workflows.stored_files).
        from .stored_files import note_written

        note_written(self, name)
        return name


_storage = PrivateStorage()


def private_storage():
    # A callable so that migrations reference this function, not a deploy-time path.
    return _storage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """collectstatic's storage in production: hashed, compressed names that WhiteNoise serves with
    a one-year cache. A stylesheet's reference to a file that does not exist keeps its name
    instead of stopping collectstatic: viewflow's roboto-fontface.css names font files (thin,
    black...) that viewflow does not ship, and would 404 either way."""

    def create_compressor(self, **kwargs):
        # gzip only: brotli over viewflow's 40 MB of scripts and fonts took collectstatic minutes
        # of CPU on two cores, for a few percent fewer bytes on an office network.
        return Compressor(use_brotli=False, **kwargs)

    def hashed_name(self, name, content=None, filename=None):
        try:
            return super().hashed_name(name, content, filename)
        except ValueError:  # whitenoise's MissingFileError
            if content is not None or not name.startswith("viewflow/"):
                raise
            return name
