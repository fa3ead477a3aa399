#!/usr/bin/env python
"""`make bench`: load each page of the file with wrk, count its SQL queries, compare with a bare view.

scripts/bench.sh starts the servers (throwaway PostgreSQL and Redis, gunicorn with production-like
settings) and then runs:

    python scripts/bench.py run --base-url http://127.0.0.1:PORT --output bench-results.json

which signs in as the demo dentist over HTTP (and as the demo agent through the admin's login form,
for the staff pages: the request queue over the back-office load that bench.sh generates first,
1,000,000 files and 200,000 requests), loads every page of PAGES with wrk for a bounded time, counts
each page's SQL queries in a separate Django process (`count-queries`, below), prints a table and
writes the JSON results. Each page is measured in `--rounds` separate wrk runs (3) and its best run
kept: each run opens its connections anew, and gunicorn's workers keep a connection for its whole
life, so how the connections fall on the two workers (two on each, three and one, or all four on one)
changes a run's throughput by up to twice. With `--server-pid` (gunicorn's master, as bench.sh passes
it) each run also reads the CPU time each worker spent during it (/proc): a run in which one worker
did less than nine tenths of the other's work (`EVEN`: three connections on one worker and one on the
other already cost 8%) is **uneven**, not counted, and run again (`TRIES` per round);
the table says when a page had no even run. Without it, the best of the runs is kept, which misses a
page whose every run fell on one worker. The rounds are interleaved (every page once, then every page
again), so that a burst of noise on the machine costs one run of several pages, not all of one's.

It is a benchmark: nothing here asserts on timing. It fails only when a page does not answer 200 (the
numbers would then measure an error or a redirect).

The file is written afresh, keyed by page path; scripts/bench_payment_run.py, run next by bench.sh,
then adds its "payment_run" section to it.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# The demo dentist of `load_demo_data` (demo/data.py).
USERNAME = "dentiste.demo"
PASSWORD = "Dentiste-2026"
SIGN_IN_PATH = "/connexion/"
# The demo agent (demo/data.py STAFF), for the staff pages, signed in through the admin's form.
STAFF_USERNAME = "agent.demo"
STAFF_PASSWORD = "Agent-2026"
STAFF_SIGN_IN_PATH = "/admin/login/"
# The large file of `generate_backoffice_load --large-file` (guichet/management/commands/generate_backoffice_load.py).
LARGE_USERNAME = "dentiste.volumineux"
LARGE_PASSWORD = "Volumineux-Dossier-2026!"
QUEUE = "/admin/dossier/request/"


@dataclass(frozen=True)
class Page:
    # may hold {professional_number}, {account}, {large_account}: resolved from the database (`count-queries`)
    path: str
    signed_in: bool = True  # loaded with a session cookie: the demo dentist's unless `who` says otherwise
    staff: bool = False  # the demo agent's session cookie instead
    large: bool = False  # the large file's (generate_backoffice_load --large-file) instead
    kind: str = "read"  # what issue 14 asks of it: read >= 0.25x, form >= 0.10x, admin >= 0.05x

    @property
    def who(self) -> str:
        return "agent" if self.staff else "large" if self.large else "dentist"


# The pages measured, in order; the first is the baseline every ratio divides by. Add a page of
# the file by adding a line here.
PAGES = [
    Page("/healthz", signed_in=False, kind="floor"),  # baseline: a bare Django view, no session
    Page("/session/", kind="floor"),  # a signed-in bare view: the framework's floor with a session
    Page("/profil/"),
    Page("/comptes/"),
    Page("/comptes/{account}/"),
    Page("/messagerie/"),
    Page("/profil/historique/"),
    Page("/profil/correspondance/", kind="form"),
    Page("/profil/pratique/", kind="form"),
    Page("/profil/preferences/", kind="form"),
    Page("/comptes/{account}/paiement/", kind="form"),
    # The large file: 50 places, 50 accounts, 500 messages, 450 changes (within 1.5x of the demo dentist's).
    Page("/profil/?volumineux", large=True),
    Page("/comptes/?volumineux", large=True),
    Page("/comptes/{large_account}/?volumineux", large=True),
    Page("/messagerie/?volumineux", large=True),
    Page("/profil/historique/?volumineux", large=True),
    Page("/profil/pratique/?volumineux", large=True, kind="form"),
    # The request queue (STF-1) as staff, over 200,000 requests: its first page, the search by
    # professional number (a file that has requests), the overdue filter, a search by the start of a
    # common last name (thousands of files match).
    Page(QUEUE, staff=True, kind="admin"),
    Page(QUEUE + "?q={professional_number}", staff=True, kind="admin"),
    Page(QUEUE + "?echeance=depassee", staff=True, kind="admin"),
    Page(QUEUE + "?q=Trem", staff=True, kind="admin"),
]
BASELINE = PAGES[0]
TARGETS = {"read": 0.25, "form": 0.10, "admin": 0.05, "floor": None}

# wrk prints its summary through this Lua `done()` as one JSON line (latencies in microseconds).
WRK_SCRIPT = r"""
done = function(summary, latency, requests)
  local seconds = summary.duration / 1000000
  io.write(string.format(
    'BENCH-JSON {"requests": %d, "seconds": %.6f, "rps": %.3f, "p50_us": %d, "p95_us": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50), latency:percentile(95),
    summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout))
