"""The timers loop: starts the processes their schedules make due (workflows/models/schedule.py),
fires viewflow's due timers, writes the due-soon and overdue notices, mails the notification
outbox (workflows/notifications.py) every interval, and once an hour sweeps the files no row
records (workflows/stored_files.py).

`make run` starts it beside the web server. In production run it under systemd, or from cron
every minute with `--once` (viewflow's own `workflow_timers` does not send SLA escalations).
"""

import time

from django.db import close_old_connections
from viewflow.workflow.timers import fire_due_conditions, fire_due_start_timers, fire_due_timers

from workflows.management.loop import LoopCommand
from workflows.models import SopSchedule
from workflows.notifications import deliver, renotify_new_holders, warn_due_soon
from workflows.sla import escalate_overdue
from workflows.stored_files import sweep

# Stray files are looked for once an hour (a walk over the private storage and backup folders).
SWEEP_EVERY = 3600.0


class Command(LoopCommand):
    help = "Fire due workflow timers, SLA notices and notification e-mails in a loop (Ctrl+C to stop)."
    default_interval = 30.0

    def sweep(self, once):
        if not once:
            # A long-running loop must not keep a connection the database has dropped; a single
            # sweep (cron, tests) runs in a fresh process and keeps its caller's connection.
            close_old_connections()
        started = SopSchedule.objects.start_due()
        fired = fire_due_timers() + fire_due_start_timers() + fire_due_conditions()
        warned = warn_due_soon()
        escalated = escalate_overdue()
        renotified = renotify_new_holders()
        mailed = deliver()
        parts = [f"{len(started)} scheduled process(es) started"] if started else []
        if fired:
            parts.append(f"{fired} timer(s) fired")
        if warned:
            parts.append(f"{warned} task(s) due soon")
        if escalated:
            parts.append(f"{escalated} overdue task(s) escalated")
        if renotified:
            parts.append(f"{renotified} new holder(s) of overdue tasks notified")
        if mailed:
            parts.append(f"{mailed} notification e-mail(s) sent")
        now = time.monotonic()
        if once or now - getattr(self, "last_sweep", -SWEEP_EVERY) >= SWEEP_EVERY:
            self.last_sweep = now
            swept = str(sweep())
            if swept:
                parts.append(swept)
        return "; ".join(parts)
