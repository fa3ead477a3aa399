"""The Profil tab in a real browser, flow by flow, as a professional uses it: sign in, *Modifier*, fill
the fields by their labels, *Enregistrer*, and read what the Profil page says afterwards.

Rules proven: PRO-1 (with the section's optimistic locking), PRO-2, PRO-4, PRO-5, EML-1..4, CEL-1,
CEL-2, PRF-1..3, BEY-1..3, BEY-6, BEY-9. The portal's clock is frozen (profil_pages.START) and
moved by the tests; every page opened, in every tab, is checked with axe-core
(tests/browser/conftest.py).
"""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from playwright.sync_api import expect

from calendrier import paycalendar
from calendrier.models import PaymentDate
from dossier.constants import ALWAYS_BY_POST, Channel, CorrespondenceKind, TokenState
from dossier.models import CorrespondenceAddress, CorrespondencePreference
from notifications.sms import LocmemSmsBackend
from ramq_portal import clock
from ramq_portal.display import DISPLAY_COOKIE
from tests import timetravel
from tests.browser.helpers import DEMO_PASSWORD, DEMO_USERNAME, signed_in
from tests.browser.profil_pages import (
    START,
    email_link_path,
    field_error,
    fill_address,
    french_date,
    fresh,
    last_sms_code,
    messages,
    open_edit,
    save,
    section,
    sign_in_again,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CORRESPONDENCE = "Coordonnées de correspondance"
PRACTICE = "Coordonnées de pratique"
PREFERENCES = "Préférences de correspondance"

OLD_LINE1 = "1200, rue Saint-Jean"  # the demo dentist's address (demo/data.py)
NEW_ADDRESS = {"line1": "75, rue des Érables", "city": "Lévis", "province": "QC", "postal_code": "G6V 4Z2"}
NEW_EMAIL = "alice.tremblay@exemple.ca"
NEW_LINK = re.compile("nouveau lien")  # "Envoyer un nouveau lien", "Se connecter pour recevoir un nouveau lien"


def change_address(page, **address) -> None:
    """From the Profil page: *Modifier* the correspondence section, a new address, *Enregistrer*."""
    open_edit(page, CORRESPONDENCE)
    fill_address(page, **address)
    save(page)


def change_email(page, email: str, repeated: str | None = None) -> None:
    open_edit(page, CORRESPONDENCE)
    page.get_by_label("Courriel", exact=True).fill(email)
    page.get_by_label("Répéter courriel", exact=True).fill(email if repeated is None else repeated)
    save(page)


def sign_in_here(page) -> None:
    """Sign in on the sign-in page already shown (keeping its ?next=)."""
    page.get_by_label("Nom d'utilisateur").fill(DEMO_USERNAME)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def email_status(page):
    """The *Courriel* paragraph of the correspondence section."""
    return section(page, CORRESPONDENCE).locator("h3:text-is('Courriel') + p")


# --- 1. Dated correspondence address (PRO-5, BEY-1, BEY-2) --------------------------------------------


def test_PRO_5_BEY_1_BEY_2_address_change_shows_its_date_pends_then_takes_effect(page, dentist):
    effective = paycalendar.effective_date(clock.now())
    assert effective > clock.today() and PaymentDate.objects.filter(date=effective).exists()
    signed_in(page)

    # BEY-2: before saving, the form says when the change will take effect.
    open_edit(page, CORRESPONDENCE)
    expect(page.get_by_role("heading", level=1)).to_have_text("Modifier les coordonnées de correspondance")
    expect(page.locator("#date-effet")).to_contain_text(f"entrera en vigueur le {french_date(effective)}")
    fill_address(page, **NEW_ADDRESS)
    save(page)

    # PRO-5 / BEY-1: recorded now; the old address stays in force; the new one pends with its date.
    expect(page).to_have_url("/profil/")
    expect(messages(page)).to_contain_text(f"Votre nouvelle adresse entrera en vigueur le {french_date(effective)}")
    correspondence = section(page, CORRESPONDENCE)
    in_force = correspondence.locator("address").first
    pending = correspondence.locator(".pending")
    expect(in_force).to_contain_text(OLD_LINE1)
    expect(in_force).not_to_contain_text(NEW_ADDRESS["line1"])
    expect(pending).to_contain_text(f"Changement en attente, en vigueur le {french_date(effective)}")
    expect(pending.locator("address")).to_contain_text(NEW_ADDRESS["line1"])
    expect(pending.locator("address")).to_contain_text("Lévis")
    expect(pending.get_by_role("button", name="Annuler ce changement")).to_be_visible()
    row = CorrespondenceAddress.objects.get(professional=dentist, line1=NEW_ADDRESS["line1"])
    assert row.effective_from == effective and row.cancelled_at is None

    # The effective date comes (the session has long timed out: sign in again).
    timetravel.move_to(START.replace(year=effective.year, month=effective.month, day=effective.day, hour=8))
    page.reload()
    sign_in_again(page)
    correspondence = section(page, CORRESPONDENCE)
    expect(correspondence.locator("address").first).to_contain_text(NEW_ADDRESS["line1"])
    expect(correspondence).not_to_contain_text(OLD_LINE1)
    expect(correspondence.locator(".pending")).to_have_count(0)
    expect(correspondence.get_by_role("button", name="Annuler ce changement")).to_have_count(0)


def test_BEY_1_PRO_5_pending_address_change_can_be_cancelled(page, dentist):
    signed_in(page)
    change_address(page, **NEW_ADDRESS)
    correspondence = section(page, CORRESPONDENCE)
    expect(correspondence.locator(".pending")).to_contain_text(NEW_ADDRESS["line1"])

    correspondence.get_by_role("button", name="Annuler ce changement").click()

    expect(page).to_have_url("/profil/")
    expect(messages(page)).to_contain_text("Le changement d'adresse en attente a été annulé.")
    correspondence = section(page, CORRESPONDENCE)
    expect(correspondence.locator(".pending")).to_have_count(0)
    expect(correspondence).not_to_contain_text(NEW_ADDRESS["line1"])
    expect(correspondence.locator("address").first).to_contain_text(OLD_LINE1)
    row = CorrespondenceAddress.objects.get(professional=dentist, line1=NEW_ADDRESS["line1"])
    assert row.cancelled_at is not None

    # Cancelled for good: the edit form starts again from the address in force.
    open_edit(page, CORRESPONDENCE)
    expect(page.get_by_label("Adresse", exact=True)).to_have_value(OLD_LINE1)


def test_PRO_4_blank_new_telephone_row_is_ignored_and_a_filled_one_is_added_at_once(page, dentist):
    """The form always offers a blank row for a new number: untouched, it is ignored (it once made
    the whole form fail with "Ce champ est obligatoire."); filled, the number is in force at once."""
    signed_in(page)
    phones_before = dentist.telephones.count()
    open_edit(page, CORRESPONDENCE)
    fill_address(page, **NEW_ADDRESS)
    save(page)  # the blank telephone row left as the form shows it
    expect(page).to_have_url("/profil/")
    expect(section(page, CORRESPONDENCE).locator(".pending")).to_contain_text(NEW_ADDRESS["line1"])
    assert dentist.telephones.count() == phones_before

    open_edit(page, CORRESPONDENCE)
    page.get_by_label("Type", exact=True).last.select_option(label="Autre")
    page.get_by_label("Numéro de téléphone").last.fill("514 555-0166")
    save(page)
    expect(page).to_have_url("/profil/")
    expect(section(page, CORRESPONDENCE).locator("h3:text-is('Téléphones') + ul")).to_contain_text("Autre : (514) 555-0166")
    assert dentist.telephones.count() == phones_before + 1


# --- 2. Email: confirmation, validation link (EML-1..3) ------------------------------------------------


def test_EML_1_EML_2_EML_3_email_must_be_repeated_then_is_validated_by_the_emailed_link(page, dentist):
    signed_in(page)

    # EML-1: a mismatch is refused next to *Répéter courriel*; nothing is saved, nothing is sent.
    change_email(page, NEW_EMAIL, repeated="alice.tremblay@exemple.com")
    expect(page).to_have_url("/profil/correspondance/")
    expect(field_error(page, "Répéter courriel")).to_have_text("Les deux adresses de courriel doivent être identiques.")
    expect(page.locator(".error-summary")).to_contain_text("Répéter courriel : Les deux adresses de courriel doivent être identiques.")
    expect(page.get_by_label("Répéter courriel", exact=True)).to_have_attribute("aria-invalid", "true")
    assert fresh(dentist).email == ""
    assert mail.outbox == []

    # EML-2: matching addresses: on file at once, awaiting validation, and a link is sent.
    page.get_by_label("Répéter courriel", exact=True).fill(NEW_EMAIL)
    save(page)
    expect(page).to_have_url("/profil/")
    expect(messages(page)).to_contain_text(f"Un lien de validation a été envoyé à {NEW_EMAIL}")
    expect(email_status(page)).to_contain_text(NEW_EMAIL)
    expect(email_status(page)).to_contain_text("en attente de validation")
    expect(section(page, CORRESPONDENCE)).to_contain_text("aucun avis ne vous est envoyé par courriel")
    on_file = fresh(dentist)
    assert on_file.email == NEW_EMAIL and on_file.email_activated_at is None

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [NEW_EMAIL]
    assert message.subject == "Mon dossier\u00a0: confirmez votre adresse de courriel"
    assert "Bonjour Alice Tremblay," in message.body and "(5 jours)" in message.body
    assert message.body.count("/courriel/valider/") == 1
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    assert 'lang="fr"' in html and "Activer mon adresse de courriel" in html
    link = email_link_path(message)
    assert link in html

    # EML-3: the link opens a confirmation page (mail scanners follow links); the button activates.
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Activer mon adresse de courriel")
    expect(page.locator("main")).to_contain_text(NEW_EMAIL)
    assert fresh(dentist).email_activated_at is None  # opening the link alone activates nothing
    page.get_by_role("button", name="Activer cette adresse").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Adresse de courriel activée")
    expect(page.get_by_role("status")).to_contain_text(f"L'adresse {NEW_EMAIL} est activée")
    assert fresh(dentist).email_activated_at == clock.now()

    page.get_by_role("link", name="Aller à Mon dossier").click()
    expect(page).to_have_url("/profil/")
    expect(email_status(page)).to_contain_text("activée")
    expect(email_status(page)).not_to_contain_text("en attente")
    expect(section(page, CORRESPONDENCE).get_by_role("button", name="Envoyer un nouveau lien")).to_have_count(0)


# --- 3. Dead links (EML-4, BEY-3) ------------------------------------------------------------------------


def way_forward(page):
    """The control a dead-link page offers to get a new link: a button (signed in) or a link (to sign in)."""
    main = page.locator("main")
    return main.get_by_role("button", name=NEW_LINK).or_(main.get_by_role("link", name=NEW_LINK))


def test_EML_4_expired_link_says_so_and_its_way_forward_gets_a_new_link(page, dentist):
    signed_in(page)
    change_email(page, NEW_EMAIL)
    link = email_link_path(mail.outbox[-1])

    # Days later the browser no longer holds the session (its cookie lasts 30 idle minutes): the link
    # is opened signed out, as from a mail client. Still alive at 5 days minus 1 minute (real elapsed
    # time: the DST change of March 14 falls in between, and takes nothing off the 5 days) ...
    page.context.clear_cookies()
    timetravel.move_to(clock.add(START, timedelta(days=5, minutes=-1)))
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Activer mon adresse de courriel")

    # ... dead at 5 days plus 1 minute: the page says why, and the address stays on file, unused.
    timetravel.move_to(clock.add(START, timedelta(days=5, minutes=1)))
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Ce lien ne fonctionne plus")
    expect(page.get_by_role("alert")).to_contain_text("Ce lien a expiré : il n'était valide que 5 jours.")
    expect(page.get_by_role("alert")).to_have_attribute("data-reason", TokenState.EXPIRED)
    on_file = fresh(dentist)
    assert on_file.email == NEW_EMAIL and on_file.email_activated_at is None

    # The way forward it offers works signed out: sign in, then the Profil says the link expired and
    # sends a new one, which activates the address.
    way_forward(page).click()
    if "/connexion/" in page.url:
        expect(page.get_by_role("heading", level=1)).to_have_text("Connexion à Mon dossier")
        sign_in_here(page)
    expect(page).to_have_url(re.compile(r"/profil/(#correspondance)?$"))
    expect(email_status(page)).to_contain_text("lien de validation expiré")
    mail.outbox.clear()
    section(page, CORRESPONDENCE).get_by_role("button", name="Envoyer un nouveau lien").click()
    expect(messages(page)).to_contain_text(f"Un nouveau lien de validation a été envoyé à {NEW_EMAIL}")
    expect(email_status(page)).to_contain_text("en attente de validation")
    assert len(mail.outbox) == 1
    page.goto(email_link_path(mail.outbox[0]))
    page.get_by_role("button", name="Activer cette adresse").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Adresse de courriel activée")


def test_EML_4_used_link_opened_again_says_it_was_already_used(page, dentist):
    signed_in(page)
    change_email(page, NEW_EMAIL)
    link = email_link_path(mail.outbox[-1])
    page.goto(link)
    page.get_by_role("button", name="Activer cette adresse").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Adresse de courriel activée")

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Ce lien ne fonctionne plus")
    expect(page.get_by_role("alert")).to_contain_text("Ce lien a déjà été utilisé : un lien de validation ne sert qu'une fois.")
    expect(page.locator("main")).to_contain_text("Votre adresse de courriel est déjà activée : rien d'autre à faire.")
    expect(page.get_by_role("button", name="Envoyer un nouveau lien")).to_have_count(0)


def test_EML_4_BEY_3_link_replaced_by_a_resent_one_says_so(page, dentist):
    signed_in(page)
    change_email(page, NEW_EMAIL)
    first_link = email_link_path(mail.outbox[-1])
    resend = section(page, CORRESPONDENCE).get_by_role("button", name="Envoyer un nouveau lien")

    # BEY-3: resending is throttled (one a minute) ...
    resend.click()
    expect(messages(page)).to_contain_text("Un lien vient d'être envoyé. Attendez une minute avant d'en demander un autre.")
    assert len(mail.outbox) == 1

    # ... then a new link replaces the first.
    timetravel.move_to(START + timedelta(minutes=2))
    section(page, CORRESPONDENCE).get_by_role("button", name="Envoyer un nouveau lien").click()
    expect(messages(page)).to_contain_text(f"Un nouveau lien de validation a été envoyé à {NEW_EMAIL}")
    assert len(mail.outbox) == 2
    second_link = email_link_path(mail.outbox[-1])
    assert second_link != first_link

    page.goto(first_link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Ce lien ne fonctionne plus")
    expect(page.get_by_role("alert")).to_contain_text("Ce lien a été remplacé par un lien plus récent. Utilisez le dernier courriel reçu.")
    expect(page.get_by_role("alert")).to_have_attribute("data-reason", TokenState.SUPERSEDED)

    # Signed in, the dead-link page's way forward sends a new link at once (the second dies in turn).
    timetravel.move_to(START + timedelta(minutes=4))
    way_forward(page).click()
    expect(page).to_have_url(re.compile(r"/profil/(#correspondance)?$"))
    expect(messages(page)).to_contain_text(f"Un nouveau lien de validation a été envoyé à {NEW_EMAIL}")
    assert len(mail.outbox) == 3
    page.goto(second_link)
    expect(page.get_by_role("alert")).to_have_attribute("data-reason", TokenState.SUPERSEDED)
    page.goto(email_link_path(mail.outbox[-1]))
    page.get_by_role("button", name="Activer cette adresse").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Adresse de courriel activée")


# --- 4. Cell phone (CEL-1, CEL-2) ----------------------------------------------------------------------


def test_CEL_1_CEL_2_cell_number_is_confirmed_with_the_texted_code(page, dentist):
    signed_in(page)
    open_edit(page, CORRESPONDENCE)
    page.get_by_label("Cellulaire", exact=True).fill("418 555-0123")
    save(page)

    # CEL-1: a code goes by text message and the confirm page opens.
    expect(page).to_have_url("/profil/cellulaire/confirmer/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirmer mon cellulaire")
    expect(messages(page)).to_contain_text("Un code de confirmation a été envoyé par message texte à votre cellulaire.")
    assert [m.to for m in LocmemSmsBackend.outbox] == ["+14185550123"]
    code = last_sms_code()
    assert fresh(dentist).cell_confirmed_at is None

    # CEL-2: "Code non reçu?" is always there; resending within a minute is refused.
    not_received = page.get_by_role("region", name="Code non reçu?")
    expect(not_received).to_be_visible()
    expect(not_received.get_by_role("link", name="Corriger le numéro de cellulaire")).to_be_visible()
    not_received.get_by_role("button", name="Envoyer un nouveau code").click()
    expect(page).to_have_url("/profil/cellulaire/confirmer/")
    expect(messages(page)).to_contain_text("Un code vient d'être envoyé. Attendez une minute avant d'en demander un autre.")
    assert len(LocmemSmsBackend.outbox) == 1

    # A wrong code: the error is next to the field, with the tries left.
    wrong = "000000" if code != "000000" else "111111"
    page.get_by_label("Code reçu par message texte").fill(wrong)
    page.get_by_role("button", name="Confirmer").click()
    expect(field_error(page, "Code reçu par message texte")).to_have_text("Ce code n'est pas le bon. Il vous reste 4 essai(s).")
    expect(page.get_by_label("Code reçu par message texte")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("region", name="Code non reçu?")).to_be_visible()
    assert fresh(dentist).cell_confirmed_at is None

    # Meanwhile the Profil shows the number as unconfirmed.
    page.goto("/profil/")
    cell = section(page, CORRESPONDENCE).locator("h3:text-is('Cellulaire') + p")
    expect(cell).to_contain_text("(418) 555-0123")
    expect(cell).to_contain_text("non confirmé")
    cell.get_by_role("link", name="Entrer le code reçu").click()

    # The right code confirms the number.
    page.get_by_label("Code reçu par message texte").fill(code)
    page.get_by_role("button", name="Confirmer").click()
    expect(page).to_have_url("/profil/")
    expect(messages(page)).to_contain_text("Votre numéro de cellulaire est confirmé.")
    cell = section(page, CORRESPONDENCE).locator("h3:text-is('Cellulaire') + p")
    expect(cell).to_contain_text("(418) 555-0123")
    expect(cell).to_contain_text("confirmé")
    expect(cell).not_to_contain_text("non confirmé")
    assert fresh(dentist).cell_confirmed_at == clock.now()


def test_CEL_2_resend_after_a_minute_kills_the_previous_code(page, dentist):
    signed_in(page)
    open_edit(page, CORRESPONDENCE)
    page.get_by_label("Cellulaire", exact=True).fill("418 555-0123")
    save(page)
    first_code = last_sms_code()

    timetravel.move_to(START + timedelta(minutes=1))
    page.get_by_role("button", name="Envoyer un nouveau code").click()
    expect(messages(page)).to_contain_text("Un nouveau code a été envoyé. Le code précédent ne fonctionne plus.")
    assert len(LocmemSmsBackend.outbox) == 2
    second_code = last_sms_code()

    if first_code != second_code:  # 1 chance in a million that they are equal
        # The previous code no longer works, and the page says why (it costs no try).
        page.get_by_label("Code reçu par message texte").fill(first_code)
        page.get_by_role("button", name="Confirmer").click()
        expect(field_error(page, "Code reçu par message texte")).to_have_text(
            "Un code plus récent a été envoyé : entrez le dernier code reçu."
        )
        assert fresh(dentist).cell_confirmed_at is None
    wrong = next(c for c in ("000000", "111111", "222222") if c not in (first_code, second_code))
    page.get_by_label("Code reçu par message texte").fill(wrong)
    page.get_by_role("button", name="Confirmer").click()
    expect(field_error(page, "Code reçu par message texte")).to_have_text("Ce code n'est pas le bon. Il vous reste 4 essai(s).")
    page.get_by_label("Code reçu par message texte").fill(second_code)
    page.get_by_role("button", name="Confirmer").click()
    expect(messages(page)).to_contain_text("Votre numéro de cellulaire est confirmé.")


def test_CEL_2_PRO_4_saving_the_section_again_keeps_the_confirmed_cell_and_the_telephones(page, dentist):
    """The form shows numbers in national format and saves them in E.164: saving the section again
    (here, for a new address) must neither unconfirm the cell nor re-create unchanged telephones."""
    signed_in(page)
    open_edit(page, CORRESPONDENCE)
    page.get_by_label("Cellulaire", exact=True).fill("418 555-0123")
    save(page)
    page.get_by_label("Code reçu par message texte").fill(last_sms_code())
    page.get_by_role("button", name="Confirmer").click()
    expect(messages(page)).to_contain_text("Votre numéro de cellulaire est confirmé.")
    confirmed_at = fresh(dentist).cell_confirmed_at
    phone_ids = sorted(dentist.telephones.values_list("pk", flat=True))

    change_address(page, **NEW_ADDRESS)
    expect(page).to_have_url("/profil/")
    cell = section(page, CORRESPONDENCE).locator("h3:text-is('Cellulaire') + p")
    expect(cell).to_contain_text("confirmé")
    expect(cell).not_to_contain_text("non confirmé")
    assert len(LocmemSmsBackend.outbox) == 1  # no new code
    assert fresh(dentist).cell_confirmed_at == confirmed_at
    assert sorted(dentist.telephones.values_list("pk", flat=True)) == phone_ids

    page.get_by_role("link", name="Historique de mon dossier").click()
    expect(page.get_by_role("table")).not_to_contain_text("Changement de téléphone")
    expect(page.get_by_role("table")).to_contain_text("Changement d'adresse de correspondance")


# --- 5. Correspondence preferences (PRF-1..3) -----------------------------------------------------------


def test_PRF_1_PRF_2_PRF_3_payments_by_post_pends_until_its_date_and_fixed_kinds_cannot_change(page, dentist):
    effective = paycalendar.effective_date(clock.now())
    signed_in(page)

    # PRF-2: enrolled, so secure messaging by default; PRF-1: two kinds always by post.
    table = section(page, PREFERENCES).get_by_role("table")
    payments = table.get_by_role("row", name="Vos paiements")
    expect(payments).to_contain_text("Messagerie sécurisée")
    for kind in ALWAYS_BY_POST:
        expect(table.get_by_role("row", name=str(kind.label))).to_contain_text("Poste (toujours par la poste)")

    open_edit(page, PREFERENCES)
    expect(page.get_by_role("heading", level=1)).to_have_text("Modifier les préférences de correspondance")
    expect(page.locator("main")).to_contain_text(f"entreront en vigueur le {french_date(effective)}")  # BEY-2
    for kind in ALWAYS_BY_POST:
        fixed = page.get_by_role("group", name=str(kind.label))
        expect(fixed).to_contain_text("Toujours envoyé par la poste : ce choix ne peut pas être modifié.")
        expect(fixed.get_by_role("radio")).to_have_count(0)
    group = page.get_by_role("group", name="Vos paiements")
    expect(group.get_by_label("Messagerie sécurisée")).to_be_checked()
    group.get_by_label("Poste").check()
    save(page)

    # PRF-3: recorded now, shown as pending with its date; the channel in force does not change yet.
    expect(page).to_have_url("/profil/")
    expect(messages(page)).to_contain_text(f"Vos préférences ont été enregistrées. Elles entreront en vigueur le {french_date(effective)}.")
    payments = section(page, PREFERENCES).get_by_role("row", name="Vos paiements")
    expect(payments.get_by_role("cell").nth(0)).to_have_text("Messagerie sécurisée")
    expect(payments.get_by_role("cell").nth(1)).to_have_text(f"Poste, le {french_date(effective)}")
    for kind in ALWAYS_BY_POST:
        expect(section(page, PREFERENCES).get_by_role("row", name=str(kind.label))).to_contain_text("toujours par la poste")
    row = CorrespondencePreference.objects.get(professional=dentist, kind=CorrespondenceKind.PAYMENTS)
    assert (row.channel, row.effective_from) == (Channel.POST, effective)
    assert not CorrespondencePreference.objects.filter(professional=dentist, kind__in=ALWAYS_BY_POST).exists()

    # On the effective date, *Poste* is in force and nothing pends.
    timetravel.move_to(START.replace(year=effective.year, month=effective.month, day=effective.day, hour=8))
    page.reload()
    sign_in_again(page)
    payments = section(page, PREFERENCES).get_by_role("row", name="Vos paiements")
    expect(payments.get_by_role("cell").nth(0)).to_have_text("Poste")
    expect(payments.get_by_role("cell").nth(1)).to_have_text("—")


# --- 6. Optimistic locking -------------------------------------------------------------------------------


def test_PRO_1_optimistic_locking_second_tab_save_is_refused_and_saves_nothing(page, second_tab, dentist):
    signed_in(page)
    open_edit(page, CORRESPONDENCE)
    second_tab.goto("/profil/")
    open_edit(second_tab, CORRESPONDENCE)
    before = fresh(dentist)
    phones_before = sorted((t.kind, str(t.number), t.extension) for t in before.telephones.all())

    # First tab: a new address.
    fill_address(page, **NEW_ADDRESS)
    save(page)
    expect(page).to_have_url("/profil/")
    expect(messages(page)).to_contain_text("Vos coordonnées de correspondance ont été enregistrées.")

    # Second tab, opened before that save: another address, a telephone and an email.
    fill_address(second_tab, line1="9, chemin du Lac", city="Sherbrooke", province="QC", postal_code="J1H 1A1")
    second_tab.get_by_label("Numéro de téléphone").first.fill("819 555-0111")
    second_tab.get_by_label("Courriel", exact=True).fill("autre@exemple.ca")
    second_tab.get_by_label("Répéter courriel", exact=True).fill("autre@exemple.ca")
    save(second_tab)

    expect(second_tab).to_have_url("/profil/correspondance/")
    expect(messages(second_tab)).to_contain_text(
        "Cette section a été modifiée ailleurs (dans un autre onglet ou par la Régie) depuis que vous l'avez ouverte. "
        "Rien n'a été enregistré : voici les données à jour, refaites vos changements."
    )
    # The form now holds the data saved by the first tab.
    expect(second_tab.get_by_label("Adresse", exact=True)).to_have_value(NEW_ADDRESS["line1"])

    after = fresh(dentist)
    assert not CorrespondenceAddress.objects.filter(professional=dentist, line1="9, chemin du Lac").exists()
    pending = CorrespondenceAddress.objects.get(professional=dentist, cancelled_at__isnull=True, effective_from__gt=clock.today())
    assert pending.line1 == NEW_ADDRESS["line1"]
    assert sorted((t.kind, str(t.number), t.extension) for t in after.telephones.all()) == phones_before
    assert after.email == "" and mail.outbox == []
    assert after.correspondence_version == before.correspondence_version + 1


# --- 7. Places of practice (PRO-2) ------------------------------------------------------------------------


def practice_fieldset(page, legend: str):
    return page.get_by_role("group", name=legend, exact=True)


def test_PRO_2_add_a_second_place_make_it_main_and_the_only_place_cannot_be_removed(page, dentist):
    signed_in(page)
    expect(section(page, PRACTICE).locator(".place")).to_have_count(1)

    # Add a second place (public coordinates change at once).
    open_edit(page, PRACTICE)
    new = practice_fieldset(page, "Nouveau lieu de pratique (facultatif)")
    new.get_by_label("Nom du lieu").fill("Clinique dentaire de Lévis")
    fill_address(new, line1="5, rue Wolfe", city="Lévis", province="QC", postal_code="G6V 3Y4")
    new.get_by_label("Téléphone principal").fill("418 555-0177")
    save(page)
    expect(page).to_have_url("/profil/")
    expect(messages(page)).to_contain_text("Vos coordonnées de pratique ont été enregistrées.")
    places = section(page, PRACTICE).locator(".place")
    expect(places).to_have_count(2)
    expect(places.filter(has_text="Clinique Tremblay")).to_contain_text("Lieu de pratique principal")
    expect(places.filter(has_text="Clinique dentaire de Lévis")).not_to_contain_text("Lieu de pratique principal")

    # Make the new place the main one.
    open_edit(page, PRACTICE)
    practice_fieldset(page, "Clinique Tremblay").get_by_label("Lieu de pratique principal").uncheck()
    practice_fieldset(page, "Clinique dentaire de Lévis").get_by_label("Lieu de pratique principal").check()
    save(page)
    expect(page).to_have_url("/profil/")
    places = section(page, PRACTICE).locator(".place")
    expect(places.filter(has_text="Clinique dentaire de Lévis")).to_contain_text("Lieu de pratique principal")
    expect(places.filter(has_text="Clinique Tremblay")).not_to_contain_text("Lieu de pratique principal")
    assert dentist.places_of_practice.get(is_main=True).name == "Clinique dentaire de Lévis"

    # Remove the old place: the new one is now the only one.
    open_edit(page, PRACTICE)
    practice_fieldset(page, "Clinique Tremblay").get_by_label("Supprimer").check()
    save(page)
    expect(page).to_have_url("/profil/")
    expect(section(page, PRACTICE).locator(".place")).to_have_count(1)

    # The only place cannot be removed.
    open_edit(page, PRACTICE)
    practice_fieldset(page, "Clinique dentaire de Lévis").get_by_label("Supprimer").check()
    save(page)
    expect(page).to_have_url("/profil/pratique/")
    expect(page.locator(".error-summary")).to_contain_text(
        "Le lieu de pratique principal ne peut pas être retiré tant qu'il est le seul."
    )
    assert list(dentist.places_of_practice.values_list("name", "is_main")) == [("Clinique dentaire de Lévis", True)]


def test_PRO_2_two_main_places_are_refused(page, dentist):
    signed_in(page)
    open_edit(page, PRACTICE)
    new = practice_fieldset(page, "Nouveau lieu de pratique (facultatif)")
    new.get_by_label("Nom du lieu").fill("Clinique dentaire de Lévis")
    fill_address(new, line1="5, rue Wolfe", city="Lévis", province="QC", postal_code="G6V 3Y4")
    new.get_by_label("Téléphone principal").fill("418 555-0177")
    new.get_by_label("Lieu de pratique principal").check()
    save(page)
    expect(page).to_have_url("/profil/pratique/")
    expect(page.locator(".error-summary")).to_contain_text("Indiquez un seul lieu de pratique principal.")
    assert dentist.places_of_practice.count() == 1


# --- 8. History (BEY-6) -----------------------------------------------------------------------------------


def test_BEY_6_history_lists_my_changes_with_Vous_as_author(page, dentist):
    signed_in(page)
    # A telephone (PRO-4, at once), the address (dated) and the email, in one save.
    open_edit(page, CORRESPONDENCE)
    fill_address(page, **NEW_ADDRESS)
    page.get_by_label("Numéro de téléphone").nth(1).fill("418 555-0188")
    page.get_by_label("Courriel", exact=True).fill(NEW_EMAIL)
    page.get_by_label("Répéter courriel", exact=True).fill(NEW_EMAIL)
    save(page)
    expect(page).to_have_url("/profil/")
    # PRO-4: the telephone is in force at once.
    expect(section(page, CORRESPONDENCE).locator("h3:text-is('Téléphones') + ul")).to_contain_text("(418) 555-0188")

    page.get_by_role("link", name="Historique de mon dossier").click()
    expect(page).to_have_url("/profil/historique/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Historique de mon dossier")
    rows = page.get_by_role("table").locator("tbody tr")

    def row_with(text: str):
        row = rows.filter(has_text=text)
        expect(row.first).to_be_visible()
        return row

    address = row_with("Changement d'adresse de correspondance")
    expect(address).to_have_count(1)
    expect(address).to_contain_text(NEW_ADDRESS["line1"])
    expect(address.locator("td").last).to_have_text("Vous")
    email = row_with("Changement de courriel")
    expect(email).to_contain_text(NEW_EMAIL)
    expect(email.locator("td").last).to_have_text("Vous")
    telephone = row_with("Changement de téléphone")
    expect(telephone.filter(has_text="(418) 555-0188")).to_have_count(1)
    for i in range(telephone.count()):
        expect(telephone.nth(i).locator("td").last).to_have_text("Vous")
    # When: the date and time of the save, in French. Time stands still at START for the whole
    # process, django-simple-history's stamps included.
    when = row_with("Changement d'adresse de correspondance").locator("td").first
    expect(when).to_have_text(f"{french_date(START.date())}, {START:%H:%M}")
    # The file's own records from the demo data were made by the board, not by "Vous".
    expect(rows.filter(has_text="Dossier de professionnel : ajout").locator("td").last).to_have_text("La Régie")


# --- 9. The busiest Profil pages in every display mode (BEY-9) --------------------------------------------


@pytest.mark.parametrize("mode", ["normal", "contraste-eleve", "contraste-inverse"])
def test_BEY_9_profil_pages_with_pending_changes_and_errors_pass_axe_in_every_display_mode(page, dentist, live_server, mode):
    """Pending blocks, status words, field errors and dead-link alerts: their colours in each mode."""
    page.context.add_cookies([{"name": DISPLAY_COOKIE, "value": mode, "url": live_server.url}])
    signed_in(page)
    expect(page.locator("html")).to_have_class(re.compile(rf"(^|\s)mode-{mode}(\s|$)"))

    # The correspondence form with an error next to a field and in the summary.
    open_edit(page, CORRESPONDENCE)
    fill_address(page, **NEW_ADDRESS)
    page.get_by_label("Cellulaire", exact=True).fill("418 555-0123")
    page.get_by_label("Courriel", exact=True).fill(NEW_EMAIL)
    page.get_by_label("Répéter courriel", exact=True).fill("quelqu.un@exemple.ca")
    save(page)
    expect(field_error(page, "Répéter courriel")).to_be_visible()

    # The confirm page with a wrong code.
    page.get_by_label("Répéter courriel", exact=True).fill(NEW_EMAIL)
    save(page)
    expect(page).to_have_url("/profil/cellulaire/confirmer/")
    page.get_by_label("Code reçu par message texte").fill("12345")
    page.get_by_role("button", name="Confirmer").click()
    expect(field_error(page, "Code reçu par message texte")).to_have_text("Le code compte 6 chiffres.")

    # A pending preference too, then the Profil with everything pending or unconfirmed.
    page.goto("/profil/preferences/")
    page.get_by_role("group", name="Vos paiements").get_by_label("Poste").check()
    save(page)
    expect(section(page, CORRESPONDENCE).locator(".pending")).to_be_visible()
    expect(section(page, CORRESPONDENCE)).to_contain_text("non confirmé")
    expect(section(page, CORRESPONDENCE)).to_contain_text("en attente de validation")
    expect(section(page, PREFERENCES).get_by_role("button", name="Annuler les changements en attente")).to_be_visible()

    # A dead link's alert; then the history.
    link = email_link_path(mail.outbox[-1])
    page.goto(link)
    page.get_by_role("button", name="Activer cette adresse").click()
    page.goto(link)
    expect(page.get_by_role("alert")).to_be_visible()
    page.goto("/profil/historique/")
    expect(page.get_by_role("table")).to_be_visible()