end
"""


class BenchError(Exception):
    pass


# --- HTTP (standard library only) -------------------------------------------------------------------


class Browser:
    """A minimal cookie-keeping HTTP client that never follows redirects."""

    def __init__(self, base_url: str):
        parts = urllib.parse.urlsplit(base_url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, dict, str]:
        headers = {"Host": f"{self.host}:{self.port}", "Accept-Language": "fr"}
        if self.cookies:
            headers["Cookie"] = self.cookie_header()
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(self.host, self.port, timeout=10)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for raw in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(raw).items():
                    if morsel["max-age"] == "0":
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return response.status, dict(response.headers), text
        finally:
            connection.close()

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())


def wait_until_up(browser: Browser, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            status, _, _ = browser.request("GET", BASELINE.path)
            if status == 200:
                return
            last_error = BenchError(f"{BASELINE.path} answered {status}")
        except OSError as error:
            last_error = error
        time.sleep(0.2)
    raise BenchError(f"the server did not come up within {timeout:.0f} s: {last_error}")


def sign_in(browser: Browser, path: str = SIGN_IN_PATH, username: str = USERNAME, password: str = PASSWORD,
            extra: dict | None = None) -> None:
    status, _, page = browser.request("GET", path)
    match = re.search(r'name="csrfmiddlewaretoken"\s+value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"\s+name="csrfmiddlewaretoken"', page
    )
    if status != 200 or not match:
        raise BenchError(f"GET {path} answered {status} without a CSRF token")
    status, headers, _ = browser.request(
        "POST",
        path,
        {"csrfmiddlewaretoken": match.group(1), "username": username, "password": password, **(extra or {})},
    )
    if status != 302 or "sessionid" not in browser.cookies:
        raise BenchError(f"sign-in as {username} failed: POST {path} answered {status}")


def sign_in_staff(browser: Browser) -> None:
    """The demo agent, through the admin's own login form (CSRF token, then POST)."""
    sign_in(browser, STAFF_SIGN_IN_PATH, STAFF_USERNAME, STAFF_PASSWORD, {"next": "/admin/"})


# --- wrk ------------------------------------------------------------------------------------------------

