"""The page cache of a professional's file (ramq_portal.filecache): served without a query while the file
does not change, and never stale: every kind of write, the day changing, and an emailed link expiring
each show on the next page."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from calendrier.models import PaymentDate
from comptes.models import BillingAccount
from dossier import tokens
from dossier.constants import TokenPurpose
from dossier.models import Professional, Telephone
from notifications import payment_run
from notifications.models import SecureMessage
from ramq_portal import clock, filecache
from ramq_portal.display import DISPLAY_COOKIE
from ramq_portal.filecache import CSRF_PLACEHOLDER, PATH_PLACEHOLDER
from ramq_portal.bulk import insert_rows
from tests import factories
from tests.factories import aware

pytestmark = pytest.mark.django_db

BACKEND = "ramq_portal.auth_backends.CachedModelBackend"
FILE_APPS = ["dossier", "comptes", "notifications", "inscription"]


def _points_at_a_file(model) -> bool:
    return any(
        (field.many_to_one or field.one_to_one) and field.concrete and field.related_model in (Professional, BillingAccount)
        for field in model._meta.get_fields()
    )


def test_every_model_that_belongs_to_a_file_bumps_its_version_on_every_write():
    models = [m for label in FILE_APPS for m in apps.get_app_config(label).get_models()
              if not m.__name__.startswith("Historical") and (_points_at_a_file(m) or m is Professional)]
    assert len(models) > 15
    undeclared = [m.__name__ for m in models if not getattr(m, "FILE_OWNERS", None)]
    plain_managers = [m.__name__ for m in models if not isinstance(m._default_manager.all(), filecache.FileQuerySet)]
    no_mixin = [m.__name__ for m in models if not issubclass(m, filecache.FileModel)]
    assert undeclared == [] and plain_managers == [] and no_mixin == []


@pytest.mark.parametrize("count", [3, 60])
def test_deleting_rows_of_a_file_in_bulk_costs_no_query_per_row(alice, count, django_assert_num_queries):
    """The page cache adds no delete signal (which would make Django load and signal every row): a
    queryset's delete asks once for the files it touches, whatever the number of rows."""
    SecureMessage.objects.filter(professional=alice).delete()
    SecureMessage.objects.bulk_create([
        SecureMessage(professional=alice, subject=f"Avis {n}", body="…", created_at=clock.now()) for n in range(count)
    ])
    with django_assert_num_queries(2):  # the files touched, then one DELETE
        SecureMessage.objects.filter(professional=alice).delete()


def test_deleting_one_row_shows_on_the_next_page(alice_client, alice):
    phone = factories.TelephoneFactory(professional=alice, number="+14185550166")
    assert "555-0166" in profil(alice_client)
    phone.delete()
    assert "555-0166" not in profil(alice_client)


@pytest.fixture
def alice_client(client, alice, pay_calendar):
    client.force_login(alice.user, backend=BACKEND)
    return client


def profil(client) -> str:
    response = client.get(reverse("dossier:profil"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_profil_page_is_served_from_the_cache_without_a_query(alice_client, django_assert_num_queries):
    first = profil(alice_client)
    with django_assert_num_queries(0):
        again = profil(alice_client)
    without_tokens = lambda page: re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)  # noqa: E731 (masked anew per request)
    assert without_tokens(again) == without_tokens(first) and "Tremblay" in again


def test_each_session_gets_its_own_csrf_token_in_a_cached_page(client, alice, pay_calendar):
    tokens_seen = []
    for _ in range(2):
        client.logout()
        client.cookies.clear()
        client.force_login(alice.user, backend=BACKEND)
        page = profil(client)
        tokens_seen.append(set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)))
        assert CSRF_PLACEHOLDER not in page
    assert all(tokens_seen) and tokens_seen[0] != tokens_seen[1]


def test_a_saved_row_shows_on_the_next_page(alice_client, alice):
    profil(alice_client)
    factories.TelephoneFactory(professional=alice, number="+14185550199")
    assert "555-0199" in profil(alice_client)


