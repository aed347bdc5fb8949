"""The loop shared by the background commands (timers, jobs): sweep, sleep, stop on a signal."""

import signal
import time

from django.core.management.base import BaseCommand


class LoopCommand(BaseCommand):
    default_interval = 30.0

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=self.default_interval, help="seconds between sweeps")
        parser.add_argument("--once", action="store_true", help="one sweep, then exit")

    def sweep(self, once):
        """Do one round of work; return a line to print, or an empty string."""
        raise NotImplementedError

    def handle(self, interval, once, **options):
        self.running = True
        signal.signal(signal.SIGTERM, self.stop)
        if not once:
            # The journal (and whoever started the loop) sees it is up, even while it has no work.
            name = self.__module__.rsplit(".", 1)[-1]
            self.stdout.write(f"{name}: started, one sweep every {interval:g} s (Ctrl+C or SIGTERM stops)")
            self.stdout.flush()
        while self.running:
            line = self.sweep(once)
            if line:
                self.stdout.write(line)
            if once:
                break
            try:
                time.sleep(interval)
            except KeyboardInterrupt:
                break

    def stop(self, *args):
        self.running = False
