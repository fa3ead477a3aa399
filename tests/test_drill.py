"""Reliability drill: a real Celery worker and a real Redis against the real (test) PostgreSQL database,
and things killed with `kill -9` while a payment run and its emails are under way.

* Redis killed (no persistence: every queued task vanishes) in the middle of the payment run, and again
  while the run's "nouveau message" emails are being delivered;
* the worker killed in the middle of the payment run, then in the middle of the sweep that announces the
  run's messages, then while an email is being delivered.

After each kill nothing but beat brings the work back: the test plays beat itself by sending every
`notifications.*` task of `ramq_portal.celery.app.conf.beat_schedule` (read from the schedule, so the
drill proves that the schedule covers the recovery), as beat does after a restart, every ~2 s instead of
every few minutes (OUTBOX_RECOVER_AFTER_SECONDS=1, OUTBOX_LEASE_SECONDS=2 in the worker). Then every due
item happened once: the run is finished, one statement and one secure message per account, every email
sent, one email per professional with an activated email (EML-5) and no Message-ID twice.

Needs PostgreSQL (DATABASE_URL) and a `redis-server` binary (the drill starts, kills and restarts its own
Redis on a free port): `.ci/run` and `make drill` provide both; elsewhere the drill is skipped.
"""
from __future__ import annotations

import email
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from celery import Celery

from calendrier.models import PaymentDate
from comptes.constants import AccountKind
from comptes.models import BillingAccount
from dossier import numbers
from dossier.models import Professional, User
from notifications import payment_run
from notifications.models import OutboundMessage, OutboundStatus, PaymentRun, PrintItem, SecureMessage, Statement
from ramq_portal import clock
from ramq_portal.celery import app as portal_app
from tests import factories, timetravel
from tests.test_real_worker import REPO, _test_database_url, needs_postgres

needs_redis_server = pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs a redis-server binary, as in .ci/run")

