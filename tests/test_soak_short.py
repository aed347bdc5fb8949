"""The reliability soak (bench/soak.py, `make soak`) in short: the same machinery, small numbers.

Three OS processes as `make run` starts them, driven over real HTTP: a 50,000-row extract uploaded
at step 3 while three step-6 signings and two more uploads go on, the worker killed twice while a
run shows progress, the web server killed once while the step-9 backup POST writes its archive.
On SQLite, and on PostgreSQL (a database of its own) when DATABASE_URL points there. Every wait
polls progress against a generous deadline.
"""

import os
import socket
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import soak  # noqa: E402 - bench/soak.py, imported so the test runs the script's own code


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def soak_database():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return "sqlite", soak.PG_URL
    parts = urlparse(url)
    return "postgres", parts._replace(path=f"/{parts.path.lstrip('/')}_soak_short").geturl()


@pytest.fixture(scope="module")
def summary(tmp_path_factory):
    database, pg_url = soak_database()
    config = soak.Config(
        database=database, pg_url=pg_url, rows=50_000, signings=3, uploads=2, worker_kills=2, server_kills=1,
        port=free_port(), deadline=900, wait=300, cache_dir=tmp_path_factory.mktemp("soak-extract"), quiet=True,
    )
    result = soak.run(config)
    soak.print_summary(result)  # shown by pytest when an assertion below fails
    return result


def test_no_server_error(summary):
    assert summary["http_500"] == [], summary["server_exceptions"]
    # The only request without an answer is the backup POST whose server was killed.
    assert [hit.split(":")[0] for hit in summary["dropped"]] == ["backup (server killed)"], summary["dropped"]


def test_every_signing_and_upload_went_through(summary):
    assert [entry["ok"] for entry in summary["signings"]] == [True] * 3, summary["signings"]
    assert [entry["ok"] for entry in summary["uploads"]] == [True] * 3, summary["uploads"]
    assert summary["sign_full"]["status"] == 302


def test_every_job_finishes_after_the_worker_is_killed(summary):
    assert len(summary["worker_kills"]) == 2, summary["worker_kills"]
    assert summary["jobs"] and set(summary["jobs"]) == {"done"}, (summary["jobs"], summary["failed_jobs"])


def test_backup_retry_after_a_server_kill_leaves_one_archive(summary):
    assert len(summary["server_kills"]) == 1, summary["failures"]
    assert summary["backup"]["ok"], summary["backup"]
    assert len(summary["archives"]) == 1 and summary["backup_records"] == 1, summary["archives"]


def test_sweep_removes_old_strays(summary):
    assert summary["planted_left"] == 0
    assert summary["strays_old"] == []


def test_no_target_missed(summary):
    assert summary["failures"] == []
