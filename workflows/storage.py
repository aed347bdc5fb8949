"""Private file storage: outside the web root, served only through authorised views."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


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
