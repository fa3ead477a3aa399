"""STF-1 at scale: the request queue over many files and requests (`generate_backoffice_load`).

On any database: every page of the queue (each filter, both searches, page 2) is served in at most 8
SQL queries, and none counts the whole table (the capped paginator counts a LIMITed subquery; Django's
full result count and the filter facets are off). On PostgreSQL, with enough rows for the planner's
choice to mean something: EXPLAIN of the SQL the queue really runs uses the indexes.
"""
from __future__ import annotations

import re
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from stdnum import luhn

from comptes.request_kinds import BankTransferForm
from dossier import kinds, numbers
from dossier.constants import RequestStatus
from dossier.models import Professional, Request
from guichet.admin import CappedCountPaginator, RequestAdmin
from guichet.management.commands.generate_backoffice_load import PROFESSION_PREFIX, professional_number
from ramq_portal import clock

pytestmark = pytest.mark.django_db

# As tests/test_real_worker.py: `.ci/run` provides PostgreSQL; elsewhere these tests are skipped.
needs_postgres = pytest.mark.skipif(
    not settings.DATABASE_URL or "postgres" not in settings.DATABASE_URL, reason="needs PostgreSQL (DATABASE_URL), as in .ci/run"
)

CHANGELIST = "admin:dossier_request_changelist"
MAX_QUERIES = 8
CAPPED_COUNT = re.compile(rf"SELECT COUNT\(\*\) FROM \(SELECT .+ LIMIT {CappedCountPaginator.CAP + 1}\) subquery", re.S)


def generate(files: int, requests: int) -> str:
    out = StringIO()
    call_command("generate_backoffice_load", files=files, requests=requests, stdout=out)
    return out.getvalue()


def generated_requests():
    return Request.objects.filter(professional__profession__code__startswith=PROFESSION_PREFIX)


def a_number_with_requests() -> str:
    middle = generated_requests().count() // 2
    return generated_requests().order_by("pk").values_list("professional__professional_number", flat=True)[middle]


@pytest.fixture
def load(agent):
    """300 files and 600 requests; the agent exists first, so that some requests are theirs."""
    generate(300, 600)


# --- the command ---------------------------------------------------------------------------------------------


def test_STF_1_the_load_has_every_kind_and_status_numbers_that_cannot_clash_and_runs_once(agent, alice):
    out = generate(300, 600)
    assert "Generated 300 files and 600 requests" in out
    files = Professional.objects.filter(profession__code__startswith=PROFESSION_PREFIX)
    assert files.count() == 300 and generated_requests().count() == 600
    numbers_ = list(files.values_list("professional_number", flat=True))
    assert len(set(numbers_)) == 300
    # 7 digits, never Luhn-valid: numbers.professional_number (open_file, demo, factories) cannot make them.
    assert all(re.fullmatch(r"[0-9]{7}", n) and not luhn.is_valid(n) for n in numbers_)
    assert alice.professional_number not in numbers_ and numbers.is_valid_professional_number(alice.professional_number)
    assert professional_number(123_456)[:6] == numbers.professional_number(profession_digit="1", licence_number="23456")[:6]
    requests = generated_requests()
    assert set(requests.values_list("kind", flat=True)) == {kind.code for kind in kinds.registered()}
    assert set(requests.values_list("status", flat=True)) == set(RequestStatus.values)
    assert requests.filter(status__in=["recue", "en_cours"], due_date__lt=clock.today()).exists()  # overdue ones
    assert requests.filter(agent=agent).exists() and requests.filter(agent__isnull=True).exists()
    assert not requests.filter(status="recue", agent__isnull=False).exists()
    assert not requests.filter(status="en_cours", agent__isnull=True).exists()
    assert "nothing generated" in generate(300, 600)  # a second run does nothing, and says so
    assert generated_requests().count() == 600


# --- queries per page, on any database -----------------------------------------------------------------------


PAGES = {
    "first page": {},
    "status": {"status": RequestStatus.RECEIVED},
    "kind": {"kind": BankTransferForm.code},
    "overdue": {"echeance": "depassee"},
    "mine": {"agent": "moi"},
    "unassigned": {"agent": "aucun"},
    "professional number": {"q": "NUMBER"},
    "last name": {"q": "Trem"},
    "page 2": {"p": "2"},
    "facets asked": {"_facets": "1"},  # "show counts" is off: served as the first page, no facet count
}


