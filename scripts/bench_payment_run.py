#!/usr/bin/env python
"""`make bench`, second part: the payment run (ETC-1, NOT-2) over 100,000 accounts, against a raw bulk
insert of the same rows.

scripts/bench.sh runs it after the page measurements, against the same throwaway PostgreSQL (and
Redis, where the run's last step queues the "new message" sweep), with the same environment:

    python scripts/bench_payment_run.py --output bench-results.json

1. Setup, in its own process and not timed: BENCH_PAYMENT_RUN_ACCOUNTS (100,000) professionals, each
   with a correspondence address, a personal billing account and its statement settings, as opening a
   file creates them (dossier.services.open_file), written with bulk_create in chunks. One in ten is
   enrolled (a user with an unusable password), one in three is paid by bank transfer from before the
   payment date (one in ten of those with a pending new bank account after it), one in three has a
   cheque row, one in twenty a preference for the kind *Vos paiements*, one in fifty asked for paper
   statements, one in five corresponds in English, one in ten is paid fixed fees (SIN on file,
   encrypted), a few are deceased. The payment date is the first stored date of the pay calendar at
   least two weeks ahead that has no run (created when none). Then ANALYZE, as in service.
2. `payment_run.issue(payment_date=D)`, default batch size and balance source, timed. Measured during
   it, at no cost to it: SQL queries and their time (a counting execute_wrapper, no SQL text kept;
   a COPY does not go through it and is counted apart, without its time), the time and queries of
   each batch, the RSS after each batch (/proc/self/statm), ru_maxrss before
   and after. The run must then have written one statement per open account and one deposit notice
   per transfer payee, and its counts must agree with the rows.
3. The raw baselines: the rows the run wrote (statements, deposit notices, secure messages, print
   items) are read back as tuples, deleted, and the same rows are inserted again with no loading and
   no routing, split into as many batches as the run had, one transaction each, as the run commits:
   first with plain `bulk_create` (ratio = run seconds / bulk_create seconds), then deleted again and
   written with PostgreSQL's COPY (psycopg 3 `cursor.copy`, one COPY per table and batch, the tuples
   written as they were read: ratio_copy = run seconds / COPY seconds). Then, for reference, the
   floor: they are deleted again and inserted with one `INSERT ... SELECT` per table from a temporary
   copy, in one transaction.
4. Peak Python memory: tracemalloc slows Python down about 4x, so the timed run is not traced. The run
   is forgotten (rows and record) and run again under tracemalloc, stopped after
   BENCH_PAYMENT_RUN_TRACE_BATCHES batches (10; `all` for the whole run, `off` for none): the peak of
   each batch (reset between batches) and the traced memory left after each, which would grow if
   anything were kept from one batch to the next (it includes garbage the collector has not reached
   yet: no gc.collect() is forced, as it would change the peaks).

Prints a table and adds a "payment_run" section to the JSON output (its other content is kept). It is
a benchmark: nothing asserts on timing; it fails only when the run does not write what it must (one
statement per open account, a deposit notice per transfer payee, counts that agree with the run's row).
"""
from __future__ import annotations

import argparse
import contextlib
import gc
import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

DEFAULT_ACCOUNTS = 100_000
SETUP_CHUNK = 5_000
# Profession digits used by the bench's own professions (the portal's use 2 and 6): each gives 100,000
# licence numbers, hence professional numbers.
BENCH_DIGITS = "987543"
BENCH_PROFESSION_PREFIX = "banc-essai-"


class BenchError(Exception):
    pass


def django_setup() -> None:
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ramq_portal.settings")
    url = os.environ.get("DATABASE_URL", "")
    if os.environ.get("BENCH_THROWAWAY") != "1" or not url.startswith(("postgres://", "postgresql://")):
        # 100,000 files are written: only into the throwaway PostgreSQL of scripts/bench.sh.
        raise BenchError("DATABASE_URL must name the throwaway PostgreSQL of scripts/bench.sh")
    import django

    django.setup()


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


# --- 1. Setup (own process: `bench_payment_run.py setup`) ---------------------------------------------------


