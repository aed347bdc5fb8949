"""Background jobs kept in the database and done by `manage.py run_jobs`.

A job row is its own queue entry: the worker claims it (one worker at a time: `SELECT ... FOR
UPDATE SKIP LOCKED` on PostgreSQL, the immediate write lock on SQLite), keeps a lease on it by
its heartbeat while the work runs, and records the outcome. A job whose worker died (killed,
machine restarted) is taken up again once its lease has run out, or at once when its worker was
a process of this machine that no longer exists; after ``max_attempts`` tries it is failed with a
message the team sees on the step page.
"""

import os
import socket
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


def worker_id():
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def worker_is_gone(worker):
    """True when ``worker`` names a process of this machine that is no longer running."""
    host, _sep, pid = (worker or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class JobQuerySet(models.QuerySet):
    def claim_next(self, worker):
        """Take the oldest queued job for ``worker``; None when there is none.

        The claim is one short write transaction; two workers never take the same job.
        """
        with transaction.atomic():
            job = (
                self.select_for_update(skip_locked=True)
                .filter(status=self.model.QUEUED)
                .order_by("created", "pk")
                .first()
            )
            if job is None:
                return None
            now = timezone.now()
            job.status, job.worker, job.attempts = self.model.RUNNING, worker, job.attempts + 1
            job.started = job.heartbeat = now
            job.save(update_fields=["status", "worker", "attempts", "started", "heartbeat"])
        return job

    def recover_abandoned(self):
        """Queue again (or fail, past the attempt limit) the running jobs whose worker is gone.

        Returns the number of jobs recovered.
        """
        lease = timedelta(seconds=settings.SOPFLOW_JOB_LEASE_SECONDS)
        expired = timezone.now() - lease
        recovered = 0
        for job in self.filter(status=self.model.RUNNING).only("pk", "worker", "heartbeat", "attempts"):
            if not (job.heartbeat is None or job.heartbeat < expired or worker_is_gone(job.worker)):
                continue
            with transaction.atomic():
                fresh = self.select_for_update().filter(pk=job.pk, status=self.model.RUNNING).first()
                if fresh is None:
                    continue
                fresh.abandon(_("pekerja latar belakang terhenti"))
            recovered += 1
        return recovered


class Job(models.Model):
    """What every background job row carries: its state, progress, lease and attempts."""

    QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
    STATUSES = [
        (QUEUED, gettext_lazy("menunggu")),
        (RUNNING, gettext_lazy("sedang diproses")),
        (DONE, gettext_lazy("selesai")),
        (FAILED, gettext_lazy("gagal")),
    ]

    status = models.CharField(max_length=10, choices=STATUSES, default=QUEUED, db_index=True)
    progress = models.FloatField(default=0.0)
    message = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    worker = models.CharField(max_length=100, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    started = models.DateTimeField(null=True, blank=True)
    heartbeat = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["created", "pk"]

    @property
    def is_active(self):
        return self.status in (self.QUEUED, self.RUNNING)

    @property
    def percent(self):
        return round(self.progress * 100)

    def perform(self, progress):
        """Do the job's work (outside any transaction); ``progress(fraction, message)`` reports.

        Returns nothing; raises ``JobFailed`` with a message for the team when the work cannot
        be done (no retry), any other exception for an unexpected failure (retried).
        """
        raise NotImplementedError

    def report(self, fraction, message):
        """A short write: progress, message and the lease's heartbeat."""
        type(self).objects.filter(pk=self.pk, status=self.RUNNING).update(
            progress=min(max(fraction, 0.0), 0.99), message=str(message)[:500], heartbeat=timezone.now()
        )

    def touch(self):
        type(self).objects.filter(pk=self.pk, status=self.RUNNING).update(heartbeat=timezone.now())

    def finish(self, message, **fields):
        """Record success: ``fields`` are the job's own result columns."""
        self._close(self.DONE, message, progress=1.0, **fields)

    def fail(self, message):
        self._close(self.FAILED, message)

    def abandon(self, reason):
        """The attempt ended without an outcome (worker died, crashed): try again or give up."""
        limit = settings.SOPFLOW_JOB_MAX_ATTEMPTS
        if self.attempts >= limit:
            self._close(
                self.FAILED,
                _("Gagal setelah %(n)s kali percobaan (%(reason)s). Hubungi admin atau ulangi.")
                % {"n": self.attempts, "reason": reason},
            )
        else:
            type(self).objects.filter(pk=self.pk).update(
                status=self.QUEUED,
                worker="",
                message=_("Diulang (percobaan %(n)s dari %(limit)s) setelah %(reason)s")
                % {"n": self.attempts + 1, "limit": limit, "reason": reason},
            )

    def _close(self, status, message, **fields):
        fields.update(status=status, message=str(message)[:500], finished=timezone.now())
        type(self).objects.filter(pk=self.pk).update(**fields)
        for name, value in fields.items():
            setattr(self, name, value)


class JobFailed(Exception):
    """The job cannot be done as asked (bad input, missing file): fail it with this message."""
