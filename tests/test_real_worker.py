"""Through a real Celery worker and real Redis, against the real (test) PostgreSQL database.

`.ci/run` provides PostgreSQL and Redis (DATABASE_URL, REDIS_URL); elsewhere these tests are skipped
with the reason. The worker and the producer are separate processes with the production settings
module, as in `make run`: nothing here runs eagerly.
"""
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from dossier import dated
from dossier.models import CorrespondenceAddress
from notifications.models import OutboundMessage, OutboundStatus
from ramq_portal import clock
from tests import factories, timetravel

REPO = Path(__file__).resolve().parent.parent

needs_postgres = pytest.mark.skipif(
    not settings.DATABASE_URL or "postgres" not in settings.DATABASE_URL, reason="needs PostgreSQL (DATABASE_URL), as in .ci/run"
)
needs_redis = pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (REDIS_URL), as in .ci/run")


def _test_database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _env(tmp_path: Path) -> dict:
    # A Redis database of its own, one per pytest-xdist worker (gw0 -> 7, gw1 -> 8, ...).
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    redis = settings.REDIS_URL.rsplit("/", 1)[0] + f"/{7 + worker % 8}"
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")}
    env.update(
        DJANGO_SETTINGS_MODULE="ramq_portal.settings", DEBUG="true", DATABASE_URL=_test_database_url(), REDIS_URL=redis,
        VAR_DIR=str(tmp_path), PYTHONPATH=str(REPO), LOG_LEVEL="INFO",
    )
    return env


def _wait_for(predicate, seconds=60.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return False


@needs_postgres
@needs_redis
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_NOT_1_NOT_5_a_real_worker_sends_the_validation_email_and_the_cell_code_once(tmp_path):
    alice = factories.ProfessionalFactory(user=factories.UserFactory(username="alice"))
    factories.CorrespondenceAddressFactory(professional=alice)
    env = _env(tmp_path)
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.travelled", "-m", "celery", "--app", "ramq_portal", "worker", "--pool", "solo", "--queues", "celery,bulk", "--loglevel", "INFO",
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=REPO, env={**env, **timetravel.child_env()}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        producer = f"""
import django; django.setup()
from dossier.models import Professional
from dossier import profile
from dossier.addresses import AddressInput
alice = Professional.objects.get(pk={alice.pk})
address = alice.correspondence_addresses.get()
profile.update_correspondence(
    professional=alice, expected_version=alice.correspondence_version,
    address=AddressInput(line1=address.line1, city=address.city, province=address.province, postal_code=address.postal_code),
    declared_agency_address=False, telephones=[], cell="+15145550177", email="alice@example.com", by=alice.user)
"""
        subprocess.run([sys.executable, "-m", "tests.travelled", "-c", producer], cwd=REPO, env={**env, **timetravel.child_env()},
                       check=True, timeout=120)
        mail_dir, sms_dir = tmp_path / "mail", tmp_path / "sms"
        sent = _wait_for(lambda: OutboundMessage.objects.filter(status=OutboundStatus.SENT).count() == 2)
        assert sent, f"the worker did not send both messages: {list(OutboundMessage.objects.values('template', 'status', 'last_error'))}"
        mails = list(mail_dir.glob("*.log"))
        assert len(mails) == 1 and "alice@example.com" in mails[0].read_text()
        texts = list(sms_dir.glob("*.json"))
        assert len(texts) == 1 and "+15145550177" in texts[0].read_text()
    finally:
        worker.terminate()
        try:
            output, _ = worker.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()
    # The plaintext code travelled only to the worker: it is nowhere in the worker's log.
    code = texts[0].read_text().split("est ")[1][:6]
    assert code not in output


@needs_postgres
@pytest.mark.dates  # "in force today" at every moment of the date matrix
@pytest.mark.django_db(transaction=True)
def test_PRO_5_two_concurrent_runs_record_each_change_in_force_once():
    """Two daily tasks at once (PostgreSQL row locks, SKIP LOCKED): each change is recorded once."""
    professionals = [factories.ProfessionalFactory(user=None) for _ in range(40)]
    yesterday = clock.today().replace(day=1) if clock.today().day > 1 else clock.today()
    for professional in professionals:
        CorrespondenceAddress.objects.create(
            professional=professional, effective_from=yesterday, recorded_at=clock.now(),
            line1="1, rue du Test", city="Québec", province="QC", postal_code="G1R 2B5",
        )
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(dated.bring_into_force(CorrespondenceAddress, batch_size=7))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sum(results) == 40
    history = CorrespondenceAddress.history.filter(history_change_reason=dated.IN_FORCE_REASON)
    assert history.count() == 40 and history.values("id").distinct().count() == 40