def choose_payment_date() -> date:
    """The first stored payment date at least two weeks ahead with no run; created when none is stored."""
    from calendrier import paycalendar
    from calendrier.models import PaymentDate
    from notifications.models import PaymentRun
    from ramq_portal import clock

    start = clock.today() + timedelta(days=14)
    day = (
        PaymentDate.objects.filter(date__gte=start)
        .exclude(date__in=PaymentRun.objects.values("payment_date"))
        .order_by("date").values_list("date", flat=True).first()
    )
    if day is None:
        taken = set(PaymentRun.objects.values_list("payment_date", flat=True))
        day = next(d for d in paycalendar.cycle_dates(start, start + timedelta(days=3650)) if d not in taken)
        PaymentDate.objects.get_or_create(date=day)
    return day


def setup(accounts: int) -> dict:
    from django.db import connection, transaction

    from comptes.constants import AccountKind, PaymentMode, StatementOption
    from comptes.models import BillingAccount, FinancialInstitution, PaymentSettings, StatementSettings
    from dossier import numbers
    from dossier.constants import Channel, CorrespondenceKind, RemunerationMode
    from dossier.models import CorrespondenceAddress, CorrespondencePreference, Profession, Professional, User
    from ramq_portal import clock

    if accounts > 100_000 * len(BENCH_DIGITS):
        raise BenchError(f"at most {100_000 * len(BENCH_DIGITS)} accounts")
    started = time.perf_counter()
    payment_date = choose_payment_date()
    now, today = clock.now(), clock.today()
    in_force_from = today - timedelta(days=60)
    pending_from = payment_date + timedelta(days=14)
    professions = {}
    for digit in BENCH_DIGITS[: (accounts - 1) // 100_000 + 1]:
        professions[digit], _ = Profession.objects.get_or_create(
            code=BENCH_PROFESSION_PREFIX + digit,
            defaults={"name_fr": f"Banc d'essai {digit}", "name_en": f"Bench {digit}", "number_digit": digit},
        )
        if Professional.objects.filter(profession=professions[digit]).exists():
            raise BenchError("the bench professionals exist already: run against a fresh database (scripts/bench.sh)")
    institution, _ = FinancialInstitution.objects.get_or_create(number="815", defaults={"name": "Desjardins"})

    def address(i: int) -> dict:
        return {"line1": f"{i + 1}, rue du Banc-d'Essai", "line2": "bureau 200" if i % 4 == 0 else "", "city": "Québec",
                "province": "QC", "postal_code": "G1R 2B5", "country": "CA"}

    for first in range(0, accounts, SETUP_CHUNK):
        indexes = range(first, min(first + SETUP_CHUNK, accounts))
        with transaction.atomic():
            enrolled = [i for i in indexes if i % 10 == 0]
            users = dict(zip(enrolled, User.objects.bulk_create([
                User(username=f"banc.{i}", password="!", first_name=f"Prénom{i}", last_name=f"Banc{i}") for i in enrolled
            ]), strict=True))
            professionals = []
            for i in indexes:
                digit, licence = BENCH_DIGITS[i // 100_000], f"{i % 100_000:05d}"
                user = users.get(i)
                professionals.append(Professional(
                    user=user, profession=professions[digit], licence_number=licence,
                    professional_number=numbers.professional_number(profession_digit=digit, licence_number=licence),
                    last_name=f"Banc{i}", first_name=f"Prénom{i}", birth_date=date(1960 + i % 40, 1 + i % 12, 1 + i % 28),
                    language="en" if i % 5 == 4 else "fr", opened_at=now,
                    reference_number_hash=hashlib.sha256(str(i).encode()).hexdigest(), reference_number_issued_at=now,
                    registered_at=now if user else None, engagement_confirmed_at=now if user else None,
                    deceased_on=in_force_from if i % 997 == 500 else None,
                    # Fixed fees: the SIN is on file, encrypted (read back with every file the run loads).
                    remuneration_mode=RemunerationMode.FIXED_FEES if i % 10 == 5 else RemunerationMode.FEE_FOR_SERVICE,
                    sin=f"{46454000 + i:09d}" if i % 10 == 5 else "", sin_last3=f"{46454000 + i:09d}"[-3:] if i % 10 == 5 else "",
                ))
            Professional.objects.bulk_create(professionals)
            CorrespondenceAddress.objects.bulk_create([
                CorrespondenceAddress(professional=p, effective_from=in_force_from, recorded_at=now, in_force_recorded_at=now,
                                      **address(i))
                for i, p in zip(indexes, professionals, strict=True)
            ])
            account_rows = BillingAccount.objects.bulk_create([
                BillingAccount(professional=p, kind=AccountKind.PERSONAL, number=p.professional_number, name="Finances personnelles",
                               opened_at=now)
                for p in professionals
            ])
            StatementSettings.objects.bulk_create([
                StatementSettings(account=a, option=StatementOption.NONE, updated_at=now, paper_requested=i % 50 == 7, **address(i))
                for i, a in zip(indexes, account_rows, strict=True)
            ])
            payments = []
            for i, a in zip(indexes, account_rows, strict=True):
                if i % 3 == 0:
                    payments.append(PaymentSettings(
                        account=a, mode=PaymentMode.TRANSFER, institution=institution, transit="12345", bank_account=f"{i:07d}",
                        bank_account_last3=f"{i:07d}"[-3:], personal_account_confirmed=True, effective_from=in_force_from,
                        recorded_at=now, in_force_recorded_at=now,
                    ))
                    if i % 30 == 0:  # a new bank account, pending after the payment date
                        payments.append(PaymentSettings(
                            account=a, mode=PaymentMode.TRANSFER, institution=institution, transit="54321",
                            bank_account=f"9{i:06d}", bank_account_last3=f"9{i:06d}"[-3:], personal_account_confirmed=True,
                            effective_from=pending_from, recorded_at=now,
                        ))
                elif i % 3 == 1:
                    payments.append(PaymentSettings(account=a, mode=PaymentMode.CHEQUE, effective_from=in_force_from, recorded_at=now,
                                                    in_force_recorded_at=now))
            PaymentSettings.objects.bulk_create(payments)
            CorrespondencePreference.objects.bulk_create([
                CorrespondencePreference(professional=p, kind=CorrespondenceKind.PAYMENTS,
                                         channel=Channel.POST if i % 40 == 3 else Channel.SECURE_MESSAGING,
                                         effective_from=in_force_from, recorded_at=now, in_force_recorded_at=now)
                for i, p in zip(indexes, professionals, strict=True) if i % 20 == 3
            ])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # planner statistics, as a database in service has them
    return {"payment_date": payment_date.isoformat(), "accounts": accounts, "seconds": round(time.perf_counter() - started, 2)}


def setup_in_subprocess(accounts: int) -> dict:
    completed = subprocess.run(
        [sys.executable, __file__, "setup", "--accounts", str(accounts)], capture_output=True, text=True, cwd=REPO,
    )
    if completed.returncode != 0:
        raise BenchError(f"setup failed:\n{completed.stderr.strip()}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


# --- 2. The run ------------------------------------------------------------------------------------------------


class QueryCounter:
    """A connection.execute_wrapper that counts queries and their time; keeps no SQL text. A COPY
    (psycopg's `cursor.copy`) does not go through execute wrappers: `counting_copies` counts those."""

    def __init__(self):
        self.count = 0
        self.seconds = 0.0
        self.copies = 0

    @contextlib.contextmanager
    def counting_copies(self):
        import psycopg

        copy = psycopg.Cursor.copy
        counter = self

        @contextlib.contextmanager
        def counted(cursor, *args, **kwargs):
            counter.copies += 1
            with copy(cursor, *args, **kwargs) as writer:
                yield writer

        psycopg.Cursor.copy = counted  # instrumentation of this process only
        try:
            yield
        finally:
            psycopg.Cursor.copy = copy

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


def rss_mb() -> float:
    """The process's resident memory now (Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


class StopTracing(Exception):
    """Raised in place of a batch to stop a traced run: that batch rolls back, as when a worker stops."""


def _spread(values: list[float], digits: int = 3) -> dict:
    return {"first": round(values[0], digits), "median": round(statistics.median(values), digits),
            "max": round(max(values), digits), "last": round(values[-1], digits)} if values else {}


def _tenths(values: list[float]) -> list[float]:
    """Mean of each tenth of `values`, in order: does a batch cost more late in the run than early?"""
    if not values:
        return []
    parts = min(10, len(values))
    bounds = [len(values) * k // parts for k in range(parts + 1)]
    return [round(statistics.fmean(values[bounds[k]:bounds[k + 1]]), 3) for k in range(parts)]


def measured_run(payment_date: date, *, trace_batches: int | None = None) -> dict:
    """One payment run with the default batch size and balance source.

    Without `trace_batches`: the whole run, timed, with SQL queries counted and the RSS read after each
    batch. With it: under tracemalloc, peak Python memory of each batch (0: the whole run), the run
    stopped after that many batches; its time is not the run's (tracemalloc slows Python down ~4x).
    """
    from django.db import connection

    from notifications import payment_run

    trace = trace_batches is not None
    batches: list[dict] = []
    counter = QueryCounter()
    issue_batch = payment_run._issue_batch

    def instrumented_batch(run, professional_ids, balances_of):
        if trace and trace_batches and len(batches) >= trace_batches:
            raise StopTracing
        started, queries, copies = time.perf_counter(), counter.count, counter.copies
        result = issue_batch(run, professional_ids, balances_of)
        batch = {"files": len(professional_ids), "seconds": time.perf_counter() - started,
                 "queries": counter.count - queries, "copies": counter.copies - copies, "rss_mb": rss_mb()}
        if trace:
            batch["current_mb"], batch["peak_mb"] = (value / 2**20 for value in tracemalloc.get_traced_memory())
            tracemalloc.reset_peak()
        batches.append(batch)
        return result

    payment_run._issue_batch = instrumented_batch  # instrumentation of this process only
    gc.collect()
    rss_before, maxrss_before = rss_mb(), maxrss_mb()
    run = None
    try:
        with connection.execute_wrapper(counter), counter.counting_copies():
            if trace:
                tracemalloc.start()
            started = time.perf_counter()
            try:
                run = payment_run.issue(payment_date=payment_date)
            except StopTracing:
                pass
            seconds = time.perf_counter() - started
            if trace:
                tracemalloc.stop()
    finally:
        payment_run._issue_batch = issue_batch
    full = [b for b in batches if b["files"] == batches[0]["files"]] if batches else []  # not the shorter last one
    result = {
        "seconds": round(seconds, 2),
        "batches": len(batches),
        "files": sum(b["files"] for b in batches),
        "queries": counter.count,
        "copies": counter.copies,
        "batch_copies": _spread([b["copies"] for b in full], 0),
        "batch_queries": _spread([b["queries"] for b in full], 0),
        "db_seconds": round(counter.seconds, 2),
        "batch_seconds": _spread([b["seconds"] for b in full]),
        "batch_seconds_by_tenth": _tenths([b["seconds"] for b in full]),
        "rss_before_mb": round(rss_before, 1),
        "batch_rss_mb": _spread([b["rss_mb"] for b in batches], 1),
        "maxrss_before_mb": round(maxrss_before, 1),
        "maxrss_after_mb": round(maxrss_mb(), 1),
    }
    if trace:
        result["batch_peak_mb"] = _spread([b["peak_mb"] for b in batches], 1)
        result["batch_end_mb"] = _spread([b["current_mb"] for b in batches], 1)
        result["peak_mb"] = result["batch_peak_mb"].get("max", 0.0)
    else:
        if run is None or run.finished_at is None:
            raise BenchError("the payment run did not finish")
        result.update(statements=run.statements, deposit_notices=run.deposit_notices, printed=run.printed)
    return result


# --- 3. The raw baseline ----------------------------------------------------------------------------------------


def written_by_run(payment_date: date, since) -> dict:
    """The querysets of the rows a run of `payment_date` started at `since` wrote."""
    from notifications.models import DepositNotice, PrintItem, SecureMessage, Statement

    return {
        "Statement": Statement.objects.filter(payment_date=payment_date),
        "DepositNotice": DepositNotice.objects.filter(payment_date=payment_date),
        "SecureMessage": SecureMessage.objects.filter(created_at__gte=since),
        "PrintItem": PrintItem.objects.filter(created_at__gte=since, sending_date=payment_date),
    }


def columns(model) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields if not field.primary_key]


def vacuum(querysets: dict) -> None:
    from django.db import connection

    with connection.cursor() as cursor:  # outside a transaction: Django runs in autocommit here
        cursor.execute("VACUUM ANALYZE " + ", ".join(connection.ops.quote_name(qs.model._meta.db_table) for qs in querysets.values()))


def delete_rows(querysets: dict) -> None:
    for queryset in querysets.values():
        queryset.delete()  # one DELETE each: nothing references these rows (fast delete)
    vacuum(querysets)


def raw_baselines(payment_date: date, since, batches: int) -> dict:
    """Delete what the run wrote, insert the same rows with bulk_create (timed), delete them again, write
    them with COPY (timed), delete them again, insert them with INSERT ... SELECT from a temporary copy
    (timed). Leaves the rows in place."""
    from django.db import connection, transaction

    querysets = written_by_run(payment_date, since)
    snapshot, copies = {}, {}
    with connection.cursor() as cursor:
        for name, queryset in querysets.items():
            fields = columns(queryset.model)
            snapshot[name] = (queryset.model, fields, list(queryset.order_by("pk").values_list(*fields)))
            copies[name] = f"bench_copy_{queryset.model._meta.db_table}"
            sql, params = queryset.order_by("pk").values(*fields).query.sql_with_params()
            cursor.execute(f"DROP TABLE IF EXISTS {copies[name]}")
            cursor.execute(f"CREATE TEMPORARY TABLE {copies[name]} AS {sql}", params)
    counts = {name: len(rows) for name, (_, _, rows) in snapshot.items()}

    delete_rows(querysets)
    gc.collect()
    started = time.perf_counter()
    for batch in range(batches):
        with transaction.atomic():
            for model, fields, rows in snapshot.values():
                chunk = rows[batch * len(rows) // batches:(batch + 1) * len(rows) // batches]
                model.objects.bulk_create([model(**dict(zip(fields, row, strict=True))) for row in chunk])
    bulk_seconds = time.perf_counter() - started
    if {name: qs.count() for name, qs in querysets.items()} != counts:
        raise BenchError("the bulk_create baseline did not write the same number of rows")

    delete_rows(querysets)
    gc.collect()
    started = time.perf_counter()
    for batch in range(batches):
        with transaction.atomic(), connection.cursor() as cursor:
            for model, fields, rows in snapshot.values():
                chunk = rows[batch * len(rows) // batches:(batch + 1) * len(rows) // batches]
                if not chunk:
                    continue
                names = ", ".join(connection.ops.quote_name(model._meta.get_field(name).column) for name in fields)
                with cursor.copy(f"COPY {connection.ops.quote_name(model._meta.db_table)} ({names}) FROM STDIN") as copy:
                    for row in chunk:
                        copy.write_row(row)
    copy_seconds = time.perf_counter() - started
    if {name: qs.count() for name, qs in querysets.items()} != counts:
        raise BenchError("the COPY baseline did not write the same number of rows")
    del snapshot

    delete_rows(querysets)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for name, queryset in querysets.items():
            table, names = queryset.model._meta.db_table, ", ".join(columns(queryset.model))
            cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {copies[name]}")
    sql_seconds = time.perf_counter() - started
    if {name: qs.count() for name, qs in querysets.items()} != counts:
        raise BenchError("the INSERT ... SELECT baseline did not write the same number of rows")
    with connection.cursor() as cursor:
        for copy in copies.values():
            cursor.execute(f"DROP TABLE {copy}")
    return {"counts": counts, "bulk_create_seconds": round(bulk_seconds, 2), "copy_seconds": round(copy_seconds, 2),
            "insert_select_seconds": round(sql_seconds, 2)}


# --- The bench ---------------------------------------------------------------------------------------------------


def check(payment_date: date, since, run: dict) -> dict:
    """What the run must have written, whatever the timing; returns the row counts."""
    from comptes.constants import PaymentMode
    from comptes.models import BillingAccount, PaymentSettings

    counts = {name: qs.count() for name, qs in written_by_run(payment_date, since).items()}
    open_accounts = BillingAccount.objects.filter(closed_at__isnull=True).count()
    # Transfer payees on the payment date: the latest non-cancelled settings in force then is a transfer.
    in_force = PaymentSettings.objects.filter(cancelled_at__isnull=True, effective_from__lte=payment_date)
    latest = {}
    for account_id, mode in in_force.order_by("account_id", "effective_from", "recorded_at").values_list("account_id", "mode"):
        latest[account_id] = mode
    transfer_payees = sum(1 for mode in latest.values() if mode == PaymentMode.TRANSFER)
    problems = []
    if counts["Statement"] != open_accounts or run["statements"] != open_accounts:
        problems.append(f"{counts['Statement']} statements written, {run['statements']} counted, for {open_accounts} open accounts")
    if counts["DepositNotice"] != transfer_payees or run["deposit_notices"] != transfer_payees:
        problems.append(f"{counts['DepositNotice']} deposit notices written, {run['deposit_notices']} counted, "
                        f"for {transfer_payees} transfer payees")
    if counts["PrintItem"] != run["printed"]:
        problems.append(f"{counts['PrintItem']} print items written, {run['printed']} counted")
    if problems:
        raise BenchError("the payment run did not write what it must: " + "; ".join(problems))
    return {"accounts": open_accounts, **counts}


def reset_run(payment_date: date, since) -> None:
    """Forget a run (its rows and its record), so that the same run can be measured again."""
    from notifications.models import PaymentRun

    delete_rows(written_by_run(payment_date, since))
    PaymentRun.objects.filter(payment_date=payment_date).delete()


def bench(args: argparse.Namespace) -> int:
    print(f"Payment run: creating {args.accounts:,} professionals with their personal account "
          f"(own process, not timed) ...", flush=True)
    prepared = setup_in_subprocess(args.accounts)
    django_setup()
    from notifications.payment_run import BATCH_SIZE
    from ramq_portal import clock

    payment_date = date.fromisoformat(prepared["payment_date"])
    print(f"Setup took {prepared['seconds']:.1f} s. Payment date {payment_date}.", flush=True)

    since = clock.now()
    print("Timing payment_run.issue (default batch size) ...", flush=True)
    run = measured_run(payment_date)
    counts = check(payment_date, since, run)
    print(f"Run took {run['seconds']:.1f} s. Raw baselines: the same rows with bulk_create, with COPY, then INSERT ... SELECT ...",
          flush=True)
    raw = raw_baselines(payment_date, since, run["batches"])
    traced = None
    if args.trace_batches is not None:
        what = f"the first {args.trace_batches} batches" if args.trace_batches else "the whole run"
        print(f"Peak Python memory: the same run again under tracemalloc, {what} (slower: not timed) ...", flush=True)
        reset_run(payment_date, since)
        traced = measured_run(payment_date, trace_batches=args.trace_batches)

    result = {
        "accounts": counts["accounts"],
        "bench_accounts_created": args.accounts,
        "payment_date": payment_date.isoformat(),
        "batch_size": BATCH_SIZE,
        "statements": counts["Statement"],
        "deposit_notices": counts["DepositNotice"],
        "secure_messages": counts["SecureMessage"],
        "print_items": counts["PrintItem"],
        "rows": sum(raw["counts"].values()),
        "setup_seconds": prepared["seconds"],
        "run_seconds": run["seconds"],
        "raw_bulk_create_seconds": raw["bulk_create_seconds"],
        "ratio": round(run["seconds"] / raw["bulk_create_seconds"], 2) if raw["bulk_create_seconds"] else 0.0,
        "raw_copy_seconds": raw["copy_seconds"],
        "ratio_copy": round(run["seconds"] / raw["copy_seconds"], 2) if raw["copy_seconds"] else 0.0,
        "raw_insert_select_seconds": raw["insert_select_seconds"],
        "ratio_insert_select": round(run["seconds"] / raw["insert_select_seconds"], 1) if raw["insert_select_seconds"] else 0.0,
        "accounts_per_second": round(counts["accounts"] / run["seconds"], 1) if run["seconds"] else 0.0,
        "batches": run["batches"],
        "queries": run["queries"],
        "batch_queries": run["batch_queries"],
        "copies": run["copies"],
        "batch_copies": run["batch_copies"],
        "db_seconds": run["db_seconds"],
        "batch_seconds": run["batch_seconds"],
        "batch_seconds_by_tenth": run["batch_seconds_by_tenth"],
        "rss_before_mb": run["rss_before_mb"],
        "batch_rss_mb": run["batch_rss_mb"],
        "maxrss_before_mb": run["maxrss_before_mb"],
        "maxrss_after_mb": run["maxrss_after_mb"],
    }
    if traced is not None:
        result["tracemalloc"] = {
            "batches": traced["batches"], "files": traced["files"], "seconds": traced["seconds"],
            "peak_mb": traced["peak_mb"], "batch_peak_mb": traced["batch_peak_mb"], "batch_end_mb": traced["batch_end_mb"],
        }
        result["peak_mb"] = traced["peak_mb"]

    output = Path(args.output)
    try:
        existing = json.loads(output.read_text()) if output.exists() else {}
    except json.JSONDecodeError:
        existing = {}
    existing["payment_run"] = result
    output.write_text(json.dumps(existing, indent=2) + "\n")
    report(result)
    print(f"Section \"payment_run\" written to {args.output}.")
    return 0


def report(r: dict) -> None:
    peak = f"{r['peak_mb']:.1f}" if "peak_mb" in r else "-"
    print()
    print(f"Payment run of {r['payment_date']}: {r['batches']} batches of {r['batch_size']} files")
    print(f"{'accounts':>9} {'statements':>10} {'notices':>8} {'messages':>9} {'print':>8} "
          f"{'run s':>7} {'raw s':>7} {'ratio':>6} {'copy s':>7} {'ratio':>6} {'peak MB':>8}")
    print(f"{r['accounts']:>9,} {r['statements']:>10,} {r['deposit_notices']:>8,} {r['secure_messages']:>9,} "
          f"{r['print_items']:>8,} {r['run_seconds']:>7.1f} {r['raw_bulk_create_seconds']:>7.1f} {r['ratio']:>6.2f} "
          f"{r['raw_copy_seconds']:>7.1f} {r['ratio_copy']:>6.2f} {peak:>8}")
    print()
    print(f"raw s: bulk_create of the same {r['rows']:,} rows in as many batches, one transaction each, no loading or routing; "
          f"ratio = run s / raw s. copy s: the same rows, as tuples, with COPY in as many batches; ratio = run s / copy s. "
          f"One INSERT ... SELECT per table: {r['raw_insert_select_seconds']:.1f} s (run/that = {r['ratio_insert_select']:.0f}).")
    b, q, m = r["batch_seconds"], r["batch_queries"], r["batch_rss_mb"]
    print(f"Run: {r['accounts_per_second']:,.0f} accounts/s, {r['db_seconds']:.1f} s of {r['run_seconds']:.1f} s in SQL; "
          f"{r['queries']:,} queries, {q.get('median', 0):.0f} per batch (+3 around it), and {r['copies']:,} COPY, "
          f"{r['batch_copies'].get('median', 0):.0f} per batch; seconds per batch "
          f"first {b.get('first')}, median {b.get('median')}, max {b.get('max')}, last {b.get('last')}.")
    print(f"Seconds per batch, mean of each tenth of the run: {' '.join(f'{x:.2f}' for x in r['batch_seconds_by_tenth'])}.")
    print(f"Memory: RSS {r['rss_before_mb']:.0f} MB before the run, after each batch first {m.get('first')}, "
          f"max {m.get('max')}, last {m.get('last')} MB; ru_maxrss {r['maxrss_before_mb']:.0f} MB before, "
          f"{r['maxrss_after_mb']:.0f} MB after.")
    if "tracemalloc" in r:
        t = r["tracemalloc"]
        print(f"peak MB: tracemalloc over {t['batches']} batches ({t['files']:,} files) of the same run, traced apart "
              f"({t['seconds']:.0f} s): peak per batch first {t['batch_peak_mb'].get('first')}, max {t['batch_peak_mb'].get('max')} MB; "
              f"traced memory after each batch first {t['batch_end_mb'].get('first')}, last {t['batch_end_mb'].get('last')} MB.")
    print(f"Setup, not counted: {r['setup_seconds']:.0f} s.")


def trace_batches(value: str) -> int | None:
    """'off' (no traced pass), 'all' (the whole run, ~4x slower) or a number of batches."""
    value = value.strip().lower()
    if value in ("off", "no", "none", "false"):
        return None
    if value == "all":
        return 0
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("a number of batches (1 or more), 'all' or 'off'")
    return number


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", nargs="?", default="bench", choices=["bench", "setup"])
    parser.add_argument("--accounts", type=int, default=int(os.environ.get("BENCH_PAYMENT_RUN_ACCOUNTS", DEFAULT_ACCOUNTS)))
    parser.add_argument("--output", default=str(REPO / "bench-results.json"))
    parser.add_argument("--trace-batches", type=trace_batches, default=os.environ.get("BENCH_PAYMENT_RUN_TRACE_BATCHES", "10"),
                        help="batches of the tracemalloc pass: a number (10), 'all' or 'off'")
    args = parser.parse_args()
    if args.accounts < 1:
        parser.error("--accounts must be at least 1")
    try:
        if args.command == "setup":
            django_setup()
            print(json.dumps(setup(args.accounts)))
            return 0
        return bench(args)
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
