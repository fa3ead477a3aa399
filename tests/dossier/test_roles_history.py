"""Staff roles and the history of every change (STF-3, DOS-4)."""
import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from dossier.models import Professional

pytestmark = pytest.mark.django_db


def perms(role):
    return {f"{p.content_type.app_label}.{p.codename}" for p in Group.objects.get(name=role).permissions.all()}


def test_STF_3_roles_agent_and_supervisor_exist_with_distinct_permissions():
    agent, supervisor = perms("agent"), perms("superviseur")
    assert agent < supervisor
    assert "dossier.add_professional" in agent
    assert "calendrier.change_paymentdate" not in agent and "calendrier.change_paymentdate" in supervisor
    assert "dossier.view_unmasked_personal_data" in supervisor - agent


def test_STF_3_an_agent_cannot_edit_the_pay_calendar(client, agent, supervisor):
    client.force_login(agent)
    assert client.get(reverse("admin:calendrier_paymentdate_add")).status_code == 403
    client.force_login(supervisor)
    assert client.get(reverse("admin:calendrier_paymentdate_add")).status_code == 200


def test_DOS_4_STF_3_the_history_of_a_file_says_who_did_what_and_is_visible_in_the_admin(client, agent):
    client.force_login(agent)
    from tests.dossier.test_open_file import _form

    client.post(reverse("admin:dossier_professional_open"), _form())
    professional = Professional.objects.get(licence_number="54321")
    record = professional.history.get()
    assert record.history_user == agent and record.history_type == "+"
    assert record.history_change_reason == "Ouverture du dossier"
    page = client.get(reverse("admin:dossier_professional_history", args=[professional.pk])).content.decode()
    assert "Ouverture du dossier" in page and agent.username in page


def test_DOS_4_the_history_never_keeps_the_reference_number_hash(client, agent):
    client.force_login(agent)
    from tests.dossier.test_open_file import _form

    client.post(reverse("admin:dossier_professional_open"), _form())
    professional = Professional.objects.get(licence_number="54321")
    assert not hasattr(professional.history.get(), "reference_number_hash")


def test_STF_3_the_author_of_a_version_links_to_their_user_page_only_for_who_may_open_it(client, agent, supervisor):
    """An agent cannot open users' pages: the history names the author without a link (it answered 403)."""
    client.force_login(agent)
    from tests.dossier.test_open_file import _form

    client.post(reverse("admin:dossier_professional_open"), _form())
    professional = Professional.objects.get(licence_number="54321")
    user_page = reverse("admin:dossier_user_change", args=[agent.pk])
    history = reverse("admin:dossier_professional_history", args=[professional.pk])
    page = client.get(history).content.decode()
    assert agent.username in page and f'href="{user_page}"' not in page
    assert client.get(user_page).status_code == 403
    client.force_login(supervisor)
    assert f'href="{user_page}"' in client.get(history).content.decode()


def test_STF_3_a_supervisor_looks_at_a_user_without_a_link_to_a_password_form_they_cannot_open(client, agent, supervisor):
    client.force_login(supervisor)
    page = client.get(reverse("admin:dossier_user_change", args=[agent.pk])).content.decode()
    password_form = reverse("admin:auth_user_password_change", args=[agent.pk])
    assert agent.username in page and "password/" not in page
    assert client.get(password_form).status_code == 403