def test_a_queryset_update_and_delete_show_on_the_next_page(alice_client, alice):
    phone = factories.TelephoneFactory(professional=alice, number="+14185550188", extension="")
    profil(alice_client)
    Telephone.objects.filter(pk=phone.pk).update(extension="777")
    assert "777" in profil(alice_client)
    Telephone.objects.filter(pk=phone.pk).delete()
    assert "555-0188" not in profil(alice_client)


def test_NOT_2_messages_written_in_bulk_change_the_unread_count_of_the_tabs(alice_client, alice):
    SecureMessage.objects.filter(professional=alice).update(read_at=clock.now())
    assert "messages non lus" not in profil(alice_client)
    SecureMessage.objects.bulk_create([
        SecureMessage(professional=alice, subject=f"Avis {n}", body="…", created_at=clock.now()) for n in range(3)
    ])
    assert '<span class="badge">3<span class="visually-hidden"> messages non lus' in profil(alice_client)


def test_a_write_rolled_back_or_read_before_its_commit_is_never_served(alice_client, alice, django_capture_on_commit_callbacks):
    profil(alice_client)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        phone = factories.TelephoneFactory(professional=alice, number="+14185550177")
        # A page rendered now would read the rows of this transaction's snapshot; whatever it stored is
        # under a version that the commit replaces.
        version_before_commit = filecache.version(alice.pk)
    assert filecache.version(alice.pk) != version_before_commit
    assert "555-0177" in profil(alice_client)
    with pytest.raises(RuntimeError), transaction.atomic():
        Telephone.objects.filter(pk=phone.pk).delete()
        raise RuntimeError
    assert "555-0177" in profil(alice_client)


def test_PRO_5_a_pending_address_shows_in_force_on_its_day_with_no_write(alice_client, alice, frozen_clock):
    frozen_clock(aware(2027, 3, 1, 23, 50))
    factories.CorrespondenceAddressFactory(professional=alice, line1="77, rue des Lilas", effective_from=clock.today() + timedelta(days=1))
    today = profil(alice_client)
    assert "Changement en attente, en vigueur le 2 mars 2027" in today
    frozen_clock(aware(2027, 3, 2, 0, 5))
    tomorrow = profil(alice_client)
    assert "Changement en attente, en vigueur" not in tomorrow and "77, rue des Lilas" in tomorrow


def test_EML_4_the_email_status_changes_when_the_link_expires_with_no_write(alice_client, alice, frozen_clock):
    frozen_clock(aware(2027, 3, 1, 9, 0))
    Professional.objects.filter(pk=alice.pk).update(email="alice@example.com", email_activated_at=None)
    tokens.issue(professional=alice, purpose=TokenPurpose.EMAIL, target="alice@example.com", moment=clock.now())
    waiting = profil(alice_client)
    frozen_clock(aware(2027, 3, 6, 8, 59))  # the link lasts 120 hours (EML-3): the day has changed, not the status
    assert "alice@example.com" in waiting and _email_section(profil(alice_client)) == _email_section(waiting)
    frozen_clock(aware(2027, 3, 6, 9, 1))
    assert _email_section(profil(alice_client)) != _email_section(waiting)


def _email_section(page: str) -> str:
    start = page.index("<h3>Courriel</h3>")
    section = page[start:page.index("</section>", start)]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", section)


def test_NOT_2_the_inbox_is_served_from_the_cache_and_shows_a_message_read_elsewhere(alice_client, alice, django_assert_num_queries):
    SecureMessage.objects.filter(professional=alice).delete()
    message = SecureMessage.objects.create(professional=alice, subject="Votre état de compte", body="…", created_at=clock.now())
    first = alice_client.get(reverse("notifications:inbox")).content.decode()
    assert "1 message non lu." in first
    with django_assert_num_queries(0):
        assert alice_client.get(reverse("notifications:inbox")).status_code == 200
    assert alice_client.get(reverse("notifications:message", args=[message.pk])).status_code == 200  # reading it
    assert "message non lu" not in alice_client.get(reverse("notifications:inbox")).content.decode()


