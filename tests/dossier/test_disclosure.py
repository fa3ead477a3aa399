"""STF-3: personal numbers are masked for staff; only a supervisor sees a SIN or a bank account number in
full, after confirming, and each viewing is recorded; agents never can; history pages stay masked."""
import pytest
from django.urls import reverse

from comptes.constants import PaymentMode
from comptes.models import PaymentSettings
from dossier.models import Disclosure
from ramq_portal import clock
from tests import factories

pytestmark = pytest.mark.django_db

SIN = "130692544"
BANK = "987654321"


@pytest.fixture
def numbers(alice):
    alice.sin, alice.sin_last3 = SIN, SIN[-3:]
    alice.save()
    return PaymentSettings.objects.create(
        account=alice.billing_accounts.get(), mode=PaymentMode.TRANSFER, institution=factories.FinancialInstitutionFactory(number="815"),
        transit="30012", bank_account=BANK, bank_account_last3=BANK[-3:], personal_account_confirmed=True,
        effective_from=clock.today(), recorded_at=clock.now())


def pages(alice, settings_row):
    return [
        (reverse("admin:dossier_professional_change", args=[alice.pk]), reverse("admin:dossier_professional_reveal_sin", args=[alice.pk]), SIN),
        (reverse("admin:comptes_paymentsettings_change", args=[settings_row.pk]),
         reverse("admin:comptes_paymentsettings_reveal", args=[settings_row.pk]), BANK),
    ]


def test_STF_3_an_agent_never_sees_a_sin_or_a_bank_number_in_full(client, alice, agent, numbers):
    client.force_login(agent)
    for change, reveal, number in pages(alice, numbers):
        page = client.get(change).content.decode()
        assert number not in page and reveal not in page
        assert client.get(reveal).status_code == 403 and client.post(reveal).status_code == 403
    history = client.get(reverse("admin:dossier_professional_history", args=[alice.pk])).content.decode()
    assert SIN not in history and "•••544" in history  # the change is listed, masked
    numbers.bank_account, numbers.bank_account_last3 = "111222333", "333"
    numbers.save()
    history = client.get(reverse("admin:comptes_paymentsettings_history", args=[numbers.pk])).content.decode()
    assert BANK not in history and "111222333" not in history
    assert not Disclosure.objects.exists()


def test_STF_3_a_supervisor_sees_them_after_confirming_and_each_viewing_is_recorded(client, alice, supervisor, numbers):
    client.force_login(supervisor)
    for change, reveal, number in pages(alice, numbers):
        assert reveal in client.get(change).content.decode()
        confirm = client.get(reveal).content.decode()
        assert number not in confirm and "sera enregistrée à votre nom" in confirm
        assert number in client.post(reveal).content.decode()
    seen = list(Disclosure.objects.order_by("seen_at").values_list("user__username", "professional", "what"))
    assert seen == [("sylvain.superviseur", alice.pk, Disclosure.What.SIN), ("sylvain.superviseur", alice.pk, Disclosure.What.BANK_ACCOUNT)]
    log = client.get(reverse("admin:dossier_disclosure_changelist")).content.decode()
    assert "sylvain.superviseur" in log and SIN not in log and BANK not in log


def test_STF_3_agents_do_not_see_the_record_of_viewings(client, agent):
    client.force_login(agent)
    assert client.get(reverse("admin:dossier_disclosure_changelist")).status_code == 403
