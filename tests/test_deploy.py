"""Production configuration: the deployment checks pass, bad configuration stops the process at
start-up, the content security policy forbids inline code, and docker-compose.yml is valid.

The settings are read once per process, so each configuration is tried in a fresh subprocess of
`manage.py` with the plain production settings (ramq_portal.settings, not the test settings).
"""
from __future__ import annotations

import os
import secrets
import shutil
import string
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# A subprocess gets only these from the test process, then the production variables: nothing the
# suite or the shell sets leaks into "production" (settings_test sets DEBUG=true in os.environ,
# browser tests set DJANGO_ALLOW_ASYNC_UNSAFE, CI exports DATABASE_URL and REDIS_URL).
_INHERITED_VARIABLES = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "SYSTEMROOT")


def _bare_env() -> dict[str, str]:
    return {name: os.environ[name] for name in _INHERITED_VARIABLES if name in os.environ}


def _secret_key() -> str:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(60))


def _production_env(tmp_path: Path, **overrides: str | None) -> dict[str, str]:
    env = _bare_env()
    env.update(
        DJANGO_SETTINGS_MODULE="ramq_portal.settings",
        DEBUG="false",
        SECRET_KEY=_secret_key(),
        ALLOWED_HOSTS="portal.example",
        SMS_BACKEND="notifications.sms.FileSmsBackend",
        FIELD_ENCRYPTION_KEYS="dGVzdC1vbmx5LWtleS1mb3ItdGhlLWRlcGxveS10ZXM=",
        VAR_DIR=str(tmp_path / "var"),
    )
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )


def test_deployment_checks_pass_with_production_variables(tmp_path):
    result = _manage(_production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_settings_refuse_to_start_without_secret_key_when_debug_is_off(tmp_path):
    result = _manage(_production_env(tmp_path, SECRET_KEY=None), "check")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY is required when DEBUG is off" in result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEBUG", "maybe"),
        ("DATABASE_URL", "mysql://x"),
        ("REDIS_URL", "http://127.0.0.1:6379/0"),
        ("SECURE_HSTS_SECONDS", "one year"),
        ("EMAIL_PORT", "0"),
    ],
)
def test_a_malformed_variable_stops_the_process(tmp_path, name, value):
    result = _manage(_production_env(tmp_path, **{name: value}), "check")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{name} must" in result.stderr  # the message names the variable at fault


@pytest.mark.django_db
def test_content_security_policy_allows_no_inline_code(client):
    response = client.get("/connexion/")
    assert response.status_code == 200
    policy = response.headers.get("Content-Security-Policy")
    assert policy, "no Content-Security-Policy header on the sign-in page"
    assert "'unsafe-inline'" not in policy
    assert "'unsafe-eval'" not in policy


@pytest.mark.skipif(
    shutil.which("docker-compose") is None,
    reason="docker-compose binary absent (Debian package docker-compose): docker-compose.yml not validated",
)
def test_docker_compose_file_is_valid():
    # Without a .env nor any variable: the file must still validate (SECRET_KEY has no default, and
    # the application refuses to start until one is given).
    env = _bare_env()
    result = subprocess.run(
        ["docker-compose", "--file", "docker-compose.yml", "config", "--quiet"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