def test_CPT_1_the_accounts_tab_is_served_from_the_cache_and_shows_a_new_account(alice_client, alice, django_assert_num_queries):
    first = alice_client.get(reverse("comptes:accounts")).content.decode()
    with django_assert_num_queries(0):
        assert alice_client.get(reverse("comptes:accounts")).status_code == 200
    assert "Compte du cabinet" not in first
    factories.BillingAccountFactory(professional=alice, kind="individuel", number="A99990001", name="Compte du cabinet")
    assert "Compte du cabinet" in alice_client.get(reverse("comptes:accounts")).content.decode()


@pytest.mark.parametrize("name", ["dossier:edit_correspondence", "dossier:edit_practice", "dossier:edit_preferences"])
def test_an_edit_page_as_first_shown_comes_from_the_cache_until_the_file_changes(alice_client, alice, name, django_assert_num_queries):
    first = alice_client.get(reverse(name)).content.decode()
    with django_assert_num_queries(0):
        assert alice_client.get(reverse(name)).status_code == 200
    Professional.objects.filter(pk=alice.pk).update(
        correspondence_version=alice.correspondence_version + 7, practice_version=alice.practice_version + 7,
        preferences_version=alice.preferences_version + 7,
    )
    versions = lambda page: re.findall(r'name="version" value="(\d+)"', page)  # noqa: E731
    assert versions(alice_client.get(reverse(name)).content.decode()) != versions(first) != []


def test_an_edit_form_sent_with_errors_is_shown_with_them_not_from_the_cache(alice_client, alice):
    alice_client.get(reverse("dossier:edit_correspondence"))
    response = alice_client.post(reverse("dossier:edit_correspondence"), {"version": alice.correspondence_version, "country": "CA"})
    assert response.status_code == 200 and 'class="field field-error"' in response.content.decode()


def test_a_change_of_reference_data_shows_on_every_files_pages(alice_client, alice):
    profil(alice_client)
    before = filecache.version(alice.pk)
    factories.FinancialInstitutionFactory(number="987", name="Caisse du Fleuve")
    assert filecache.version(alice.pk) != before
    profession = alice.profession
    profession.name_fr = "Dentiste généraliste"
    profession.save()
    assert "Dentiste généraliste" in profil(alice_client)


def test_CPT_1_an_accounts_page_comes_from_the_cache_and_anothers_account_stays_a_404(alice_client, alice, bob, django_assert_num_queries):
    account = alice.billing_accounts.first()
    url = reverse("comptes:account", args=[account.pk])
    first = alice_client.get(url).content.decode()
    with django_assert_num_queries(0):
        again = alice_client.get(url)
    assert again.status_code == 200 and account.number in first and account.number in again.content.decode()
    assert alice_client.get(reverse("comptes:account", args=[bob.billing_accounts.first().pk])).status_code == 404


def test_PAI_1_the_payment_form_as_first_shown_comes_from_the_cache(alice_client, alice, django_assert_num_queries):
    account = alice.billing_accounts.get(kind="personnel")
    url = reverse("comptes:edit_payment", args=[account.pk])
    assert alice_client.get(url).status_code == 200
    with django_assert_num_queries(0):
        assert alice_client.get(url).status_code == 200


def test_NOT_2_ETC_1_the_payment_runs_messages_show_in_the_tabs_of_the_files_it_wrote_to(
        client, alice, pay_calendar, frozen_clock, django_capture_on_commit_callbacks):
    payday = PaymentDate.objects.filter(date__gt=clock.today()).order_by("date").values_list("date", flat=True)[1]
    frozen_clock(aware(payday.year, payday.month, payday.day, 8, 0))  # the same day before and after the run
    SecureMessage.objects.filter(professional=alice).update(read_at=clock.now())
    client.force_login(alice.user, backend=BACKEND)
    assert "non lu" not in profil(client)
    with django_capture_on_commit_callbacks(execute=False):  # not the notice sweep's emails, which write too
        run = payment_run.issue(payment_date=payday)
    assert run.statements >= 1
    assert "message non lu" in profil(client)


