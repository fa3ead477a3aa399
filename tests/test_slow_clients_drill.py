"""Issue 16: the portal stays up under slow clients, behind the proxy of docker-compose.yml.

Found: 12 connections sending partial headers, one line every 8 s, froze the whole portal (/healthz
timed out for 40 s): gunicorn was published with no buffering proxy in front. The drill
(scripts/slow-clients-drill.sh, `make drill-slow-clients`) starts gunicorn with the production settings
and nginx with deploy/nginx/portal.conf on loopback, replays the attack with 50 connections and asks
/healthz through the proxy every second: each answer must come within 2 s (it takes milliseconds; the
frozen portal gave none in 5 s). Here the attack lasts 15 s, through the proxy only (the contrast with
gunicorn alone is `make drill-slow-clients`'s). It needs Debian's nginx, which `make test` installs
(scripts/ensure-system-packages.sh) and the drill installs itself when run as root.
"""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from django.conf import settings

from tests.test_deploy import REPO, _bare_env

PROXY_CONF = REPO / "deploy" / "nginx" / "portal.conf"


@pytest.mark.slow
def test_healthz_answers_through_the_proxy_while_50_slow_clients_attack():
    env = _bare_env()
    env.update(DRILL_CONNECTIONS="50", DRILL_LINE_EVERY="8", DRILL_SECONDS="15", DRILL_DIRECT="false")
    result = subprocess.run(
        ["bash", "scripts/slow-clients-drill.sh"], cwd=REPO, env=env, capture_output=True, text=True, timeout=240,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    assert "[through nginx] passed" in result.stdout, output[-6000:]
    assert "0 unanswered, 0 over 2 s" in result.stdout, output[-6000:]


def test_the_proxy_refuses_the_same_body_size_as_the_application():
    sizes = re.findall(r"^\s*client_max_body_size (\d+)m;", PROXY_CONF.read_text(), flags=re.MULTILINE)
    assert sizes == ["1"]
    assert int(sizes[0]) * 1024 * 1024 == settings.MAX_REQUEST_BODY_BYTES


def _services(config: str) -> dict[str, str]:
    """The resolved compose file (`docker-compose config`) cut into one text block per service."""
    services = config.split("\nservices:\n", 1)[1]
    services = re.split(r"\n(?=\S)", services, maxsplit=1)[0]  # up to the next top-level key
    blocks = re.split(r"^  (\S+):\n", services, flags=re.MULTILINE)[1:]
    return dict(zip(blocks[::2], blocks[1::2], strict=True))


@pytest.mark.skipif(
    shutil.which("docker-compose") is None,
    reason="docker-compose binary absent (Debian package docker-compose): docker-compose.yml not read",
)
def test_only_the_proxy_faces_clients_and_it_is_the_one_trusted_proxy():
    result = subprocess.run(
        ["docker-compose", "--file", "docker-compose.yml", "config"],
        cwd=REPO, env=_bare_env(), capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    services = _services(result.stdout)
    assert {"proxy", "web", "worker", "worker-bulk", "beat"} <= services.keys()
    published = sorted(name for name, block in services.items() if re.search(r"^    ports:", block, re.MULTILINE))
    assert published == ["mailpit", "proxy"]
    assert "127.0.0.1:8000:8000" in services["proxy"]
    assert "./deploy/nginx/portal.conf:/etc/nginx/conf.d/default.conf:ro" in services["proxy"].replace(str(REPO), ".")
    proxy_address = re.search(r"ipv4_address: (\S+)", services["proxy"]).group(1)
    for name in ("web", "worker", "worker-bulk", "beat"):
        assert re.search(r"TRUSTED_PROXIES: (\S+)", services[name]).group(1) == proxy_address, name
