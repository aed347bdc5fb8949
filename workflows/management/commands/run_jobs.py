"""The background worker: aggregates uploaded DKB extracts (SOP A step 3) and renders final
reports (SOP A, after step 5); see workflows/jobs.py.

`make run` starts it beside the web server. In production run it under systemd
(`manage.py run_jobs`); one process per machine is enough.
"""

from workflows.jobs import run_pending
from workflows.management.loop import LoopCommand


class Command(LoopCommand):
    help = "Process queued background jobs in a loop (Ctrl+C to stop)."
    default_interval = 2.0

    def sweep(self, once):
        done = run_pending(long_running=not once)
        return f"{done} job(s) processed" if done else ""
