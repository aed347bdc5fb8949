"""gunicorn for SOPFlow: `make serve` and deploy/systemd/sopflow-web.service.

Only nginx talks to it (deploy/nginx/sopflow.conf), on 127.0.0.1: nginx ends TLS, buffers the
uploads (a slow 2 GB DKB upload does not hold a worker) and sets X-Forwarded-Proto/X-Real-IP.
"""

import os

bind = os.environ.get("SOPFLOW_BIND", "127.0.0.1:8001")
workers = int(os.environ.get("SOPFLOW_WEB_WORKERS", "3"))
# A request copies a buffered upload from nginx or signs a report: seconds, not minutes; the
# long work (aggregation, report rendering) runs in `run_jobs`.
timeout = int(os.environ.get("SOPFLOW_WEB_TIMEOUT", "300"))
graceful_timeout = 30
# Files the workers write are SOPFlow's alone (settings.py sets the same umask).
umask = 0o077
# Errors to the journal; nginx keeps the access log.
errorlog = "-"
accesslog = os.environ.get("SOPFLOW_ACCESS_LOG") or None