# A run is even when the least busy worker did at least this share of the busiest one's CPU work: two
# connections on each worker measure 0.93 to 1.0; three on one and one on the other, 0.85 to 0.87 (the
# lone connection's worker idles between its requests: 8% fewer requests, and a p95 half as long again).
EVEN = 0.9
# wrk runs tried per page and round until one is even: each worker gets two of the four connections in
# 3 runs out of 8 (the kernel spreads them by address), so 6 tries find one 94% of the time.
TRIES = 6
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def workers_of(master_pid: int) -> list[int]:
    """The processes whose parent is gunicorn's master: its workers."""
    workers = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue  # ended meanwhile
            if int(fields[1]) == master_pid:  # ppid, the fourth field of stat
                workers.append(int(entry.name))
    return sorted(workers)


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far (utime and stime of /proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def evenness(before: dict[int, float], after: dict[int, float]) -> float | None:
    """The least busy worker's CPU work during a run over the busiest one's (1.0: shared evenly), or
    None when it cannot be told (one worker, or nothing measured)."""
    spent = [after[pid] - before[pid] for pid in before if pid in after]
    if len(spent) < 2 or max(spent) <= 0:
        return None
    return min(spent) / max(spent)


def run_wrk(url: str, *, cookie: str | None, seconds: int, connections: int, threads: int, script: Path) -> dict:
    command = [
        "wrk", f"--threads={threads}", f"--connections={connections}", f"--duration={seconds}s",
        "--timeout=10s", f"--script={script}", "--header=Accept-Language: fr",
    ]
    if cookie:
        command.append(f"--header=Cookie: {cookie}")
    command.append(url)
    completed = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    if completed.returncode != 0:
        raise BenchError(f"wrk failed on {url}: {completed.stderr.strip() or completed.stdout.strip()}")
    for line in completed.stdout.splitlines():
        if line.startswith("BENCH-JSON "):
            return json.loads(line.removeprefix("BENCH-JSON "))
    raise BenchError(f"wrk printed no summary for {url}:\n{completed.stdout}")


# --- SQL queries per request (run in its own process: `bench.py count-queries`) -------------------------


def resolve_paths() -> dict[str, str]:
    """Each page's path with its placeholder filled from the database: {professional_number} is the
    number of the file of the middle request of the back-office load (one that has requests)."""
    from django.db.models import Max, Min

    from guichet.management.commands.generate_backoffice_load import PROFESSION_PREFIX
    from dossier.models import Request

    generated = Request.objects.filter(professional__profession__code__startswith=PROFESSION_PREFIX)
    bounds = generated.aggregate(low=Min("pk"), high=Max("pk"))
    number = None
    if bounds["low"] is not None:
        number = generated.filter(pk__gte=(bounds["low"] + bounds["high"]) // 2).order_by("pk").values_list(
            "professional__professional_number", flat=True).first()
    from comptes.models import BillingAccount

    def first_account(username):
        return BillingAccount.objects.filter(professional__user__username=username).order_by("pk").values_list("pk", flat=True).first()

    values = {"professional_number": number, "account": first_account(USERNAME), "large_account": first_account(LARGE_USERNAME)}
    paths = {}
    for page in PAGES:
        missing = [name for name, value in values.items() if "{" + name + "}" in page.path and value is None]
        if missing:
            raise BenchError(f"{page.path}: nothing in the database for {missing} (manage.py generate_backoffice_load --large-file)")
        paths[page.path] = page.path.format(**values) if "{" in page.path else page.path
    return paths


def count_queries(host: str) -> dict:
    """Queries of one request to each page, steady state, in this (separate) Django process; and the
    pages' resolved paths (resolve_paths).

    Each page is requested once before the measured request, so that per-process warm-up (content
    types, translations, compiled templates) is not counted: a long-lived gunicorn worker has paid
    it already. CaptureQueriesContext records queries even with DEBUG off.
    """
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ramq_portal.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    users = {who: get_user_model().objects.get(username=name)
             for who, name in (("dentist", USERNAME), ("agent", STAFF_USERNAME), ("large", LARGE_USERNAME))}
    paths = resolve_paths()
    from ramq_portal import filecache

    counts: dict[str, int] = {}
    cold_counts: dict[str, int] = {}
    for page in PAGES:
        client = Client(HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE="fr")
        if page.signed_in:
            client.force_login(users[page.who], backend="ramq_portal.auth_backends.CachedModelBackend")
        client.get(paths[page.path])
        # After a change to any file (the shared version bumped), the page reads its rows again: "cold".
        filecache.bump([filecache.EVERY_FILE])
        with CaptureQueriesContext(connection) as cold:
            client.get(paths[page.path])
        with CaptureQueriesContext(connection) as captured:
            response = client.get(paths[page.path])
        if not 200 <= response.status_code < 300:
            raise BenchError(f"{paths[page.path]} answered {response.status_code} to the test client")
        counts[page.path] = len(captured.captured_queries)
        cold_counts[page.path] = len(cold.captured_queries)
    return {"paths": paths, "queries": counts, "queries_cold": cold_counts}


def count_queries_in_subprocess(host: str) -> dict:
    completed = subprocess.run(
        [sys.executable, __file__, "count-queries", "--host", host],
        capture_output=True, text=True, timeout=300, cwd=REPO,
    )
    if completed.returncode != 0:
        raise BenchError(f"counting queries failed:\n{completed.stderr.strip()}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


# --- The run ----------------------------------------------------------------------------------------------


def measure_once(url: str, cookie: str | None, args: argparse.Namespace, script: Path) -> list[dict]:
    """One wrk run of the page, marked even or not (`evenness`) when the server's workers are known; an
    uneven run is run again, TRIES times at most. Returns every run made."""
    runs: list[dict] = []
    while len(runs) < TRIES and (not runs or runs[-1]["even"] is False):
        workers = workers_of(args.server_pid) if args.server_pid else []
        before = {pid: cpu_seconds(pid) for pid in workers}
        run = run_wrk(url, cookie=cookie, seconds=args.duration, connections=args.connections,
                      threads=args.threads, script=script)
        share = evenness(before, {pid: cpu_seconds(pid) for pid in workers if Path(f"/proc/{pid}").exists()})
        run["evenness"] = None if share is None else round(share, 2)
        run["even"] = None if share is None else share >= EVEN
        if run["even"] is False:
            print(f"  {url}: uneven run ({run['rps']:.0f} rps; least busy worker at {share:.0%} of the busiest): "
                  "run again", flush=True)
        runs.append(run)
    return runs


def run(args: argparse.Namespace) -> int:
    if not shutil.which("wrk"):
        raise BenchError("wrk is not installed (Debian package wrk; scripts/bench.sh installs it)")
    browser = Browser(args.base_url)
    print(f"Waiting for {args.base_url}{BASELINE.path} ...", flush=True)
    wait_until_up(browser)
    sign_in(browser)
    print(f"Signed in as {USERNAME}.", flush=True)
    staff_browser = Browser(args.base_url)
    sign_in_staff(staff_browser)
    print(f"Signed in to the admin as {STAFF_USERNAME}.", flush=True)
    large_browser = Browser(args.base_url)
    sign_in(large_browser, username=LARGE_USERNAME, password=LARGE_PASSWORD)
    print(f"Signed in as {LARGE_USERNAME} (the large file).", flush=True)
    signed_in = {"dentist": browser, "agent": staff_browser, "large": large_browser}  # by Page.who

    print("Counting SQL queries per request (separate Django process) ...", flush=True)
    counted = count_queries_in_subprocess(browser.host)
    paths, queries, queries_cold = counted["paths"], counted["queries"], counted["queries_cold"]

    for page in PAGES:  # every page must answer 200 before it is measured
        probe = Browser(args.base_url)
        if page.signed_in:
            probe.cookies = dict(signed_in[page.who].cookies)
        status, headers, _ = probe.request("GET", paths[page.path])
        if not 200 <= status < 300:
            raise BenchError(f"GET {paths[page.path]} answered {status} (Location: {headers.get('Location', '-')})")

    measured: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "report.lua"
        script.write_text(WRK_SCRIPT)
        urls = {page.path: args.base_url.rstrip("/") + paths[page.path] for page in PAGES}
        cookies = {page.path: signed_in[page.who].cookie_header() if page.signed_in else None for page in PAGES}
        if args.warmup > 0:
            print(f"Warming up each page for {args.warmup} s ...", flush=True)
            for page in PAGES:
                run_wrk(urls[page.path], cookie=cookies[page.path], seconds=args.warmup, connections=args.connections,
                        threads=args.threads, script=script)
        # Rounds interleaved (every page once, then every page again...), as bench_cpu.py does: a burst of
        # noise on the machine then costs one run of several pages, not every run of one page.
        runs: dict[str, list[dict]] = {page.path: [] for page in PAGES}
        for number in range(1, max(1, args.rounds) + 1):
            print(f"Round {number} of {args.rounds}: each page for {args.duration} s, {args.connections} connections ...",
                  flush=True)
            for page in PAGES:
                runs[page.path] += measure_once(urls[page.path], cookies[page.path], args, script)
        for path, made in runs.items():
            even = [run for run in made if run["even"] is not False]
            measured[path] = {**max(even or made, key=lambda run: run["rps"]), "requests": sum(run["requests"] for run in made),
                              "errors": {kind: sum(run["errors"][kind] for run in made) for kind in made[0]["errors"]},
                              "uneven_runs": len(made) - len(even)}

    baseline_rps = measured[BASELINE.path]["rps"]
    results = {
        page.path: {
            "rps": round(measured[page.path]["rps"], 1),
            "p50_ms": round(measured[page.path]["p50_us"] / 1000, 2),
            "p95_ms": round(measured[page.path]["p95_us"] / 1000, 2),
            "queries": queries[page.path],
            "queries_cold": queries_cold[page.path],
            "ratio": round(measured[page.path]["rps"] / baseline_rps, 3) if baseline_rps else 0.0,
            "evenness": measured[page.path]["evenness"], "uneven_runs": measured[page.path]["uneven_runs"],
            **({"url": paths[page.path]} if paths[page.path] != page.path else {}),
            **({"as": STAFF_USERNAME} if page.staff else {"as": LARGE_USERNAME} if page.large else {}),
            "kind": page.kind, "target": TARGETS[page.kind],
        }
        for page in PAGES
    }
    Path(args.output).write_text(json.dumps(results, indent=2) + "\n")

    print()
    width = max(16, *(len(path) for path in results))
    print(f"{'page':<{width}} {'rps':>9} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'cold':>5} {'ratio':>7} {'target':>7}")
    for path, row in results.items():
        target = "" if row["target"] is None else f">={row['target']:.2f}" + ("" if row["ratio"] >= row["target"] else " !")
        uneven = "  (no even run: workers shared it unevenly)" if row["evenness"] is not None and row["evenness"] < EVEN else ""
        print(f"{path:<{width}} {row['rps']:>9.1f} {row['p50_ms']:>8.2f} {row['p95_ms']:>8.2f} "
              f"{row['queries']:>8d} {row['queries_cold']:>5d} {row['ratio']:>7.3f} {target:>7}{uneven}")
    for path, row in results.items():
        if "url" in row:
            print(f"{path}: measured at {row['url']}")
    if any(page.staff for page in PAGES):
        print(f"/admin/ pages: signed in as {STAFF_USERNAME}, over the back-office load (generate_backoffice_load).")
    print(f"\nratio = page rps / {BASELINE.path} rps; queries: per request as measured (pages of the file from their"
          f" page cache), cold: the first request after a change. Results written to {args.output}.")

    status = 0
    for path, raw in measured.items():
        errors = {kind: count for kind, count in raw["errors"].items() if count}
        if errors:
            print(f"warning: {path}: wrk errors {errors} out of {raw['requests']} requests", file=sys.stderr)
            if errors.get("status"):
                status = 1  # answers other than 2xx/3xx under load: the numbers are not the page's
    return status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="benchmark a running server")
    run_parser.add_argument("--base-url", required=True)
    run_parser.add_argument("--output", default=str(REPO / "bench-results.json"))
    run_parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_SECONDS", "4")))
    run_parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", "3")))
    run_parser.add_argument("--warmup", type=int, default=int(os.environ.get("BENCH_WARMUP_SECONDS", "2")))
    run_parser.add_argument("--connections", type=int, default=int(os.environ.get("BENCH_CONNECTIONS", "4")))
    run_parser.add_argument("--threads", type=int, default=int(os.environ.get("BENCH_WRK_THREADS", "1")))
    run_parser.add_argument("--server-pid", type=int, default=0,
                            help="gunicorn's master process: uneven runs across its workers are run again")
    count_parser = commands.add_parser("count-queries", help="print SQL queries per page as JSON")
    count_parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    try:
        if args.command == "count-queries":
            print(json.dumps(count_queries(args.host)))
            return 0
        return run(args)
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
