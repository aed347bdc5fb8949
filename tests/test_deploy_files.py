"""The files in deploy/ say what the README's "Production" section says.

nginx itself is exercised by .ci/run, which serves the browser test through
deploy/nginx/sopflow.conf; here: the systemd units, the gunicorn configuration and the rules of
the nginx file that the settings rely on.
"""

import configparser
import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
UNITS = {
    "sopflow-web.service": "gunicorn --config deploy/gunicorn.conf.py sopflow.wsgi",
    "sopflow-jobs.service": "manage.py run_jobs",
    "sopflow-timers.service": "manage.py run_timers --interval 60",
}


def unit(name):
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(DEPLOY / "systemd" / name)
    return parser


@pytest.mark.parametrize("name, command", UNITS.items())
def test_each_service_runs_its_process_as_sopflow_privately_and_restarts(name, command):
    service = unit(name)["Service"]
    assert service["ExecStart"].startswith("/srv/sopflow/.venv/bin/") and service["ExecStart"].endswith(command)
    assert (service["User"], service["Group"], service["WorkingDirectory"]) == ("sopflow", "sopflow", "/srv/sopflow")
    assert service["EnvironmentFile"] == "/etc/sopflow/sopflow.env"
    assert service["UMask"] == "0077" and service["StateDirectoryMode"] == "0700"
    assert service["Restart"] == "always"
    assert unit(name)["Install"]["WantedBy"] == "multi-user.target"


def test_the_web_service_refuses_to_start_with_deploy_warnings():
    assert unit("sopflow-web.service")["Service"]["ExecStartPre"].endswith(
        "manage.py check --deploy --fail-level WARNING"
    )


def test_the_units_commands_exist():
    commands = ROOT / "workflows" / "management" / "commands"
    assert (commands / "run_jobs.py").is_file() and (commands / "run_timers.py").is_file()
    assert (DEPLOY / "gunicorn.conf.py").is_file()


def test_the_environment_example_names_every_required_setting():
    example = (DEPLOY / "sopflow.env.example").read_text()
    for name in ("SOPFLOW_ENV=production", "DJANGO_SECRET_KEY=", "DJANGO_ALLOWED_HOSTS=", "DATABASE_URL=postgres://",
                 "DJANGO_EMAIL_HOST=", "SOPFLOW_VAR_DIR=/var/lib/sopflow", "SOPFLOW_BASE_URL=https://",
                 "SOPFLOW_TSA_URL=https://"):
        assert name in example
    assert not re.search(r"DJANGO_SECRET_KEY=\S", example)  # no secret in the repository


def test_gunicorn_configuration_loads_and_listens_on_loopback_only(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "SOPFLOW_", "DATABASE_URL"))}
    env.update(SOPFLOW_ENV="production", SOPFLOW_ENV_FILE="", DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
               DJANGO_ALLOWED_HOSTS="localhost", SOPFLOW_BASE_URL="https://localhost",
               SOPFLOW_VAR_DIR=str(tmp_path / "var"))
    gunicorn = Path(sys.executable).parent / "gunicorn"
    args = [str(gunicorn), "--config", "deploy/gunicorn.conf.py", "sopflow.wsgi"]
    checked = subprocess.run([*args[:1], "--check-config", *args[1:]], cwd=ROOT, env=env, capture_output=True,
                             text=True, timeout=300)
    assert checked.returncode == 0, checked.stderr
    printed = subprocess.run([*args[:1], "--print-config", *args[1:]], cwd=ROOT, env=env, capture_output=True,
                             text=True, timeout=300)
    config = dict(re.findall(r"^(\w+)\s+= (.*)$", printed.stdout, re.M))
    assert config["bind"] == "['127.0.0.1:8001']"
    assert int(config["umask"]) == 0o077
    assert int(config["timeout"]) >= 300


def test_nginx_passes_what_the_settings_trust_and_bounds_the_uploads():
    conf = (DEPLOY / "nginx" / "sopflow.conf").read_text()
    # settings.SECURE_PROXY_SSL_HEADER and workflows.throttle.client_address read these two.
    assert conf.count("proxy_set_header X-Forwarded-Proto $scheme;") == 2
    assert conf.count("proxy_set_header X-Real-IP $remote_addr;") == 2
    assert "return 301 https://$host$request_uri;" in conf
    # The 2 GB DKB upload fits; the public verification page takes no more than a report.
    body_limits = re.findall(r"client_max_body_size (\d+)m;", conf)
    assert body_limits == ["2100", "16"]
    assert re.search(r"location /verifikasi/ \{\s+client_max_body_size 16m;", conf)
    assert "proxy_read_timeout 300s;" in conf and "server 127.0.0.1:8001;" in conf


@pytest.mark.skipif(shutil.which("nginx") is None and not os.environ.get("CI"), reason="nginx is not installed")
def test_nginx_accepts_the_configuration(tmp_path):
    """`nginx -t` on the shipped file, with a certificate made here (as .ci/production-recipe does)."""
    assert shutil.which("nginx"), "CI installs nginx-light"
    tls = tmp_path / "tls"
    tls.mkdir()
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-keyout", str(tls / "privkey.pem"), "-out", str(tls / "fullchain.pem")],
                   check=True, capture_output=True, timeout=120)
    site = (DEPLOY / "nginx" / "sopflow.conf").read_text().replace("/etc/ssl/sopflow/", f"{tls}/")
    (tmp_path / "sopflow.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(f"""
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
events {{ }}
http {{
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    include {tmp_path}/sopflow.conf;
}}
""")
    result = subprocess.run(["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr
