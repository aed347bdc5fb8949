"""A server killed in the middle of an upload leaves no file behind.

A real server process (``manage.py runserver`` on a free port) receives an upload over a raw
socket; once the body has spilled to disk (past FILE_UPLOAD_MAX_MEMORY_SIZE) the upload stalls
and the server is killed with SIGKILL. With SOPFlow's handler the spill file has no name, so
nothing is left; the control run with Django's stock handlers leaves its named temporary file,
which shows the test would see a leak.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from workflows.dkb.generator import write_dkb

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# A free port: another run of the suite on this machine must not answer this test's upload.
PORT = free_port()
BOUNDARY = "sopflow-upload-crash-test"
CSRF_COOKIE = "a" * 32  # a well-formed token: the CSRF middleware then reads the body


def wait_for(condition, timeout, what):
    """Poll ``condition`` until it returns something true; the timeout only ends a hung run."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def port_accepts():
    try:
        with socket.create_connection(("127.0.0.1", PORT), timeout=1):
            return True
    except OSError:
        return False


def open_spill_files(pid, directory):
    """(path as the kernel names it, size) of every file the server holds open in ``directory``."""
    found = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
            size = os.stat(fd).st_size
        except OSError:
            continue
        if target.startswith(str(directory)):
            found.append((target, size))
    return found


def start_server(tmp_path, settings_module):
    var = tmp_path / "var"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings_module,
        "SOPFLOW_VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{var / 'db.sqlite3'}",
        "SOPFLOW_ENV": "local",
        "SOPFLOW_ENV_FILE": "",
        "PYTHONUNBUFFERED": "1",
    }
    for name in ("SOPFLOW_UPLOAD_TEMP_DIR", "SOPFLOW_PRIVATE_DIR"):
        env.pop(name, None)
    log = open(tmp_path / "server.log", "wb")
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{PORT}", "--noreload", "--skip-checks"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(lambda: server.poll() is not None or port_accepts(), 120, "the server to listen")
    except AssertionError:
        server.kill()
        raise
    assert server.poll() is None, (tmp_path / "server.log").read_text()[-2000:]
    return server, var


def stalled_upload(extract, declared_extra):
    """Open a socket, send the headers and the whole extract, but promise more bytes than sent."""
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="action"\r\n\r\nupload\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="upload"; filename="dkb.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    data = extract.read_bytes()
    length = len(head) + len(data) + declared_extra
    request = (
        f"POST /population/1/process_data/1/execute/ HTTP/1.1\r\nHost: 127.0.0.1:{PORT}\r\n"
        f"Cookie: csrftoken={CSRF_COOKIE}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {length}\r\n\r\n"
    ).encode()
    client = socket.create_connection(("127.0.0.1", PORT), timeout=30)
    client.sendall(request + head)
    for start in range(0, len(data), 64 * 1024):  # the browser's pace does not matter: it stalls after
        client.sendall(data[start : start + 64 * 1024])
    return client, len(data)


def kill_mid_upload(tmp_path, settings_module):
    if port_accepts():
        pytest.fail(f"port {PORT} is already in use; this test needs it for its own server")
    extract = write_dkb(tmp_path / "dkb.csv", province="17", rows=40000, seed=4)  # about 4 MB, synthetic
    server, var = start_server(tmp_path, settings_module)
    spill_dir = var / "tmp" / "uploads"
    client = None
    try:
        client, sent = stalled_upload(extract, declared_extra=50 * 1024 * 1024)
        # Wait until the body is on disk: the server holds a file in the spill directory that has
        # grown past the in-memory threshold (2 MB).
        held = wait_for(
            lambda: [item for item in open_spill_files(server.pid, spill_dir) if item[1] > 2.5 * 1024 * 1024],
            120,
            "the upload to reach the disk",
        )
        os.kill(server.pid, signal.SIGKILL)
        server.wait(timeout=60)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=60)
        if client is not None:
            client.close()
    left = sorted(path for path in var.rglob("*") if path.is_file() and path.name != "db.sqlite3")
    return held, left, spill_dir


def test_killed_upload_leaves_no_file(tmp_path):
    held, left, spill_dir = kill_mid_upload(tmp_path, "sopflow.settings")
    # While it ran, the upload's bytes were in a file without a name in the private directory ...
    assert all(target.endswith("(deleted)") for target, _size in held), held
    # ... which is private, and after the kill nothing at all is left behind.
    assert oct(spill_dir.stat().st_mode & 0o777) == "0o700"
    assert left == []


def test_control_stock_django_handler_leaves_the_temporary_file(tmp_path):
    held, left, _spill_dir = kill_mid_upload(tmp_path, "tests.upload_server_settings")
    assert not any(target.endswith("(deleted)") for target, _size in held)
    assert [path.name.endswith(".upload.csv") for path in left] == [True], left
