"""Mail backends for tests: a real backend class (Django's ``BaseEmailBackend``), not a mock."""

import threading

from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend


class GateBackend(BaseEmailBackend):
    """A slow mail server: each send announces itself on ``entered`` and waits for ``release``
    before the message lands in ``django.core.mail.outbox``, like the locmem backend's."""

    entered = threading.Event()
    release = threading.Event()

    def send_messages(self, messages):
        type(self).entered.set()
        if not type(self).release.wait(timeout=60):
            raise TimeoutError("the test never released the mail server")
        if not hasattr(mail, "outbox"):
            mail.outbox = []
        mail.outbox.extend(messages)
        return len(messages)
