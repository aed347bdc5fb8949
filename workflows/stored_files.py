"""Every file SOPFlow writes is either recorded in the database or removed.

- ``file_scope()`` wraps a step's POST (see ``workflows.flows.nodes.SopStep``) and a background
  job: a file written to private storage inside the scope is removed again when the scope ends
  with an exception (the step's transaction rolled back, so no row records it).
- Heavy results (a signed PDF, a backup archive) are written before the transaction to a
  temporary name in the same directory (``temporary_path``) and moved into place by ``place``
  inside it, just before the commit; a temporary file the scope did not place is removed.
- Deleting a row deletes its private file once the deletion commits (``delete_file_on_commit``).
- ``sweep()`` (the timers loop, hourly, and `manage.py sweep_files`) reports and removes what a
  crash left behind: temporary files and staging folders (a name with the temporary mark) older
  than an hour, unrecorded files older than ``SOPFLOW_STRAY_FILE_AGE_HOURS``; and it purges what a model says must go (raw extracts of
  cancelled processes).
"""

import logging
import os
import secrets
import shutil
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import models, transaction

logger = logging.getLogger(__name__)

TEMPORARY_MARK = ".partial-"
TEMPORARY_MAX_AGE = 3600.0

_local = threading.local()


@dataclass
class FileScope:
    written: list = field(default_factory=list)  # (storage, name) written in the scope
    temporary: list = field(default_factory=list)  # temporary paths not yet placed
    placed: list = field(default_factory=list)  # final paths placed in the scope
    after_success: list = field(default_factory=list)

    def temporary_path(self, directory, suffix=""):
        """A new temporary file name in ``directory`` (created 0700), removed unless placed."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = directory / f"{TEMPORARY_MARK}{secrets.token_hex(8)}{suffix}"
        self.temporary.append(path)
        return path

    def place(self, temporary, final):
        """Move ``temporary`` to ``final`` (never over an existing file); call it inside the
        transaction that records ``final``, as its last step."""
        final = Path(final)
        final.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.link(temporary, final)  # fails if ``final`` exists
        os.unlink(temporary)
        self.temporary.remove(Path(temporary))
        self.placed.append(final)
        return final

    def on_success(self, callback):
        """Run ``callback`` once the scope ends without an exception (the step committed)."""
        self.after_success.append(callback)

    def _rollback(self):
        for storage, name in self.written:
            try:
                storage.delete(name)
            except OSError:
                logger.warning("Could not remove %s after a rolled-back step", name)
        for path in self.placed:
            Path(path).unlink(missing_ok=True)

    def _cleanup(self):
        for path in self.temporary:
            Path(path).unlink(missing_ok=True)


def current_scope():
    return getattr(_local, "scope", None)


def note_written(storage, name):
    scope = current_scope()
    if scope is not None:
        scope.written.append((storage, name))


@contextmanager
def file_scope():
    """Keep what is written inside only if the block ends without an exception."""
    outer = current_scope()
    if outer is not None:
        # Nested (a step inside a step's scope, e.g. the seed): the outer scope decides.
        yield outer
        return
    scope = FileScope()
    _local.scope = scope
    try:
        yield scope
    except BaseException:
        scope._rollback()
        raise
    else:
        for callback in scope.after_success:
            callback()
    finally:
        scope._cleanup()
        _local.scope = None


# Deleting a row deletes its file -------------------------------------------------------------

def private_file_fields(model):
    from .storage import PrivateStorage

    return [f for f in model._meta.get_fields()
            if isinstance(f, models.FileField) and isinstance(f.storage, PrivateStorage)]


def delete_file_on_commit(sender, instance, **kwargs):
    for file_field in private_file_fields(sender):
        value = getattr(instance, file_field.attname)
        name = getattr(value, "name", value)
        if name:
            storage = file_field.storage
            transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))


def connect_signals():
    from django.db.models.signals import post_delete

    for model in apps.get_app_config("workflows").get_models():
        if private_file_fields(model):
            post_delete.connect(delete_file_on_commit, sender=model, dispatch_uid=f"delete-file-{model._meta.label}")


# The sweep -------------------------------------------------------------------------------------

@dataclass
class SweepReport:
    removed_temporary: list = field(default_factory=list)
    removed_strays: list = field(default_factory=list)
    young_strays: list = field(default_factory=list)
    purged: int = 0

    def __str__(self):
        parts = []
        if self.removed_temporary:
            parts.append(f"{len(self.removed_temporary)} temporary file(s) removed")
        if self.removed_strays:
            parts.append(f"{len(self.removed_strays)} unrecorded file(s) removed")
        if self.young_strays:
            parts.append(f"{len(self.young_strays)} unrecorded file(s) younger than the limit kept")
        if self.purged:
            parts.append(f"{self.purged} file(s) purged")
        return "; ".join(parts)


def recorded_paths():
    """Absolute paths of every file a row records: private FileFields, and the ``stored_path``
    of models that keep a path of their own (backup archives)."""
    from .storage import private_storage

    root = Path(private_storage().location)
    paths = set()
    for model in apps.get_app_config("workflows").get_models():
        for file_field in private_file_fields(model):
            names = model._default_manager.exclude(**{file_field.attname: ""}).values_list(file_field.attname, flat=True)
            paths.update((root / name).resolve() for name in names if name)
        location_field = getattr(model, "stored_path_field", None)
        if location_field:
            for location in model._default_manager.values_list(location_field, flat=True):
                if location:
                    paths.add(Path(location).resolve())
    return paths


def swept_directories():
    from .storage import private_storage

    return [Path(private_storage().location), Path(settings.BACKUP_DIR)]


def _temporary_directories(directory):
    """Folders whose name carries the temporary mark, not those inside another such folder."""
    found = []
    for root, folders, _names in os.walk(directory):
        for folder in list(folders):
            if TEMPORARY_MARK in folder:
                found.append(Path(root) / folder)
                folders.remove(folder)
    return found


def sweep(now=None, stray_age_hours=None):
    """Remove what no row records; return a ``SweepReport`` (names only, never contents)."""
    now = time.time() if now is None else now
    stray_age = 3600.0 * (settings.SOPFLOW_STRAY_FILE_AGE_HOURS if stray_age_hours is None else stray_age_hours)
    report = SweepReport()
    for model in apps.get_app_config("workflows").get_models():
        purge = getattr(model._default_manager, "purge_abandoned", None)
        if purge is not None:
            report.purged += purge()
    recorded = recorded_paths()
    for directory in swept_directories():
        if not directory.is_dir():
            continue
        for path in _temporary_directories(directory):
            # A writer's staging folder (the backup's): judged by the folder's own age, since the
            # files in it may be hard links that keep an old file's time.
            try:
                age = now - path.stat().st_mtime
            except FileNotFoundError:
                continue
            if age > TEMPORARY_MAX_AGE:
                shutil.rmtree(path, ignore_errors=True)
                report.removed_temporary.append(path)
        for path in directory.rglob("*"):
            if not path.is_file() or path.is_symlink():
                continue
            if any(TEMPORARY_MARK in part for part in path.relative_to(directory).parent.parts):
                continue  # inside a staging folder: left to the folder's age above
            try:
                age = now - path.stat().st_mtime
            except FileNotFoundError:
                continue
            if TEMPORARY_MARK in path.name or path.name.endswith(".part"):
                if age > TEMPORARY_MAX_AGE:
                    path.unlink(missing_ok=True)
                    report.removed_temporary.append(path)
                continue
            if path.resolve() in recorded:
                continue
            if age > stray_age:
                path.unlink(missing_ok=True)
                report.removed_strays.append(path)
            else:
                report.young_strays.append(path)
    for path in report.removed_temporary + report.removed_strays:
        logger.warning("Removed unrecorded file %s", path)
    return report
