"""The production settings, checked in fresh processes (settings are read once per process).

- `check --deploy` gives no warning with the recipe's environment (deploy/sopflow.env.example).
- Without a secret or allowed hosts production refuses to start; `.env` (make run) is read, and
  the environment wins over it.
- Mail: without a real mail server there is no password reset, and a console/file mail backend
  (password-reset links in a log) is refused in production.
"""

import os
import secrets
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def production_env(tmp_path, **extra):
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DJANGO_", "SOPFLOW_", "DATABASE_URL", "PYTEST"))}
    env.update(
        SOPFLOW_ENV="production",
        SOPFLOW_ENV_FILE="",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="sopflow.dukcapil.example.go.id",
        SOPFLOW_BASE_URL="https://sopflow.dukcapil.example.go.id",
        SOPFLOW_TSA_URL="https://tsa.dukcapil.example.go.id/",
        SOPFLOW_VAR_DIR=str(tmp_path / "var"),
    )
    env.update(extra)
    return {key: value for key, value in env.items() if value is not None}


def manage(env, *args):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600)


def shell(env, code):
    return manage(env, "shell", "--no-imports", "-c", code)


def test_check_deploy_gives_no_warning_with_the_recipes_settings(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_check_deploy_warns_when_the_https_settings_are_switched_off(tmp_path):
    # The test above can fail: without the recipe's HTTPS settings Django warns, as it should.
    env = production_env(tmp_path, DJANGO_HSTS_SECONDS="0", DJANGO_SECURE_SSL_REDIRECT="0")
    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W004" in result.stderr and "security.W008" in result.stderr


def test_production_settings_are_https_behind_the_proxy(tmp_path):
    code = (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SECURE_PROXY_SSL_HEADER, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0, s.STORAGES['staticfiles']['BACKEND'].rsplit('.', 1)[-1], "
        "s.CACHES['default']['BACKEND'].rsplit('.', 1)[-1])"
    )
    result = shell(production_env(tmp_path), code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False", "True", "('HTTP_X_FORWARDED_PROTO',", "'https')", "True", "True", "True",
        "StaticFilesStorage", "FileBasedCache",
    ]


@pytest.mark.parametrize("missing, message", [
    ("DJANGO_SECRET_KEY", "DJANGO_SECRET_KEY is not set"),
    ("DJANGO_ALLOWED_HOSTS", "DJANGO_ALLOWED_HOSTS is not set"),
    ("SOPFLOW_BASE_URL", "SOPFLOW_BASE_URL is not set"),
])
def test_production_refuses_to_start_without_secret_or_hosts(tmp_path, missing, message):
    result = manage(production_env(tmp_path, **{missing: None}), "check")
    assert result.returncode != 0
    assert message in result.stderr


def test_links_in_documents_use_the_configured_base_url_which_must_be_a_url(tmp_path):
    code = ("import uuid; from workflows.models import SignedDocument as d; "
            "print(d.verification_url_for(uuid.UUID(int=0)))")
    result = shell(production_env(tmp_path, SOPFLOW_BASE_URL="https://sopflow.contoh.go.id/"), code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "https://sopflow.contoh.go.id/verifikasi/00000000-0000-0000-0000-000000000000/"
    wrong = manage(production_env(tmp_path, SOPFLOW_BASE_URL="sopflow.contoh.go.id"), "check")
    assert wrong.returncode != 0 and "SOPFLOW_BASE_URL must start with https://" in wrong.stderr
    # A local machine needs none: the `make run` address.
    local = shell(production_env(tmp_path, SOPFLOW_ENV="local", SOPFLOW_BASE_URL=None), code)
    assert local.stdout.strip().startswith("http://127.0.0.1:8000/verifikasi/"), local.stderr


def test_check_deploy_warns_when_signatures_get_no_timestamp(tmp_path):
    result = manage(production_env(tmp_path, SOPFLOW_TSA_URL=None), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "sopflow.W001" in result.stderr and "SOPFLOW_TSA_URL is not set" in result.stderr


def test_without_a_mail_server_production_sends_no_mail_and_offers_no_password_reset(tmp_path):
    code = (
        "from django.conf import settings as s; from django.urls import reverse, NoReverseMatch\n"
        "try:\n    reverse('password_reset'); print('reset')\nexcept NoReverseMatch:\n    print('no-reset')\n"
        "print(s.EMAIL_BACKEND)"
    )
    result = shell(production_env(tmp_path), code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["no-reset", "django.core.mail.backends.dummy.EmailBackend"]


def test_with_an_smtp_server_password_reset_is_offered(tmp_path):
    code = (
        "from django.conf import settings as s; from django.urls import reverse\n"
        "print(reverse('password_reset'), s.EMAIL_BACKEND, s.EMAIL_USE_TLS)"
    )
    result = shell(production_env(tmp_path, DJANGO_EMAIL_HOST="smtp.dukcapil.example.go.id"), code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["/accounts/password_reset/", "django.core.mail.backends.smtp.EmailBackend", "True"]


@pytest.mark.parametrize("backend", ["console", "filebased"])
def test_production_refuses_a_mail_backend_that_writes_reset_links_to_a_log(tmp_path, backend):
    env = production_env(tmp_path, DJANGO_EMAIL_BACKEND=f"django.core.mail.backends.{backend}.EmailBackend")
    result = manage(env, "check")
    assert result.returncode != 0
    assert "password-reset links" in result.stderr


def test_the_local_env_file_is_private_read_by_settings_and_loses_to_the_environment(tmp_path):
    env_file = tmp_path / "local.env"
    written = subprocess.run([sys.executable, "deploy/make_local_env.py", str(env_file)], cwd=ROOT, capture_output=True,
                             text=True, timeout=60)
    assert written.returncode == 0, written.stderr
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    first = env_file.read_text()
    # Never overwritten: the secret of a running installation stays.
    subprocess.run([sys.executable, "deploy/make_local_env.py", str(env_file)], cwd=ROOT, check=True, timeout=60,
                   capture_output=True)
    assert env_file.read_text() == first

    code = "from django.conf import settings as s; print(s.SOPFLOW_ENV, s.DEBUG, len(s.SECRET_KEY), s.ALLOWED_HOSTS[0])"
    env = production_env(tmp_path, SOPFLOW_ENV=None, DJANGO_SECRET_KEY=None, DJANGO_ALLOWED_HOSTS=None,
                         SOPFLOW_ENV_FILE=str(env_file))
    result = shell(env, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["local", "False", str(len(first.split("DJANGO_SECRET_KEY=")[1].split()[0])),
                                     "localhost"]
    # A real environment variable wins over the file.
    result = shell(dict(env, DJANGO_ALLOWED_HOSTS="sopflow.example.go.id"), code)
    assert result.stdout.split()[-1] == "sopflow.example.go.id"
