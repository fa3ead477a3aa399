#!/usr/bin/env python
"""`make bench`, in-process part: CPU time per request of each page, against `/healthz` in the same run.

scripts/bench.sh runs it with the production-like environment it sets up (DEBUG off, cached template
loader, PostgreSQL and Redis), after scripts/bench.py (wrk over HTTP):

    python scripts/bench_cpu.py --output bench-results.json

Each page is requested through Django's own WSGI handler (the code gunicorn calls, without the
socket), with the session cookie of a real sign-in, first a few times to warm up and then for a fixed
number of requests; the CPU time of this process (`time.process_time`, which includes the database
client's work but not the database server's) per request is reported, and the ratio of `/healthz`'s
CPU time to the page's: the throughput a CPU-bound server would get on that page, as a fraction of
the bare view's. Pages are measured twice, interleaved (page A, B, ..., then A, B, ... again) and the
lower figure kept, so that a burst of noise on the machine does not count against one page.

The pages are those of the demo dentist (the professional's file, the edit forms, the wizard's steps
for a newcomer who has filled them), of the large file when `generate_backoffice_load --large-file`
created it, and the request queue in the admin as the demo agent. Everything the measurement writes
(the wizard's draft, a step's `current_step`) is rolled back at the end. It is a benchmark: nothing
here asserts on timing. It fails only when a page does not answer 2xx.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ramq_portal.settings")


@dataclass(frozen=True)
class Page:
    label: str
    path: str  # may hold {account}, {message}, {large_account}
    who: str  # "anonymous", "dentist", "newcomer", "large", "agent"
    kind: str  # "read", "form", "wizard", "admin", "floor"


PAGES = [
    Page("healthz (baseline)", "/healthz", "anonymous", "floor"),
    Page("signed-in bare view", "/session/", "dentist", "floor"),
    Page("Profil", "/profil/", "dentist", "read"),
    Page("Comptes", "/comptes/", "dentist", "read"),
    Page("Compte", "/comptes/{account}/", "dentist", "read"),
    Page("Messagerie", "/messagerie/", "dentist", "read"),
    Page("Message", "/messagerie/{message}/", "dentist", "read"),
    Page("Historique", "/profil/historique/", "dentist", "read"),
    Page("edit correspondence", "/profil/correspondance/", "dentist", "form"),
    Page("edit practice", "/profil/pratique/", "dentist", "form"),
    Page("edit preferences", "/profil/preferences/", "dentist", "form"),
    Page("edit payment", "/comptes/{account}/paiement/", "dentist", "form"),
    Page("edit statement", "/comptes/{account}/etat-de-compte/", "dentist", "form"),
    Page("write to the Régie", "/messagerie/ecrire/", "dentist", "form"),
    *(Page(f"wizard step {n}", f"/inscription/etapes/{n}/", "newcomer", "wizard") for n in range(1, 7)),
    Page("wizard summary", "/inscription/recapitulatif/", "newcomer", "wizard"),
    Page("large: Profil", "/profil/", "large", "read"),
    Page("large: Comptes", "/comptes/", "large", "read"),
    Page("large: Compte", "/comptes/{large_account}/", "large", "read"),
    Page("large: Messagerie", "/messagerie/", "large", "read"),
    Page("large: Historique", "/profil/historique/", "large", "read"),
    Page("large: edit practice", "/profil/pratique/", "large", "form"),
    Page("admin: request queue", "/admin/dossier/request/", "agent", "admin"),
    Page("admin: queue, overdue", "/admin/dossier/request/?echeance=depassee", "agent", "admin"),
]
# What issue 14 asks of each kind of page, as a fraction of /healthz's throughput.
TARGETS = {"read": 0.25, "form": 0.10, "wizard": 0.10, "admin": 0.05, "floor": None}


class BenchError(Exception):
    pass


def _wsgi_call(handler, path: str, cookie: str, host: str) -> tuple[int, int]:
    """One GET through the WSGI handler; returns (status, body bytes)."""
    path_info, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path_info, "QUERY_STRING": query, "SCRIPT_NAME": "",
        "SERVER_NAME": host, "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_HOST": host,
        "HTTP_ACCEPT_LANGUAGE": "fr", "HTTP_COOKIE": cookie, "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.input": BytesIO(b""), "wsgi.errors": sys.stderr,
        "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False,
    }
    status = []
    body = handler(environ, lambda s, headers, exc_info=None: status.append(s))
    size = sum(len(chunk) for chunk in body)
    if hasattr(body, "close"):
        body.close()
    return int(status[0].split()[0]), size


def _measure(handler, path: str, cookie: str, host: str, requests: int) -> float:
    started = time.process_time()
    for _ in range(requests):
        _wsgi_call(handler, path, cookie, host)
    return (time.process_time() - started) / requests


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", default="")
    parser.add_argument("--requests", type=int, default=int(os.environ.get("BENCH_CPU_REQUESTS", "60")))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--only", default="", help="measure only the pages whose label contains this")
    args = parser.parse_args()

    import django

    django.setup()
    from scripts.bench_setup import sessions  # the signed-in people and the ids of the pages
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections, transaction

    handler = WSGIHandler()

    pages = [page for page in PAGES if args.only.lower() in page.label.lower() or page.kind == "floor" and not args.only]
    if args.only:
        pages = [PAGES[0], *pages]
    results: dict[str, dict] = {}
    with transaction.atomic():
        who, ids = sessions(args.host)
        # As Django's test client does: the measurement runs in one transaction (rolled back at the
        # end), which the end of each request must not close. A gunicorn worker keeps its connection
        # too (CONN_MAX_AGE), so nothing is measured away. (After `sessions`, whose test client
        # connects them again after each of its requests.)
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        pages = [page for page in pages if page.who in who]
        paths = {page.label: page.path.format(**ids) for page in pages}
        for page in pages:  # warm-up, and every page must answer 2xx
            for _ in range(5):
                status, _size = _wsgi_call(handler, paths[page.label], who[page.who], args.host)
            if not 200 <= status < 300:
                raise BenchError(f"{page.label}: GET {paths[page.label]} answered {status}")
        best: dict[str, float] = {}
        for _round in range(2):
            for page in pages:
                cpu = _measure(handler, paths[page.label], who[page.who], args.host, args.requests)
                best[page.label] = min(best.get(page.label, cpu), cpu)
        transaction.set_rollback(True)

    floor = best[PAGES[0].label]
    for page in pages:
        ratio = floor / best[page.label]
        target = TARGETS[page.kind]
        results[page.label] = {
            "path": paths[page.label], "cpu_ms": round(best[page.label] * 1000, 3), "ratio": round(ratio, 3),
            "target": target, "meets_target": None if target is None else ratio >= target,
        }
    width = max(len(label) for label in results)
    print(f"\nIn-process CPU per request ({args.requests} requests, best of 2 rounds); ratio = /healthz CPU / page CPU")
    print(f"{'page':<{width}} {'CPU ms':>8} {'ratio':>7} {'target':>7}")
    for label, row in results.items():
        target = "" if row["target"] is None else f">={row['target']:.2f}{'' if row['meets_target'] else ' !'}"
        print(f"{label:<{width}} {row['cpu_ms']:>8.2f} {row['ratio']:>7.3f} {target:>7}")
    if args.output:
        output = Path(args.output)
        data = json.loads(output.read_text()) if output.exists() else {}
        data["cpu_per_request"] = results
        output.write_text(json.dumps(data, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as error:
        print(f"bench_cpu: {error}", file=sys.stderr)
        sys.exit(1)
