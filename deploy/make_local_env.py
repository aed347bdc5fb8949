#!/usr/bin/env python3
"""Write `.env` for this machine (the first step of `make run`); never overwrites one.

It holds a generated secret and the local settings: DEBUG off, plain http on 127.0.0.1. It is
git-ignored and readable by its owner only (0600). Real environment variables win over it.
Standard library only: it runs before Django can start.
"""

import os
import secrets
import sys
from pathlib import Path

TEMPLATE = """\
# SOPFlow on this machine only: written by `make run`, git-ignored, readable by you alone.
# Environment variables win over these lines. Delete this file to get a new secret.
SOPFLOW_ENV=local
DJANGO_SECRET_KEY={secret}
DJANGO_ALLOWED_HOSTS=localhost,127.0.0.1,[::1]
SOPFLOW_BASE_URL=http://127.0.0.1:{port}
# No timestamp authority on this machine: signatures carry the server's clock only, and
# `make serve` (check --deploy) is told so instead of stopping. Set SOPFLOW_TSA_URL, then drop this.
DJANGO_SILENCED_SYSTEM_CHECKS=sopflow.W001
"""


def main(argv):
    path = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent / ".env"
    text = TEMPLATE.format(secret=secrets.token_urlsafe(50), port=os.environ.get("PORT", "8000"))
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        print(f"{path}: already there, kept")
        return 0
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)
    print(f"{path}: written (local settings, generated secret)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
