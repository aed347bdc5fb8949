"""The timers loop: fires viewflow's due timers (SLA escalations) every interval.

`make run` starts it beside the web server. In production run it under systemd, or call
viewflow's one-shot `manage.py workflow_timers` from cron every minute instead.
"""

import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from viewflow.workflow.timers import fire_due_conditions, fire_due_start_timers, fire_due_timers


class Command(BaseCommand):
    help = "Fire due workflow timers in a loop (Ctrl+C to stop)."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=30.0, help="seconds between sweeps")
        parser.add_argument("--once", action="store_true", help="one sweep, then exit")

    def handle(self, interval, once, **options):
        self.running = True
        signal.signal(signal.SIGTERM, self.stop)
        while self.running:
            close_old_connections()
            fired = fire_due_timers() + fire_due_start_timers() + fire_due_conditions()
            if fired:
                self.stdout.write(f"{fired} timer(s) fired")
            if once:
                break
            try:
                time.sleep(interval)
            except KeyboardInterrupt:
                break

    def stop(self, *args):
        self.running = False
