"""EXPLAIN of the queries the *Comptes de facturation* pages really run (issue 14), on PostgreSQL.

Each page of the tab is rendered in process with Django's test client, as a signed-in professional,
its SQL captured (CaptureQueriesContext) and each SELECT explained. A plan reads a large table whole
when it has a `Seq Scan on <table>` of a table with at least LARGE_TABLE_ROWS rows (the planner's own
estimate, pg_class.reltuples, up to date after ANALYZE): a sequential scan of a table of a few hundred
rows is the right plan and is not reported as a problem.

Used by scripts/bench_explain.py (after the back-office load of scripts/bench.sh) and by
tests/comptes/test_comptes_scale.py.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comptes.constants import AccountKind
from comptes.models import BillingAccount
from comptes.selectors import account_ids_of
from dossier.models import Professional
from ramq_portal import filecache

LARGE_TABLE_ROWS = 10_000
SEQ_SCAN = re.compile(r"Seq Scan on (\w+)")


@dataclass
class ExplainedQuery:
    sql: str
    plan: str
    seq_scans: list[str]  # tables read whole
    large_seq_scans: list[str]  # those with at least LARGE_TABLE_ROWS rows


@dataclass
class ExplainedPage:
    name: str
    url: str
    status: int
    queries: list[ExplainedQuery] = field(default_factory=list)

    @property
    def large_seq_scans(self) -> list[str]:
        return sorted({table for query in self.queries for table in query.large_seq_scans})


def table_rows() -> dict[str, int]:
    """The planner's row count of every table of the public schema."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, c.reltuples::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'r' AND n.nspname = current_schema()"
        )
        return {name: max(rows, 0) for name, rows in cursor.fetchall()}


def explain(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def comptes_accounts(professional: Professional):
    """The open accounts the professional holds or belongs to (what the tab lists)."""
    return BillingAccount.objects.filter(pk__in=account_ids_of(professional), closed_at__isnull=True)


def comptes_pages(professional: Professional) -> list[tuple[str, str]]:
    """The tab's pages for this professional: the list, the personal account's page and edit pages, and
    the page of an administrative account (one joined, when there is one: found through the memberships)."""
    accounts = comptes_accounts(professional)
    personal = accounts.get(kind=AccountKind.PERSONAL, professional=professional)
    other = accounts.exclude(professional=professional).order_by("pk").first() or accounts.exclude(pk=personal.pk).order_by("pk").first()
    pages = [
        ("accounts", reverse("comptes:accounts")),
        ("account (personal)", reverse("comptes:account", args=[personal.pk])),
        ("edit_payment", reverse("comptes:edit_payment", args=[personal.pk])),
        ("edit_statement", reverse("comptes:edit_statement", args=[personal.pk])),
    ]
    if other is not None:
        pages.append(("account (administrative)", reverse("comptes:account", args=[other.pk])))
    return pages


def explain_comptes_pages(professional: Professional, *, host: str = "127.0.0.1") -> list[ExplainedPage]:
    """Render each page (once to warm the caches, once captured, as after a change to the file: the
    file's page cache is bumped in between, so that the page reads its rows) and EXPLAIN each SELECT it ran."""
    rows = table_rows()
    client = Client(HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE="fr-CA")
    client.force_login(professional.user)
    pages = []
    for name, url in comptes_pages(professional):
        client.get(url)
        filecache.bump([professional.pk])
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        page = ExplainedPage(name, url, response.status_code)
        for query in captured.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            plan = explain(sql)
            scans = sorted(set(SEQ_SCAN.findall(plan)))
            page.queries.append(ExplainedQuery(sql, plan, scans, [t for t in scans if rows.get(t, 0) >= LARGE_TABLE_ROWS]))
        pages.append(page)
    return pages