def test_rows_written_in_bulk_by_insert_rows_bump_their_files(alice_client, alice):
    profil(alice_client)
    before = filecache.version(alice.pk)
    insert_rows(SecureMessage, ("professional_id", "subject", "body", "created_at"), [(alice.pk, "Avis", "…", clock.now())])
    assert filecache.version(alice.pk) != before


# --- Whole pages (filecache.serve) ------------------------------------------------------------------------


def _flash(client, text: str) -> None:
    """A message waiting for the next page, as a view leaves one before it redirects (in the cookie)."""
    storage = CookieStorage(RequestFactory().get("/"))
    storage.add(messages.SUCCESS, text)
    response = HttpResponse()
    storage.update(response)
    client.cookies[storage.cookie_name] = response.cookies[storage.cookie_name].value


def test_a_message_left_for_the_next_page_shows_once_on_a_cached_page(alice_client):
    profil(alice_client)  # the page is now in the cache
    _flash(alice_client, "Vos préférences de correspondance ont été enregistrées.")
    assert "Vos préférences de correspondance ont été enregistrées." in profil(alice_client)
    again = profil(alice_client)
    assert "Vos préférences de correspondance ont été enregistrées." not in again and "Tremblay" in again


def test_the_shell_forms_of_a_cached_page_return_to_the_address_asked_for(alice_client, alice, django_assert_num_queries):
    """The language and display switches come back to the page as asked for, even when the page comes
    from the cache under an address that differed (here, an unknown parameter); escaped."""
    inbox = reverse("notifications:inbox")
    alice_client.get(inbox + "?page=1")
    with django_assert_num_queries(0):
        page = alice_client.get(inbox, {"page": "1", "retour": '"><b>'}).content.decode()
    back = re.findall(r'name="next" value="([^"]*)"', page)
    assert len(back) == 2 and all(value.startswith("/messagerie/?page=1&amp;retour=") for value in back)
    assert "<b>" not in page and PATH_PLACEHOLDER not in page and CSRF_PLACEHOLDER not in page


def test_BEY_9_a_cached_page_is_shown_in_the_display_mode_chosen(alice_client):
    assert 'class="mode-normal"' in profil(alice_client)
    alice_client.cookies[DISPLAY_COOKIE] = "contraste-eleve"
    assert 'class="mode-contraste-eleve"' in profil(alice_client)
    alice_client.cookies[DISPLAY_COOKIE] = "normal"
    assert 'class="mode-normal"' in profil(alice_client)


def test_NOT_2_a_message_marked_unread_is_read_again_when_opened_from_the_cache(alice_client, alice, django_assert_num_queries):
    message = SecureMessage.objects.create(professional=alice, subject="Votre relevé", body="…", created_at=clock.now())
    url = reverse("notifications:message", args=[message.pk])
    assert "Votre relevé" in alice_client.get(url).content.decode()  # opened: read
    alice_client.get(url)
    with django_assert_num_queries(0):
        assert alice_client.get(url).status_code == 200
    alice_client.post(reverse("notifications:mark_unread", args=[message.pk]))
    message.refresh_from_db()
    assert message.read_at is None
    alice_client.get(url)
    message.refresh_from_db()
    assert message.read_at is not None


def test_ETC_2_a_search_on_the_statement_page_is_never_answered_by_the_cached_page(alice_client, alice, django_assert_num_queries):
    factories.BillingAgencyFactory(name="Agence Boréale")
    url = reverse("comptes:edit_statement", args=[alice.billing_accounts.get(kind="personnel").pk])
    assert "Agence Boréale" not in alice_client.get(url).content.decode()
    with django_assert_num_queries(0):
        assert alice_client.get(url).status_code == 200
    assert "Agence Boréale" in alice_client.get(url, {"agence": "Boréale"}).content.decode()


def test_DOS_5_signing_in_as_someone_else_in_the_same_browser_shows_their_own_file(client, alice, bob, pay_calendar):
    client.force_login(alice.user, backend=BACKEND)
    assert "Tremblay" in profil(client)
    client.post(reverse("logout"))
    client.force_login(bob.user, backend=BACKEND)
    page = profil(client)
    assert "Gagnon" in page and "Tremblay" not in page
