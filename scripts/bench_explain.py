#!/usr/bin/env python
"""`make bench`, EXPLAIN part: the plans of the queries the *Comptes de facturation* pages run (issue 14).

scripts/bench.sh runs it after the back-office load (1,000,000 files, each with its personal account,
and the large file), against the same throwaway PostgreSQL, with the same environment:

    python scripts/bench_explain.py --output bench-results.json

For the demo dentist and the large professional (LARGE_FILE_USERNAME of generate_backoffice_load: 50
accounts), each page of the tab is rendered in process with Django's test client, its SQL captured and
every SELECT explained (guichet.explain). A query "reads a large table whole" when its plan has a Seq
Scan on a table of at least guichet.explain.LARGE_TABLE_ROWS rows (the planner's estimate after the
load's ANALYZE).

Prints a table (page, queries, tables read whole) and adds an "explain" section to the JSON output (its
other content is kept): the table sizes, and per professional and page the status, each query's SQL
(shortened) and plan, and the large tables read whole. It is a report: it fails only when a page does
not answer 200 or a professional is missing.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEMO_USERNAME = "dentiste.demo"  # demo/data.py
SQL_SHOWN = 400


def django_setup() -> None:
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ramq_portal.settings")
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        raise SystemExit("bench_explain: DATABASE_URL must name a PostgreSQL database (EXPLAIN plans are PostgreSQL's)")
    import django

    django.setup()


def run(output: Path) -> int:
    django_setup()
    from django.conf import settings

    from dossier.models import Professional
    from guichet import explain
    from guichet.management.commands.generate_backoffice_load import LARGE_FILE_USERNAME

    host = next((h for h in settings.ALLOWED_HOSTS if h and h != "*" and not h.startswith(".")), "127.0.0.1")
    started = time.perf_counter()
    rows = explain.table_rows()
    section: dict = {
        "large_table_rows": explain.LARGE_TABLE_ROWS,
        "tables": {name: rows[name] for name in sorted(rows) if rows[name] >= explain.LARGE_TABLE_ROWS},
        "professionals": {},
    }
    problems = []
    print(f"\nEXPLAIN of the Comptes pages (a table of {explain.LARGE_TABLE_ROWS:,} rows or more read whole is reported)")
    print(f"{'professional':<22} {'page':<26} {'status':>6} {'queries':>7}  large tables read whole (Seq Scan)")
    for username in (DEMO_USERNAME, LARGE_FILE_USERNAME):
        professional = Professional.objects.select_related("user").filter(user__username=username).first()
        if professional is None:
            problems.append(f"{username}: no such professional")
            section["professionals"][username] = None
            continue
        pages = explain.explain_comptes_pages(professional, host=host)
        section["professionals"][username] = {
            "accounts": explain.comptes_accounts(professional).count(),
            "pages": [
                {
                    "name": page.name, "url": page.url, "status": page.status, "queries": len(page.queries),
                    "large_seq_scans": page.large_seq_scans,
                    "plans": [
                        {"sql": q.sql[:SQL_SHOWN] + ("…" if len(q.sql) > SQL_SHOWN else ""), "plan": q.plan, "seq_scans": q.seq_scans,
                         "large_seq_scans": q.large_seq_scans}
                        for q in page.queries
                    ],
                }
                for page in pages
            ],
        }
        for page in pages:
            if page.status != 200:
                problems.append(f"{username} {page.url}: status {page.status}")
            print(f"{username:<22} {page.name:<26} {page.status:>6} {len(page.queries):>7}  {', '.join(page.large_seq_scans) or 'none'}")
    large = sorted({t for who in section["professionals"].values() if who for p in who["pages"] for t in p["large_seq_scans"]})
    section["large_seq_scans"] = large
    section["seconds"] = round(time.perf_counter() - started, 2)
    print(f"Large tables read whole by a Comptes query: {', '.join(large) or 'none'} ({section['seconds']:.1f} s)")

    try:
        existing = json.loads(output.read_text()) if output.exists() else {}
    except json.JSONDecodeError:
        existing = {}
    existing["explain"] = section
    output.write_text(json.dumps(existing, indent=2, ensure_ascii=False) + "\n")
    print(f"Section \"explain\" written to {output}.")
    for problem in problems:
        print(f"bench_explain: {problem}", file=sys.stderr)
    return 1 if problems else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default=str(REPO / "bench-results.json"))
    return run(Path(parser.parse_args().output))


if __name__ == "__main__":
    sys.exit(main())
