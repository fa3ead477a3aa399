"""The signed-in people of scripts/bench_cpu.py, and the ids its pages need.

Called inside a transaction that the caller rolls back: the newcomer of the wizard is opened, enrols
and walks the six steps with the registration tests' own helpers (tests/inscription/conftest.py), so
that every step can be shown; nothing stays in the database.
"""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.test import Client

from comptes.models import BillingAccount
from guichet.management.commands import generate_backoffice_load as load
from notifications.models import SecureMessage
from tests.inscription.conftest import enrol, open_newcomer, walk_to

DENTIST = "dentiste.demo"
AGENT = "agent.demo"
NEWCOMER_LICENCE = "29999"


def _cookie(client: Client) -> str:
    return "; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items())


def _signed_in(username: str, host: str, first_page: str = "/profil/") -> tuple[Client, str]:
    """A session of `username`, with the cookies a browser has after its first page (the prefetch hint,
    ramq_portal.prefetch, names the user and the file once a page has read them)."""
    client = Client(HTTP_HOST=host)
    client.force_login(get_user_model().objects.get(username=username), backend="ramq_portal.auth_backends.CachedModelBackend")
    client.get(first_page)
    return client, _cookie(client)


def _newcomer(host: str) -> str:
    opened = open_newcomer(licence=NEWCOMER_LICENCE, first_name="Bench", last_name="Nouveau")
    client = Client(HTTP_HOST=host)
    enrol(client, opened, username="bench.nouveau")
    walk_to(client, opened.professional, 6)
    return _cookie(client)


def sessions(host: str) -> tuple[dict[str, str], dict[str, int]]:
    """({who: session cookie}, {placeholder: id}) for the pages of bench_cpu.PAGES."""
    who = {"anonymous": ""}
    dentist, who["dentist"] = _signed_in(DENTIST, host)
    _agent, who["agent"] = _signed_in(AGENT, host, "/admin/")
    who["newcomer"] = _newcomer(host)
    ids = {
        "account": BillingAccount.objects.filter(professional__user__username=DENTIST).order_by("pk").values_list("pk", flat=True)[0],
        "message": SecureMessage.objects.filter(professional__user__username=DENTIST).order_by("-pk").values_list("pk", flat=True)[0],
    }
    large = getattr(load, "LARGE_FILE_USERNAME", None)
    if large and get_user_model().objects.filter(username=large).exists():
        _large, who["large"] = _signed_in(large, host)
        ids["large_account"] = BillingAccount.objects.filter(professional__user__username=large).order_by("pk").values_list("pk", flat=True)[0]
    return who, ids