@pytest.mark.parametrize("page", PAGES)
def test_STF_1_each_page_of_the_queue_takes_at_most_8_queries_and_never_counts_the_whole_table(
    client, agent, load, django_assert_max_num_queries, page
):
    params = {key: a_number_with_requests() if value == "NUMBER" else value for key, value in PAGES[page].items()}
    client.force_login(agent)
    with django_assert_max_num_queries(MAX_QUERIES) as captured:
        response = client.get(reverse(CHANGELIST), params)
    assert response.status_code == 200
    changelist = response.context["cl"]
    assert changelist.result_count > 0 and len(changelist.result_list) > 0
    assert changelist.full_result_count is None  # Django's "N total" count is off
    for query in captured.captured_queries:
        if "COUNT(" in query["sql"].upper():
            assert CAPPED_COUNT.fullmatch(query["sql"]), query["sql"]
    assert sum(1 for query in captured.captured_queries if "COUNT(" in query["sql"].upper()) == 1
    if page == "professional number":
        assert {r.professional.professional_number for r in changelist.result_list} == {params["q"]}
    if page == "last name":
        assert all(r.professional.last_name.upper().startswith("TREM") for r in changelist.result_list)
    if page == "mine":
        assert {r.agent_id for r in changelist.result_list} == {agent.pk}


def test_STF_1_the_queue_shows_no_full_count_no_facets_and_no_sort_by_professional():
    assert RequestAdmin.paginator is CappedCountPaginator
    assert RequestAdmin.show_full_result_count is False
    assert RequestAdmin.show_facets is RequestAdmin.show_facets.NEVER
    assert "professional" not in RequestAdmin.sortable_by and "received_at" in RequestAdmin.sortable_by


# --- EXPLAIN on PostgreSQL -----------------------------------------------------------------------------------------


@pytest.fixture
def large_load(agent):
    """Enough rows for the planner's choice to mean something (the command ends with ANALYZE)."""
    generate(20_000, 5_000)


def queue_queries(client, agent, params: dict) -> list[str]:
    """The SQL on the requests table that the queue page really runs (the capped count, the page)."""
    client.force_login(agent)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(CHANGELIST), params)
    assert response.status_code == 200 and response.context["cl"].result_count > 0
    queries = [query["sql"] for query in captured.captured_queries if 'FROM "dossier_request"' in query["sql"]]
    assert len(queries) == 2, queries  # the capped count and the page
    return queries


def explain(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


@needs_postgres
def test_STF_1_the_search_by_professional_number_uses_its_index_on_postgresql(client, agent, large_load):
    for sql in queue_queries(client, agent, {"q": a_number_with_requests()}):
        plan = explain(sql)
        assert re.search(r"(Bitmap Index Scan on|Index Scan using|Index Only Scan using) professional_pn_upper_idx", plan), plan
        assert "Seq Scan on dossier_professional" not in plan, plan
        assert "Seq Scan on dossier_request" not in plan, plan


@needs_postgres
def test_STF_1_the_search_by_last_name_uses_an_index_on_postgresql(client, agent, large_load):
    prefix = Professional.objects.filter(profession__code__startswith=PROFESSION_PREFIX, last_name__contains="-").values_list(
        "last_name", flat=True
    ).first()
    for sql in queue_queries(client, agent, {"q": prefix}):
        plan = explain(sql)
        assert "professional_name_prefix_idx" in plan, plan
        assert "Seq Scan on dossier_professional" not in plan, plan
        assert "Seq Scan on dossier_request" not in plan, plan


@needs_postgres
def test_STF_1_the_first_page_reads_the_received_index_without_sorting_the_table_on_postgresql(client, agent, large_load):
    count, page = queue_queries(client, agent, {})
    plan = explain(page)
    assert "Index Scan Backward using request_received_idx on dossier_request" in plan, plan
    assert "Sort" not in plan and "Seq Scan on dossier_request" not in plan, plan
    assert "Limit" in explain(count)  # the capped count stops after CAP + 1 rows


@needs_postgres
def test_STF_1_the_overdue_filter_uses_an_index_on_postgresql(client, agent, large_load):
    for sql in queue_queries(client, agent, {"echeance": "depassee"}):
        plan = explain(sql)
        assert re.search(r"(Bitmap Index Scan on|Index Scan using|Index Scan Backward using|Index Only Scan using) "
                         r"(request_status_due_idx|request_received_idx)", plan), plan
        assert "Seq Scan on dossier_request" not in plan, plan
