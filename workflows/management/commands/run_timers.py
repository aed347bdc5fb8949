"""The timers loop: fires viewflow's due timers and escalates overdue SOP tasks every interval.

`make run` starts it beside the web server. In production run it under systemd, or from cron
every minute with `--once` (viewflow's own `workflow_timers` does not send SLA escalations).
"""

import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from viewflow.workflow.timers import fire_due_conditions, fire_due_start_timers, fire_due_timers

from workflows.sla import escalate_overdue


class Command(BaseCommand):
    help = "Fire due workflow timers in a loop (Ctrl+C to stop)."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=30.0, help="seconds between sweeps")
        parser.add_argument("--once", action="store_true", help="one sweep, then exit")

    def handle(self, interval, once, **options):
        self.running = True
        signal.signal(signal.SIGTERM, self.stop)
        while self.running:
            if not once:
                # A long-running loop must not keep a connection the database has dropped; a single
                # sweep (cron, tests) runs in a fresh process and keeps its caller's connection.
                close_old_connections()
            fired = fire_due_timers() + fire_due_start_timers() + fire_due_conditions()
            if fired:
                self.stdout.write(f"{fired} timer(s) fired")
            escalated = escalate_overdue()
            if escalated:
                self.stdout.write(f"{escalated} overdue task(s) escalated")
            if once:
                break
            try:
                time.sleep(interval)
            except KeyboardInterrupt:
                break

    def stop(self, *args):
        self.running = False