pytestmark = [needs_postgres, needs_redis_server, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

FILES = 3 * payment_run.BATCH_SIZE  # professionals, one account each: a run of 3 batches (a few seconds)
EMAIL_EVERY = 10  # one file in 10 has an activated email; one in 10 an email not activated (EML-5: none sent)
RECOVER_AFTER, LEASE = 1, 2  # OUTBOX_RECOVER_AFTER_SECONDS, OUTBOX_LEASE_SECONDS in the worker
BEAT_EVERY = 2.0
DEADLINE = 120.0
MESSAGE_ID = re.compile(r"<mondossier-(\d+)@")
BEAT_TASKS = sorted({entry["task"] for entry in portal_app.conf.beat_schedule.values() if entry["task"].startswith("notifications.")})


# --- Processes ------------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _wait_for(predicate, seconds: float, every: float = 0.1):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    return None


class RedisServer:
    """Our own redis-server, without persistence (a restart comes back empty), on a fixed port."""

    def __init__(self, directory: Path):
        self.directory, self.port, self.process = directory, _free_port(), None
        directory.mkdir(parents=True, exist_ok=True)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no",
             "--dir", str(self.directory), "--logfile", str(self.directory / "redis.log")],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        if not _wait_for(lambda: _ping(self.port), 10):
            raise RuntimeError(f"redis-server did not start on {self.port}: {self._log()}")

    def kill9(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def queued(self) -> int:
        """Tasks waiting in the default queue (RESP `LLEN celery`)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=2) as s:
            s.sendall(b"LLEN celery\r\n")
            return int(s.recv(64).strip().lstrip(b":"))

    def _log(self) -> str:
        path = self.directory / "redis.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""


class Worker:
    """`celery worker --pool solo`: the task runs in the worker's own process, so `kill -9` kills it mid-task."""

    count = 0

    def __init__(self, env: dict, log_dir: Path):
        Worker.count += 1
        self.name = f"drill{Worker.count}"
        self.env, self.log_path, self.process = env, log_dir / f"worker-{self.name}.log", None

    def start(self) -> "Worker":
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.travelled", "-m", "celery", "--app", "ramq_portal", "worker", "--pool", "solo",
             "--queues", "celery,bulk", "--loglevel", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat",
             "--hostname", f"{self.name}@%h"],
            # the worker starts at the test's moment, not the wall clock's
            cwd=REPO, env={**self.env, **timetravel.child_env()}, stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT,
        )
        return self

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def ready(self) -> bool:
        return " ready." in self.output()

    def kill9(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.log.close()

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()


class Beat:
    """Plays beat: sends the schedule's notifications.* tasks through the worker's broker. A Celery app
    of its own (not the test process's, which runs eagerly), never made the current app."""

    def __init__(self, broker_url: str):
        self.app = Celery("drill-beat", broker=broker_url, set_as_current=False)
        self.app.conf.broker_transport_options = {"visibility_timeout": 3600}
        self.app.conf.broker_connection_timeout = 2
        self.sent = Counter()
        self.failed = 0

    def send(self, name: str) -> bool:
        try:
            self.app.send_task(name, retry=True, retry_policy={"max_retries": 1, "interval_start": 0.2})
        except Exception:  # broker down: beat would try again at the next tick
            self.failed += 1
            return False
        self.sent[name] += 1
        return True

    def tick(self) -> None:
        for name in BEAT_TASKS:
            self.send(name)

    def close(self) -> None:
        self.app.close()


def _worker_env(tmp_path: Path, redis: RedisServer) -> dict:
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")}
    env.update(
        DJANGO_SETTINGS_MODULE="ramq_portal.settings", DEBUG="true", DATABASE_URL=_test_database_url(), REDIS_URL=redis.url,
        VAR_DIR=str(tmp_path / "var"), PYTHONPATH=str(REPO), LOG_LEVEL="INFO",
        OUTBOX_RECOVER_AFTER_SECONDS=str(RECOVER_AFTER), OUTBOX_LEASE_SECONDS=str(LEASE),
    )
    return env


# --- Data and observations ------------------------------------------------------------------------

def _files(count: int) -> dict:
    """`count` enrolled professionals with one personal account each, fast (bulk inserts). Returns the
    expected recipients {professional id: email}."""
    profession = factories.ProfessionFactory()
    now = clock.now()
    users = User.objects.bulk_create([User(username=f"drill{i}", password="!") for i in range(count)])
    professionals = []
    for i, user in enumerate(users):
        licence = f"{10000 + i:05d}"
        address = f"drill{i}@example.com" if i % EMAIL_EVERY in (0, 1) else ""
        professionals.append(Professional(
            user=user, profession=profession, licence_number=licence, last_name=f"Essai{i}", first_name="Dre",
            professional_number=numbers.professional_number(profession_digit=profession.number_digit, licence_number=licence),
            birth_date=date(1985, 6, 1), opened_at=now, registered_at=now, engagement_confirmed_at=now,
            email=address, email_activated_at=now if i % EMAIL_EVERY == 0 else None,
        ))
    professionals = Professional.objects.bulk_create(professionals)
    BillingAccount.objects.bulk_create([
        BillingAccount(professional=p, kind=AccountKind.PERSONAL, number=p.professional_number, name="Finances personnelles", opened_at=now - timedelta(days=1))  # open before the payment date began
        for p in professionals
    ])
    return {p.pk: p.email for p in professionals if p.email_activated_at is not None}


def _run_state(day) -> dict | None:
    return PaymentRun.objects.filter(payment_date=day).values("last_professional_id", "finished_at", "statements").first()


def _mails(mail_dir: Path) -> list[tuple[int, str]]:
    """(OutboundMessage pk from the Message-ID, recipient) of every email the file backend wrote."""
    found = []
    for path in sorted(mail_dir.glob("*.log")):
        for chunk in path.read_text(errors="replace").split("\n" + "-" * 79 + "\n"):
            if not chunk.strip():
                continue
            message = email.message_from_string(chunk)
            match = MESSAGE_ID.search(message.get("Message-ID", ""))
            if match:  # a file cut short by a kill may hold no header at all
                found.append((int(match.group(1)), message.get("To", "")))
    return found


def _outbox() -> Counter:
    return Counter(OutboundMessage.objects.values_list("status", flat=True))


def _done(day, recipients: dict, mail_dir: Path) -> bool:
    run = _run_state(day)
    if run is None or run["finished_at"] is None:
        return False
    statuses = _outbox()
    if statuses.get(OutboundStatus.SENT, 0) != len(recipients) or sum(statuses.values()) != len(recipients):
        return False
    return {pk for pk, _ in _mails(mail_dir)} == set(OutboundMessage.objects.values_list("pk", flat=True))


def _play_beat_until_done(beat: Beat, redis: RedisServer, day, recipients: dict, mail_dir: Path, kills: "Kills") -> float:
    """Tick beat every BEAT_EVERY seconds until every item happened, landing the kills when their moment
    comes. Then let the queue drain (deliveries handed twice by the sweep), so that a late duplicate would
    still show. Returns the seconds it took."""
    start = time.monotonic()
    last_tick = 0.0
    while not _done(day, recipients, mail_dir):
        assert time.monotonic() - start < DEADLINE, f"not done in {DEADLINE} s: run {_run_state(day)}, outbox {dict(_outbox())}"
        if time.monotonic() - last_tick >= BEAT_EVERY:
            beat.tick()
            last_tick = time.monotonic()
        kills.poll()
        time.sleep(0.05)
    assert _wait_for(lambda: redis.queued() == 0, 60, every=0.2) is not None, "the queue did not drain"
    time.sleep(1.5)  # the last task taken
    return time.monotonic() - start


def _assert_everything_happened_once(day, recipients: dict, mail_dir: Path, *, window: set[int] = frozenset()) -> None:
    """Every due item happened, once. `window`: emails the "provider" had accepted when their worker was
    killed before marking them sent (the one window the outbox documents): they go a second time with the
    same Message-ID, which the provider uses to drop the duplicate."""
    run = PaymentRun.objects.get(payment_date=day)
    accounts = BillingAccount.objects.count()
    assert run.finished_at is not None
    assert Statement.objects.filter(payment_date=day).count() == accounts == FILES
    assert Statement.objects.filter(payment_date=day).values("account").distinct().count() == accounts
    assert run.statements == accounts, "a batch was counted twice (or not at all)"
    # Enrolled: each statement in secure messaging, once, announced once; by post as well, once, when its
    # (demo) balance is negative.
    assert SecureMessage.objects.count() == accounts
    assert PrintItem.objects.count() == Statement.objects.filter(balance__lt=0).count()
    assert not SecureMessage.objects.filter(notice_handled_at__isnull=True).exists()
    messages = list(OutboundMessage.objects.values("pk", "professional_id", "to", "template", "status"))
    assert {m["status"] for m in messages} == {OutboundStatus.SENT}
    assert {m["template"] for m in messages} == {"nouveau_message"}
    assert sorted(m["professional_id"] for m in messages) == sorted(recipients), "one email per professional with an activated email"
    assert all(recipients[m["professional_id"]] == m["to"] for m in messages)
    sent = _mails(mail_dir)
    times = Counter(pk for pk, _ in sent)
    twice = {pk: n for pk, n in times.items() if n != 1}
    assert set(times) == {m["pk"] for m in messages}
    assert set(twice) <= set(window) and all(n == 2 for n in twice.values()), f"sent more than once: {twice} (window: {window})"
    to_of = {m["pk"]: m["to"] for m in messages}
    assert all(to_of[pk] in to for pk, to in sent)
    assert {to_of[pk] for pk, _ in sent} == set(recipients.values())


def _report(title: str, **facts) -> None:
    print(f"\n[drill] {title}: " + ", ".join(f"{k}={v}" for k, v in facts.items()))


def _wait_mid_run(day) -> dict:
    """Until the run committed a batch or more and is not finished."""
    def moment():
        run = _run_state(day)
        if run and run["finished_at"] is not None:
            return "finished"
        return run if run and run["last_professional_id"] else None

    run = _wait_for(moment, 60, every=0.02)
    assert run not in (None, "finished"), f"the kill could not land mid-run ({run}): FILES too small for this machine?"
    return run


def mid_sweep(day):
    """The run is over and the sweep that announces its messages has committed some batches, not all."""
    def partly_handled():
        handled, total = SecureMessage.objects.filter(notice_handled_at__isnull=False).count(), SecureMessage.objects.count()
        return {"notices_handled": handled, "of": total} if 0 < handled < total else None

    def moment():
        run = _run_state(day)
        if not run or run["finished_at"] is None:
            return None
        # The sweep's batches take a fraction of a second each: watch closely once the run is over.
        return _wait_for(partly_handled, 3, every=0.005)

    return moment


def mid_delivery(*, mid_task: bool):
    """Some emails are sent, many are not; `mid_task`: and one is being sent right now (claimed)."""
    def moment():
        statuses = _outbox()
        sent, total = statuses.get(OutboundStatus.SENT, 0), sum(statuses.values())
        if not 0 < sent < total - 20:
            return None
        if mid_task:
            _wait_for(lambda: OutboundMessage.objects.filter(status=OutboundStatus.SENDING).exists(), 2, every=0)
        return {"sent_before": sent, "emails": total}

    return moment


class Kills:
    """Kills to land in order, each once, when its moment comes (polled between beat ticks)."""

    def __init__(self, *phases):
        self.pending, self.landed = list(phases), []

    def poll(self) -> None:
        if not self.pending:
            return
        name, moment, kill = self.pending[0]
        facts = moment()
        if facts:
            self.pending.pop(0)
            facts.update(kill() or {})
            self.landed.append(name)
            _report(name, **facts)

    def assert_all_landed(self) -> None:
        assert not self.pending, f"could not land: {[name for name, _, _ in self.pending]} (landed: {self.landed})"


# --- The drills -----------------------------------------------------------------------------------

def test_NOT_5_drill_redis_killed_mid_payment_run_and_mid_delivery_loses_nothing_and_sends_nothing_twice(tmp_path):
    assert {"notifications.tasks.payment_run", "notifications.tasks.recover_outbound_messages",
            "notifications.tasks.send_new_message_notices"} <= set(BEAT_TASKS), BEAT_TASKS
    started = time.monotonic()
    day = clock.today()
    PaymentDate.objects.create(date=day)
    recipients = _files(FILES)
    redis = RedisServer(tmp_path / "redis")
    worker, beat = None, None
    mail_dir = tmp_path / "var" / "mail"
    try:
        redis.start()
        worker = Worker(_worker_env(tmp_path, redis), tmp_path).start()
        assert _wait_for(worker.ready, 60), "the worker did not start"
        beat = Beat(redis.url)
        assert beat.send("notifications.tasks.payment_run")

        # 1. Redis killed mid-run: the run's task message (taken, not acknowledged) dies with it. The run
        # goes on in the database and finishes while Redis is down, so the sweep it enqueues is lost too.
        at_kill = _wait_mid_run(day)
        redis.kill9()
        finished = _wait_for(lambda: (_run_state(day) or {}).get("finished_at"), 30)
        time.sleep(2)  # the finished run's publish of the sweep gives up
        sweep_lost = not OutboundMessage.objects.exists()
        redis.start()  # same port, empty
        _report("Redis killed mid-run", last_professional_id=at_kill["last_professional_id"], statements=at_kill["statements"],
                run_finished_while_down=bool(finished), sweep_lost=sweep_lost)

        # 2. Redis killed again while the emails are delivered: every queued delivery vanishes.
        def kill_redis():
            redis.kill9()
            time.sleep(1)
            redis.start()

        kills = Kills(("Redis killed mid-delivery", mid_delivery(mid_task=False), kill_redis))
        took = _play_beat_until_done(beat, redis, day, recipients, mail_dir, kills)
        kills.assert_all_landed()
        _assert_everything_happened_once(day, recipients, mail_dir)
        assert worker.process.poll() is None, "the worker did not survive the Redis restarts"
        _report("drill 1 (Redis killed)", recovered_in=f"{took:.1f}s", total=f"{time.monotonic() - started:.1f}s",
                files=FILES, emails=len(recipients), beat_sent=dict(beat.sent), beat_failed=beat.failed)
    except BaseException:
        print(worker.output()[-20000:] if worker else "", file=sys.stderr)
        raise
    finally:
        if beat:
            beat.close()
        if worker:
            worker.stop()
        redis.stop()


def test_NOT_5_drill_worker_killed_mid_payment_run_mid_sweep_and_mid_delivery_loses_nothing_and_sends_nothing_twice(tmp_path):
    started = time.monotonic()
    day = clock.today()
    PaymentDate.objects.create(date=day)
    recipients = _files(FILES)
    redis = RedisServer(tmp_path / "redis")
    workers, beat = [], None
    mail_dir = tmp_path / "var" / "mail"
    try:
        redis.start()
        env = _worker_env(tmp_path, redis)
        workers.append(Worker(env, tmp_path).start())
        assert _wait_for(workers[-1].ready, 60), "the worker did not start"
        beat = Beat(redis.url)
        assert beat.send("notifications.tasks.payment_run")

        # 1. The worker killed mid-run: the batch under way rolls back, the committed ones stay.
        _wait_mid_run(day)
        workers[-1].kill9()
        time.sleep(0.5)  # PostgreSQL sees the connection closed and rolls back the batch under way
        after = _run_state(day)
        committed = Statement.objects.filter(payment_date=day).count()
        assert after["finished_at"] is None
        assert committed == after["statements"] == BillingAccount.objects.filter(
            professional_id__lte=after["last_professional_id"]).count(), "a batch was half written"
        _report("worker killed mid-run", last_professional_id=after["last_professional_id"], statements=committed)

        # 2. A new worker, as after a restart: killed in turn in the middle of the sweep that announces the
        # run's messages, then the next one while an email is being delivered.
        window: set[int] = set()

        def kill_worker():
            workers[-1].kill9()
            sending = set(OutboundMessage.objects.filter(status=OutboundStatus.SENDING).values_list("pk", flat=True))
            written = {pk for pk, _ in _mails(mail_dir)}
            window.update(sending & written)  # accepted by the "provider", not yet marked sent
            workers.append(Worker(env, tmp_path).start())
            return {"claimed_at_kill": sorted(sending), "written_not_marked_sent": sorted(sending & written)}

        workers.append(Worker(env, tmp_path).start())
        kills = Kills(("worker killed mid-sweep", mid_sweep(day), kill_worker),
                      ("worker killed mid-delivery", mid_delivery(mid_task=True), kill_worker))
        took = _play_beat_until_done(beat, redis, day, recipients, mail_dir, kills)
        kills.assert_all_landed()
        _assert_everything_happened_once(day, recipients, mail_dir, window=window)
        _report("drill 2 (worker killed)", recovered_in=f"{took:.1f}s", total=f"{time.monotonic() - started:.1f}s",
                files=FILES, emails=len(recipients), workers=len(workers), beat_sent=dict(beat.sent))
    except BaseException:
        for worker in workers:
            print(f"--- worker {worker.name}\n" + worker.output()[-8000:], file=sys.stderr)
        raise
    finally:
        if beat:
            beat.close()
        for worker in workers:
            worker.stop()
        redis.stop()
