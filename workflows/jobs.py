"""The background worker's loop body: claim a queued job, do it, record the outcome.

`manage.py run_jobs` calls ``run_pending``. Each job runs in a child process of the worker
(``isolated``), so that a wall-clock limit can stop it (DuckDB and WeasyPrint cannot be
interrupted from a thread) and a crash of the work never takes the worker down. The worker keeps
the job's lease alive by its heartbeat while the child works; a child dies with its worker, and
the job is then taken up again by the next worker (see ``JobQuerySet.recover_abandoned``).
"""

import ctypes
import logging
import os
import signal
import time

from django.conf import settings
from django.db import close_old_connections, connections
from django.utils.translation import gettext as _

from .catalogue import hooks
from .models.jobs import JobFailed, worker_id

logger = logging.getLogger(__name__)


def job_models():
    """Every kind of job the registered SOPs have, in the order the worker looks for work."""
    return tuple(model for _sop, models in hooks("job_models") for model in models)

HEARTBEAT_SECONDS = 5.0


def run_pending(limit=None, *, isolated=None, long_running=False):
    """Do queued jobs until none is left (or ``limit`` jobs); return how many ran."""
    if isolated is None:
        isolated = settings.SOPFLOW_JOB_ISOLATION
    for model in job_models():
        model.objects.recover_abandoned()
    done = 0
    me = worker_id()
    while limit is None or done < limit:
        if long_running:
            close_old_connections()
        job = next((j for j in (m.objects.claim_next(me) for m in job_models()) if j is not None), None)
        if job is None:
            break
        if isolated:
            run_in_child(job)
        else:
            run_here(job)
        done += 1
    return done


def run_here(job):
    """Do the job in this process and record its outcome; never raises."""
    try:
        job.perform(job.report)
    except JobFailed as failure:
        job.fail(str(failure))
    except Exception:  # noqa: BLE001 - the team sees a message; the log keeps the trace
        logger.exception("%s %s failed", type(job).__name__, job.pk)
        job.abandon(_("kesalahan sistem"))


def _die_with_parent():
    """Linux: the child gets SIGKILL when the worker dies, so a killed worker leaves no orphan."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def run_in_child(job):
    """Do the job in a forked child under the wall-clock limit; the worker records the outcome
    when the child could not (killed by the limit, crashed)."""
    limit = settings.SOPFLOW_JOB_TIME_LIMIT_SECONDS
    # A forked child must not share the parent's database connections.
    connections.close_all()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        code = 0
        try:
            _die_with_parent()
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            run_here(job)
        except BaseException:  # noqa: BLE001
            code = 1
        finally:
            connections.close_all()
            os._exit(code)
    started = time.monotonic()
    last_beat = started
    while True:
        finished, status = os.waitpid(pid, os.WNOHANG)
        if finished:
            break
        now = time.monotonic()
        if now - started > limit:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            job.fail(
                _("Dihentikan: melebihi batas waktu pengolahan (%(minutes)s menit). Periksa berkasnya, "
                  "atau minta admin menaikkan batas SOPFLOW_JOB_TIME_LIMIT_SECONDS.")
                % {"minutes": round(limit / 60, 1)}
            )
            return
        if now - last_beat >= HEARTBEAT_SECONDS:
            job.touch()
            last_beat = now
        time.sleep(0.2)
    job.refresh_from_db(fields=["status", "attempts"])
    if job.status == job.RUNNING:
        code = os.waitstatus_to_exitcode(status)
        job.abandon(_("proses pengolahan berhenti tak terduga (kode %(code)s)") % {"code": code})
