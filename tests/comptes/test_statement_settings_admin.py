"""ETC-5: staff record a professional's request for paper statements; nothing else of the statement
settings changes from the admin, and a statement form open in Mon dossier is not silently undone."""
import pytest
from django.urls import reverse

from comptes.models import BillingAccount, StatementSettings
from ramq_portal import clock

pytestmark = pytest.mark.django_db


@pytest.fixture
def settings_row(alice):
    return StatementSettings.objects.create(account=alice.billing_accounts.get(), line1="500, rue de l'État", city="Québec",
                                            province="QC", postal_code="G1R 2B5", updated_at=clock.now())


def test_ETC_5_an_agent_records_a_request_for_paper_statements_and_nothing_else(client, agent, settings_row):
    version = settings_row.account.version
    client.force_login(agent)
    url = reverse("admin:comptes_statementsettings_change", args=[settings_row.pk])
    response = client.post(url, {"paper_requested": "on", "line1": "1, rue Pirate", "city": "Ailleurs"})
    assert response.status_code == 302
    settings_row.refresh_from_db()
    assert settings_row.paper_requested is True and settings_row.line1 == "500, rue de l'État" and settings_row.city == "Québec"
    assert BillingAccount.objects.get(pk=settings_row.account_id).version == version + 1  # an open statement form goes stale
    record = settings_row.history.first()
    assert record.history_user == agent and record.history_change_reason == "État de compte papier demandé"


def test_ETC_5_a_history_revert_cannot_restore_the_whole_row(client, agent, settings_row):
    first_version = settings_row.history.earliest()
    StatementSettings.objects.filter(pk=settings_row.pk).update(line1="2, rue Nouvelle")  # changed in Mon dossier since
    settings_row.refresh_from_db()
    settings_row.save()  # a second version in the history
    client.force_login(agent)
    url = reverse("admin:comptes_statementsettings_simple_history", args=[settings_row.pk, first_version.history_id])
    client.post(url, {"paper_requested": "on"})
    settings_row.refresh_from_db()
    assert settings_row.line1 == "2, rue Nouvelle"  # the old address is not restored: only paper_requested is ever saved
