"""The pay calendar is its own bottom app, `calendrier`: it moved out of `comptes` with its tables, and the
staff groups kept the permissions they held on it (calendrier/migrations/0001)."""
import ast
import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from calendrier.models import PaymentDate

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parent.parent.parent
MOVE = importlib.import_module("calendrier.migrations.0001_initial")


def perms(role: str) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in Group.objects.get(name=role).permissions.all()}


@pytest.fixture
def fresh_content_types():
    """The content-type cache forgets what a test renamed, merged or rolled back."""
    ContentType.objects.clear_cache()
    yield
    ContentType.objects.clear_cache()


def test_the_tables_did_not_move():
    assert PaymentDate._meta.db_table == "comptes_paymentdate"
    assert PaymentDate.history.model._meta.db_table == "comptes_historicalpaymentdate"


def test_STF_3_after_the_move_agents_still_read_the_calendar_and_supervisors_still_keep_it():
    agent, supervisor = perms("agent"), perms("superviseur")
    assert "calendrier.view_paymentdate" in agent
    assert not {"calendrier.add_paymentdate", "calendrier.change_paymentdate", "calendrier.delete_paymentdate"} & agent
    assert {"calendrier.view_paymentdate", "calendrier.add_paymentdate", "calendrier.change_paymentdate",
            "calendrier.delete_paymentdate"} <= supervisor
    assert not {p for p in agent | supervisor if p.startswith("comptes.") and p.endswith("paymentdate")}
    assert not ContentType.objects.filter(app_label="comptes", model__in=MOVE.MODELS).exists()


def test_STF_3_a_supervisor_opens_the_calendar_in_the_admin_and_an_agent_only_reads_it(client, agent, supervisor, pay_calendar):
    client.force_login(supervisor)
    assert client.get(reverse("admin:calendrier_paymentdate_changelist")).status_code == 200
    assert client.get(reverse("admin:calendrier_paymentdate_generate")).status_code == 200
    client.force_login(agent)
    assert client.get(reverse("admin:calendrier_paymentdate_changelist")).status_code == 200
    assert client.get(reverse("admin:calendrier_paymentdate_generate")).status_code == 403


def test_the_move_carries_grants_when_the_new_content_type_already_exists(fresh_content_types, supervisor):
    """A database where the new code ran before the migration: both content types exist. The old one,
    which the grants point to, is kept under the new label; the new one's grants are folded into it."""
    MOVE.backward(apps, None)  # the content types as they were before the move
    old = ContentType.objects.get(app_label="comptes", model="paymentdate")
    new = ContentType.objects.create(app_label="calendrier", model="paymentdate")
    duplicate = Permission.objects.create(content_type=new, codename="view_paymentdate", name="Can view date de paiement")
    extra = Permission.objects.create(content_type=new, codename="export_paymentdate", name="Can export")
    supervisor.user_permissions.add(duplicate, extra)

    MOVE.forward(apps, None)

    kept = ContentType.objects.get(app_label="calendrier", model="paymentdate")
    assert kept.pk == old.pk and not ContentType.objects.filter(app_label="comptes", model__in=MOVE.MODELS).exists()
    assert not Permission.objects.filter(pk=duplicate.pk).exists()
    assert set(supervisor.user_permissions.values_list("content_type", "codename")) == {
        (kept.pk, "view_paymentdate"), (kept.pk, "export_paymentdate"),
    }
    assert "calendrier.view_paymentdate" in perms("agent")
    assert "calendrier.delete_paymentdate" in perms("superviseur")


def test_the_move_reverses(fresh_content_types):
    MOVE.backward(apps, None)
    assert "comptes.view_paymentdate" in perms("agent") and "comptes.delete_paymentdate" in perms("superviseur")
    MOVE.forward(apps, None)
    assert "calendrier.view_paymentdate" in perms("agent") and "calendrier.delete_paymentdate" in perms("superviseur")


def _project_imports(folder: str) -> set[str]:
    """The other project packages that the modules of `folder` import (top-level names)."""
    project = {"calendrier", "comptes", "demo", "dossier", "inscription", "notifications", "ramq_portal"}
    found = set()
    for path in (REPO / folder).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
            elif isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
    return found & project - {folder}


def test_the_calendar_is_the_bottom_layer_it_imports_no_other_app():
    assert _project_imports("calendrier") <= {"ramq_portal"}
