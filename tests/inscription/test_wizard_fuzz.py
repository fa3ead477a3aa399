"""The registration wizard (INS-3..6) and the enrolment pages (INS-2) under hypothesis-generated bad input.

Every page is POSTed through the test client as the newcomer (Benoît Gagnon, tests/inscription/conftest.py):

* each of the six steps, after the earlier steps were completed with valid entries and the step itself
  once saved valid (walk_to), with *Continuer*: the page never fails (status < 500); it comes back (200)
  with at least one error, every message in French; or it refuses a page shown before another window
  saved (the draft's version) with a French message; or, when the entries are valid after all, it saves
  them and moves on. Whatever happens, the entries the draft holds for every step are unchanged unless
  that valid save happened, and the file (Professional, telephones, places, addresses, billing account
  and its settings, users, requests...) is never changed by a step;
* each step with *Quitter* or *Précédent*: what was typed (every field but the password and the page's
  controls) is what the draft then holds for the step, as typed even when invalid, unfinished if it
  differs from what was saved; the step then shows again, and the wizard resumes there;
* the two enrolment pages and the two forgotten-password pages: never a failure, French errors, no
  account created and no password changed from invalid input;
* the summary page with a stale or garbage draft version: nothing completed.

Besides: a blank SIN or bank account number keeps the saved one (they are never shown back in full); the
searches of step 6 keep the entries and *Annuler* falls back to "not now"; step numbers out of reach or
out of range send back to the step to finish; whatever a step accepts after all (odd but valid entries)
goes through the summary and the completing services without failure; garbage password reset links.

Each hypothesis example runs in a savepoint that is rolled back, so that every example starts from the
same draft; the "nothing changed" comparisons are made non-vacuous by the valid-input tests at the end,
which use the same snapshots and see them change.

Bugs this file found are kept, once fixed, as regression tests (their docstrings say what happened
before); a bug still open would be an xfail(strict=True) test whose reason starts with "BUG:".
"""
from __future__ import annotations

import html
import json
import os
import re
import string
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

import django.contrib.auth
import polib
import pytest
from django import forms
from django.contrib.auth.tokens import default_token_generator
from django.contrib.messages import get_messages
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from hypothesis import HealthCheck, event, example, given, settings, strategies as st

from comptes.constants import AgencyType, ReceptionMode, StatementOption
from comptes.models import (
    AccountMembership,
    BillingAccount,
    BillingAgency,
    FinancialInstitution,
    PaymentSettings,
    SoftwareDeveloper,
    StatementSettings,
)
from dossier.constants import RemunerationMode
from dossier.models import (
    CorrespondenceAddress,
    CorrespondencePreference,
    PlaceOfPractice,
    Professional,
    Request,
    Telephone,
    User,
    VerificationToken,
)
from inscription import enrolment as enrolment_service
from inscription import wizard
from inscription.models import Enrolment, RegistrationDraft, SecretAnswer
from notifications.models import OutboundMessage
from ramq_portal import clock
from tests.french_messages import ENGLISH_MARKERS, FRENCH_MESSAGE, _collapse, _french_pattern
from tests.fuzzing import shown_errors
from tests.inscription.conftest import (
    ANSWERS,
    PASSWORD,
    USERNAME,
    account_data,
    draft_version,
    enrol,
    identity,
    open_newcomer,
    post_step,
    step_data,
    walk_to,
)

pytestmark = pytest.mark.django_db

# Through the test client (one POST, sometimes two GETs, per example): 20 examples a test keep the file
# near 45 s. FUZZ_N=200 digs deeper.
FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_N", "20")), deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FRENCH = {"HTTP_ACCEPT_LANGUAGE": "fr-CA"}

VALID_SIN = "130 692 544"
OTHER_WINDOW = "Votre inscription a été modifiée dans une autre fenêtre."
FILE_CHANGED = "Votre dossier a été modifié par la Régie depuis l'affichage de cette page."


# --- What "in French" means ---------------------------------------------------------------------------
# tests/french_messages.py: Django's and phonenumber_field's French catalogues and the app's messages (the
# msgids of locale/en). The password rules' messages (INS-2, forgotten password) come from
# django.contrib.auth's own catalogue, which that checker does not read: its French messages are French
# too, and its English ones are refused like the others.


def _auth_catalogue() -> tuple[list[str], list[str]]:
    """django.contrib.auth's French catalogue: the password rules' messages (INS-2, forgotten password)."""
    path = Path(django.contrib.auth.__file__).parent / "locale" / "fr" / "LC_MESSAGES" / "django.po"
    french, english = [], []
    for entry in polib.pofile(str(path)):
        french += [entry.msgstr, *entry.msgstr_plural.values()]
        english += [entry.msgid, entry.msgid_plural]
    return [m for m in french if m], [m for m in english if m]


_AUTH_FRENCH, _AUTH_ENGLISH = _auth_catalogue()
AUTH_FRENCH_MESSAGE = _french_pattern(_AUTH_FRENCH)
AUTH_ENGLISH_MARKERS = sorted({_collapse(m.split("%")[0]) for m in _AUTH_ENGLISH if len(_collapse(m.split("%")[0])) >= 15}
                              - {m for m in _AUTH_FRENCH})


def assert_french(texts, echoed=()):
    """`echoed`: the values sent, which a message may quote ("X n'en fait pas partie"): not checked for
    English."""
    for text in texts:
        unquoted = text
        for value in sorted((_collapse(v) for v in echoed if _collapse(v)), key=len, reverse=True):
            unquoted = unquoted.replace(value, "")
        english = [marker for marker in (*ENGLISH_MARKERS, *AUTH_ENGLISH_MARKERS) if marker in unquoted]
        assert not english, f"English message shown: {text!r} (contains {english})"
        collapsed = _collapse(text)
        assert FRENCH_MESSAGE.fullmatch(collapsed) or AUTH_FRENCH_MESSAGE.fullmatch(collapsed), f"not a known French message: {text!r}"


def test_the_french_check_refuses_english_and_unknown_messages():
    """The check is not vacuous: the wizard's and the password rules' messages pass, English ones and
    unknown text do not."""
    assert_french(["Ce champ est obligatoire.", "Cochez cette autorisation pour poursuivre votre inscription.",
                   "Engagement : L'engagement est obligatoire pour être rémunéré par la Régie et accéder aux services en ligne.",
                   OTHER_WINDOW + " Rien n'a été enregistré\u00a0: voici les renseignements à jour.",
                   "Le lieu 1 contient des erreurs.", "Ce mot de passe est trop court. Il doit contenir au minimum 10 caractères.",
                   "Sélectionnez un choix valide. 42 n’en fait pas partie."])
    for english in ["This field is required.", "Select a valid choice. That choice is not one of the available choices.",
                    "Enter a valid date.", "This password is too short. It must contain at least 10 characters.",
                    "ManagementForm data is missing or has been tampered with", "Quelque chose ne va pas."]:
        with pytest.raises(AssertionError):
            assert_french([english])


def _sent(data: dict) -> list[str]:
    return [v for value in data.values() for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)]


def assert_errors_in_french(response, sent: dict, *, must_show_one=True):
    """A page that came back (200, or 429 when throttled): an error is shown, every message in French."""
    errors = shown_errors(response)
    shown = [*errors.fields.values(), *errors.summaries, errors.messages]
    if must_show_one:
        assert any(shown), "the form came back without any error"
    for texts in shown:
        assert_french(texts, echoed=_sent(sent))


def redirect_messages(response) -> list[str]:
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert_french(shown)
    return shown


# --- What "nothing changed" means -------------------------------------------------------------------------

FILE_MODELS = (Professional, Telephone, PlaceOfPractice, CorrespondenceAddress, CorrespondencePreference, VerificationToken,
               BillingAccount, PaymentSettings, StatementSettings, AccountMembership, Request, BillingAgency)
HISTORY_MODELS = (Professional, Telephone, PlaceOfPractice, CorrespondenceAddress, BillingAccount, PaymentSettings, StatementSettings)


def _rows(model):
    return [tuple(sorted(row.items())) for row in model.objects.order_by("pk").values()]


def file_snapshot() -> dict:
    """Every row of the file and of the accounts a step could reach (for everyone), the accounts of the
    online services, history row counts, and what was sent or queued."""
    return {
        **{model.__name__: _rows(model) for model in FILE_MODELS},
        "users": [(u.pk, u.username, u.password, u.is_active) for u in User.objects.order_by("pk")],
        "enrolments": _rows(Enrolment),
        "secret_answers": _rows(SecretAnswer),
        "history": {model.__name__: model.history.count() for model in HISTORY_MODELS},
        "outbound": _rows(OutboundMessage),
        "mail": len(mail.outbox),
    }


def draft_state(professional) -> SimpleNamespace:
    draft = RegistrationDraft.objects.get(professional=professional)
    return SimpleNamespace(steps=json.loads(json.dumps(draft.steps)), payload=draft.payload, version=draft.version,
                           current_step=draft.current_step)


@contextmanager
def rolled_back():
    """One hypothesis example: whatever it writes is undone, so that every example starts from the same
    draft. The cache is emptied too: the sessions are kept in the database as well (cached_db), and a
    session whose row was rolled back must not live on in the cache."""
    try:
        with transaction.atomic():
            yield
            transaction.set_rollback(True)
    finally:
        cache.clear()


# --- Strategies ---------------------------------------------------------------------------------------------

# Any text a browser can send (no lone surrogates): unicode, controls, NUL, RTL marks, emoji...
ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
CONTROLS = st.text(st.sampled_from("\x00\x01\x07\x08\x0b\x0c\x1b\x7f\x85\u200b\u200e\u202e\ufeff\r\n\t"), min_size=1, max_size=6)
BLANK = st.sampled_from(["", " ", "   ", "\t", "\n", "\r\n", "\u00a0", "\u2003 \u3000"])
LONG = st.builds(lambda c, n: c * n, st.sampled_from(["a", "9", "é", "😀", " ", "-", "\x00"]),
                 st.sampled_from([101, 201, 256, 1001, 5000]))
INTEGERS = st.one_of(
    st.integers(-10**30, 10**30).map(str),
    st.sampled_from(["0", "-0", "-1", "+1", " 1", "1 ", "1.0", "1e3", "0x1", "٣", "１", "²", "∞", "NaN", "9" * 30, "9" * 5000]),
)
FUZZ_VALUE = st.one_of(ANY_TEXT, CONTROLS, BLANK, LONG, INTEGERS,
                       st.builds(lambda a, b: a + "\x00" + b, st.text(string.ascii_letters, max_size=5),
                                 st.text(string.ascii_letters, max_size=5)))
# Several values for one field (a list where one value is expected), or none at all.
WRONG_TYPE = st.one_of(st.lists(FUZZ_VALUE, min_size=2, max_size=3), st.just(["on", "off"]), st.just([]))
MISSING = None  # the field is left out of the POST
FILE = "<file>"  # the field is sent as a file upload: it is then not in request.POST at all

ADDRESS_FIELDS = ["country", "line1", "line2", "city", "province", "postal_code", "region"]
STEP_FIELDS = {
    1: ["engaged"],
    2: ["sin"],
    3: [*ADDRESS_FIELDS, "declared_agency_address", "cell", "email", "email_confirm", "tel-0-kind", "tel-0-number", "tel-0-extension"],
    4: ["lieu-0-pk", "lieu-0-name", "lieu-0-is_main", "lieu-0-DELETE", *(f"lieu-0-{name}" for name in ADDRESS_FIELDS),
        "lieu-0-main_telephone"],
    5: ["mode", "institution", "transit", "account_number", "personal_account_confirmed", "password", "payment_authorised",
        "recovery_authorised", "choice", "account_name", "group_number"],
    6: ["option", "agency", "developer", "reception_mode", "mandate_accepted", *ADDRESS_FIELDS, "agence_q", "developpeur_q"],
}
MANAGEMENT = {3: "tel", 4: "lieu"}
UNKNOWN_FIELDS = ["zzz", "lieu-5-name", "tel-3-number", "tel-1-number", "lieu-1-pk", "data", "steps", "complete", "shown",
                  "professional", "csrfmiddlewaretoken", "DELETE", "version2"]


def valid_entries(number: int, professional) -> dict:
    """The valid entries the step was saved with (walk_to), as the page would send them again."""
    data = step_data(number, professional)
    if number == 2 and professional.remuneration_mode == RemunerationMode.FIXED_FEES:
        data["sin"] = VALID_SIN
    return data


@st.composite
def reference_ids(draw, reference, kind):
    """An id for the institution, agency or developer field: unknown, inactive, garbage, or a real one."""
    real = {"institution": [reference.institution.pk], "agency": [reference.agency.pk],
            "developer": [reference.developer.pk]}[kind]
    inactive = {"institution": [], "agency": [reference.inactive_agency.pk], "developer": [reference.inactive_developer.pk]}[kind]
    return draw(st.one_of(
        st.integers(-10**6, 10**6).map(str), st.sampled_from([*map(str, inactive), "9" * 30, "9" * 19, "0", "-1", "1.0", "٣", " 1"]),
        st.sampled_from([str(pk) for pk in real]), FUZZ_VALUE,
    ))


@st.composite
def mutations(draw, number: int, reference, *, allow_draft_version=True):
    """Changes to a step's valid entries: {field: value, list of values, MISSING or FILE}."""
    changes: dict = {}
    fields = STEP_FIELDS[number]
    for _ in range(draw(st.integers(1, 4), label="how many")):
        case = draw(st.sampled_from(["text", "text", "text", "missing", "wrong_type", "file", "management", "ids", "scenario",
                                     "unknown_field", "draft_version", "retour"]))
        if case == "text":
            changes[draw(st.sampled_from(fields))] = draw(FUZZ_VALUE)
        elif case == "missing":
            changes[draw(st.sampled_from(fields))] = MISSING
        elif case == "wrong_type":
            changes[draw(st.sampled_from(fields))] = draw(WRONG_TYPE)
        elif case == "file":
            changes[draw(st.sampled_from(fields))] = FILE
        elif case == "management" and number in MANAGEMENT:
            prefix = MANAGEMENT[number]
            name = draw(st.sampled_from(["TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"]))
            value = draw(st.one_of(st.just(MISSING), st.integers(-10, 12).map(str), INTEGERS, FUZZ_VALUE, WRONG_TYPE))
            changes[f"{prefix}-{name}"] = value
        elif case == "ids" and number == 5:
            changes.update({"mode": "virement", "institution": draw(reference_ids(reference, "institution")),
                            "transit": draw(st.one_of(st.just("12345"), FUZZ_VALUE)),
                            "account_number": draw(st.one_of(st.just("1234567"), FUZZ_VALUE)),
                            "personal_account_confirmed": draw(st.sampled_from(["on", MISSING])),
                            "password": draw(st.sampled_from([PASSWORD, "pas le bon", "", MISSING]))})
        elif case == "ids" and number == 6:
            option = draw(st.sampled_from([StatementOption.AGENCY, StatementOption.SELF_BILLING]))
            field = "agency" if option == StatementOption.AGENCY else "developer"
            changes.update({"option": str(option), field: draw(reference_ids(reference, field)),
                            "reception_mode": draw(st.one_of(st.sampled_from([*ReceptionMode.values, "", "poste", MISSING]), FUZZ_VALUE)),
                            "mandate_accepted": draw(st.sampled_from(["on", MISSING]))})
        elif case == "scenario" and number == 5:  # an administrative account asked for, half filled in
            changes.update({"choice": draw(st.sampled_from(["individuel", "collectif", "joindre", "autre", ""])),
                            "account_name": draw(st.one_of(BLANK, FUZZ_VALUE)), "group_number": draw(st.one_of(INTEGERS, FUZZ_VALUE))})
        elif case == "scenario" and number == 3:  # a second telephone row, or a new email
            if draw(st.booleans()):
                changes.update({"tel-TOTAL_FORMS": "2", "tel-1-kind": draw(st.sampled_from(["bureau", "domicile", "", "fax"])),
                                "tel-1-number": draw(st.one_of(st.just("514 555-0199"), FUZZ_VALUE)),
                                "tel-1-extension": draw(st.one_of(st.just(""), FUZZ_VALUE))})
            else:
                email = draw(st.one_of(st.just("benoit@example.ca"), FUZZ_VALUE))
                changes.update({"email": email, "email_confirm": draw(st.one_of(st.just(email), FUZZ_VALUE))})
        elif case == "scenario" and number == 4:  # a second place
            changes.update({"lieu-TOTAL_FORMS": "2", "lieu-1-name": draw(st.one_of(st.just("Clinique du Nord"), FUZZ_VALUE)),
                            "lieu-1-is_main": draw(st.sampled_from(["on", MISSING])),
                            "lieu-1-pk": draw(st.one_of(st.just(""), INTEGERS)),
                            **{f"lieu-1-{k}": v for k, v in (("country", "CA"), ("line1", "12, rue du Nord"), ("city", "Chicoutimi"),
                                                             ("province", "QC"), ("postal_code", "G7H 5B8"))},
                            "lieu-1-main_telephone": draw(st.one_of(st.just("418 555-0101"), FUZZ_VALUE))})
        elif case == "scenario" and number == 6:  # a search's query left in the form
            changes[draw(st.sampled_from(["agence_q", "developpeur_q"]))] = draw(st.one_of(st.just("Facturation"), FUZZ_VALUE))
        elif case == "unknown_field":
            changes[draw(st.sampled_from(UNKNOWN_FIELDS))] = draw(st.one_of(FUZZ_VALUE, WRONG_TYPE))
        elif case == "draft_version" and allow_draft_version:
            changes["draft_version"] = draw(st.one_of(st.just(MISSING), INTEGERS, FUZZ_VALUE, WRONG_TYPE))
        elif case == "retour":
            changes["retour"] = draw(st.sampled_from(["recapitulatif", "", "autre", ["recapitulatif", "x"], ["x", "recapitulatif"]]))
    return changes


REFUSED = object()


def integer_field(value):
    """What a Django IntegerField (the management form's) makes of a value: REFUSED or a number."""
    if value is None:
        return REFUSED
    try:
        return forms.IntegerField().clean(value)
    except ValidationError:
        return REFUSED


def _is_pk(value, pk) -> bool:
    """Whether a ModelChoiceField would take `value` for the row `pk` (the lookup goes through int())."""
    try:
        return value is not None and int(value) == pk
    except (TypeError, ValueError):
        return False


def certainly_refused(number: int, post: dict, base: dict, reference) -> bool:
    """Entries no rule could accept (an oracle independent of the forms, for the clear cases): the
    engagement not given, a management form that no longer describes the page, an unknown or inactive
    institution, agency or developer chosen."""
    if number == 1:
        engaged = last(post, "engaged")  # Django's checkbox: "false" and "" are not ticked ("0" is!)
        return engaged is None or engaged.lower() in ("", "false")
    if number in MANAGEMENT:
        prefix = MANAGEMENT[number]
        initial, total = integer_field(last(post, f"{prefix}-INITIAL_FORMS")), integer_field(last(post, f"{prefix}-TOTAL_FORMS"))
        if initial is REFUSED or total is REFUSED or initial != int(base[f"{prefix}-INITIAL_FORMS"]) or total < initial:
            return True
    if number == 5 and last(post, "mode") == "virement":
        return not _is_pk(last(post, "institution"), reference.institution.pk)
    if number == 6 and last(post, "option") == StatementOption.AGENCY:
        return not _is_pk(last(post, "agency"), reference.agency.pk)
    if number == 6 and last(post, "option") == StatementOption.SELF_BILLING:
        return not _is_pk(last(post, "developer"), reference.developer.pk)
    return False


def build_post(base: dict, changes: dict) -> dict:
    data = {**base, **changes}
    post = {}
    for key, value in data.items():
        if value is MISSING:
            continue
        if value == FILE:
            post[key] = SimpleUploadedFile("lettre.pdf", b"%PDF-1.4 fuzz", content_type="application/pdf")
        else:
            post[key] = value if isinstance(value, list) else str(value)
    return post


def as_posted(post: dict) -> dict:
    """The entries as the server receives them (field -> list of values), files and empty lists left out."""
    lists = {}
    for key, value in post.items():
        if isinstance(value, SimpleUploadedFile):
            continue
        values = value if isinstance(value, list) else [value]
        if values:
            lists[key] = [str(v) for v in values]
    return lists


def storable(post: dict, number: int, professional) -> dict:
    """What the draft must keep of a POST: the fields of the step's forms (the rows a formset reads, the
    searches of step 6), but never the password or the page's controls, nor an unknown field."""
    ctx = wizard.Context(professional=Professional.objects.get(pk=professional.pk),
                         draft=RegistrationDraft.objects.get(professional=professional), now=clock.now())
    known = wizard.field_names(wizard.BY_NUMBER[number].forms(ctx, wizard.as_querydict(as_posted(post))))
    controls = {"csrfmiddlewaretoken", "action", "password", "draft_version", "retour"}
    return {key: values for key, values in as_posted(post).items() if key in known and key not in controls}


SECRETS = ("sin", "account_number")


def kept_entries(post: dict, saved: dict, number: int, professional) -> dict:
    """What the draft must hold for a step after a POST: what was typed, except that a SIN or bank account
    number sent blank (they are never shown back in full) keeps the one saved for the step."""
    return storable(with_saved_secrets(post, saved), number, professional)


def with_saved_secrets(post: dict, saved: dict) -> dict:
    """The POST as the step reads it: a blank SIN or account number replaced by the saved one."""
    post = dict(post)
    for name in SECRETS:
        value = post.get(name)
        sent = value[-1] if isinstance(value, list) and value else value
        if isinstance(sent, str) and not sent.strip() and (saved.get(name) or [""])[0]:
            post[name] = saved[name]
    return post


def acceptable_password(password: str) -> bool:
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    try:
        validate_password(password, User(username="benoit.gagnon"))
    except ValidationError:
        return False
    return "\x00" not in password and bool(password)


def last(post: dict, key: str):
    values = as_posted(post).get(key)
    return values[-1] if values else None


def step_url(number: int) -> str:
    return reverse("inscription:step", args=[number]) if number <= 6 else reverse("inscription:summary")


# --- Fixtures ---------------------------------------------------------------------------------------------------


@pytest.fixture
def reference(db):
    """Reference data the fuzzed ids can point to: an institution, an active and an inactive agency, an
    active and an inactive developer."""
    developer = SoftwareDeveloper.objects.create(number="10001", name="Logiciel Dentaire")
    agency_address = {"line1": "500, rue de l'Agence", "city": "Montréal", "province": "QC", "postal_code": "H2X 3J6"}
    return SimpleNamespace(
        institution=FinancialInstitution.objects.create(number="815", name="Desjardins"),
        agency=BillingAgency.objects.create(transmission_number="20001", name="Facturation Express", agency_type=AgencyType.ATD,
                                            **agency_address),
        inactive_agency=BillingAgency.objects.create(transmission_number="20002", name="Facturation Fermée",
                                                     agency_type=AgencyType.ATD, is_active=False, **agency_address),
        developer=developer,
        inactive_developer=SoftwareDeveloper.objects.create(number="10002", name="Logiciel Fermé", is_active=False),
    )


WIZARD_CASES = [(1, RemunerationMode.FEE_FOR_SERVICE), (2, RemunerationMode.FEE_FOR_SERVICE), (2, RemunerationMode.FIXED_FEES),
                (3, RemunerationMode.FEE_FOR_SERVICE), (4, RemunerationMode.FEE_FOR_SERVICE), (5, RemunerationMode.FEE_FOR_SERVICE),
                (6, RemunerationMode.FEE_FOR_SERVICE)]
WIZARD_IDS = ["1", "2-acte", "2-honoraires_fixes", "3", "4", "5", "6"]


@pytest.fixture
def saved(client, pay_calendar, reference, number, mode):
    """The newcomer enrolled, steps 1..number saved valid with Continuer: the page of step `number` is
    the one fuzzed."""
    opened = open_newcomer(remuneration_mode=mode)
    enrol(client, opened)
    professional = opened.professional
    if mode == RemunerationMode.FIXED_FEES:  # step 2 asks for the SIN: walk_to's entries skip it
        walk_to(client, professional, min(number, 1))
        for step in range(2, number + 1):
            response = post_step(client, step, professional, **({"sin": VALID_SIN} if step == 2 else {}))
            assert response.status_code == 302 and response["Location"] == step_url(step + 1), response.content.decode()[:3000]
    else:
        walk_to(client, professional, number)
    professional.refresh_from_db()
    return SimpleNamespace(professional=professional, user=professional.user, base=valid_entries(number, professional))


def check_file_and_other_steps(before_file, before, after, number):
    assert file_snapshot() == before_file, "the file was changed by a step of the wizard"
    for key in set(before.steps) | set(after.steps):
        if key != str(number):
            assert after.steps.get(key) == before.steps.get(key), f"the entries of step {key} changed"


@contextmanager
def posted_step(client, saved, number: int, post: dict):
    """One example: `post` sent to step `number` as the newcomer, in a savepoint rolled back at the end of
    the block; gives the response, the draft and the file before, and the draft after."""
    with rolled_back():
        client.force_login(saved.user)
        before, before_file = draft_state(saved.professional), file_snapshot()
        response = client.post(step_url(number), post, **FRENCH)
        yield response, before, before_file, draft_state(saved.professional)


# --- INS-3: Continuer with bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(("number", "mode"), WIZARD_CASES, ids=WIZARD_IDS)
@FUZZ
@given(data=st.data())
def test_INS_3_bad_input_on_every_step_never_a_server_error_and_nothing_saved_is_lost(client, saved, reference, number, mode, data):
    professional = saved.professional
    changes = data.draw(mutations(number, reference), label="changes")  # the file's version stays right: see below
    if data.draw(st.booleans(), label="action missing"):
        changes["action"] = MISSING  # Continuer is the default
    post = build_post(saved.base, changes)
    with posted_step(client, saved, number, post) as (response, before, before_file, after):
        assert response.status_code < 500
        back_to_summary = last(post, "retour") == "recapitulatif"
        stale = last(post, "draft_version") != str(before.version)
        refused = certainly_refused(number, post, saved.base, reference)
        if response.status_code == 302 and response["Location"] == step_url(wizard.SUMMARY if back_to_summary else number + 1):
            # A valid save after all: the step holds the entries as sent, finished, and they re-validate.
            event("valid save")
            assert not stale and not refused, f"saved although refused: {post!r}"
            assert after.steps[str(number)]["data"] == kept_entries(post, before.steps[str(number)]["data"], number, saved.professional)
            assert after.steps[str(number)]["complete"] is True
            assert after.version == before.version + 1
            ctx = wizard.Context(professional=Professional.objects.get(pk=professional.pk),
                                 draft=RegistrationDraft.objects.get(professional=professional), now=clock.now())
            assert wizard.BY_NUMBER[number].valid(wizard.bound_forms(wizard.BY_NUMBER[number], ctx)), "invalid entries saved as finished"
        else:
            event("stale draft" if stale else f"refused ({response.status_code})")
            if stale:  # a page shown before another window saved: refused as such
                assert response.status_code == 302, response.status_code
                expected = step_url(number) + ("?retour=recapitulatif" if back_to_summary else "")
                assert response["Location"] == expected
                assert any(OTHER_WINDOW in m for m in redirect_messages(response))
            else:
                assert not refused or response.status_code == 200
                assert response.status_code == 200, (response.status_code, response.get("Location"))
                assert_errors_in_french(response, post)
            assert after.steps == before.steps, "the saved entries changed"
            assert after.payload == before.payload and after.version == before.version
        check_file_and_other_steps(before_file, before, after, number)  # inside the savepoint, before its rollback


# --- The file's version (optimistic locking of each section) ------------------------------------------------------

# A field sent several times is read by its last value (as Django's QueryDict.get does): ["", "1"] is "1".
BAD_VERSIONS = st.one_of(st.just(MISSING), INTEGERS, FUZZ_VALUE, WRONG_TYPE).filter(
    lambda v: not (v == "1" or (isinstance(v, list) and v and v[-1] == "1")))


@pytest.mark.parametrize(("number", "mode"), WIZARD_CASES[3:], ids=WIZARD_IDS[3:])
@FUZZ
@given(version=BAD_VERSIONS)
@example(version="2")
@example(version=" 1")
@example(version="9" * 5000)
def test_INS_3_a_stale_or_tampered_version_never_fails_and_changes_neither_the_file_nor_the_other_steps(
        client, saved, number, mode, version):
    """Another version of the file's section than the page was built from (the file did not change since
    the step was saved): refused with a French message, the file and the saved entries untouched."""
    post = build_post(saved.base, {"version": version})
    with posted_step(client, saved, number, post) as (response, before, before_file, after):
        assert response.status_code == 302 and response["Location"] == step_url(number), response.status_code
        assert any(FILE_CHANGED in m for m in redirect_messages(response))
        check_file_and_other_steps(before_file, before, after, number)
        assert after.steps == before.steps, "the entries saved for the file as it still is were lost"
        page = client.get(step_url(number), **FRENCH)
        assert page.status_code == 200


@pytest.mark.parametrize(("number", "mode"), WIZARD_CASES[3:], ids=WIZARD_IDS[3:])
def test_INS_4_a_tampered_version_does_not_lose_the_entries_saved_for_the_step(client, saved, number, mode):
    """Was (bd0b5ca, inscription/views.py _post_step): any POSTed 'version' other than the file's made
    services.forget_step drop the step's saved entries, even when the file had not changed (the saved
    entries carried the current version): a tampered, blank or missing version lost what was saved,
    under a message saying that nothing was saved."""
    professional = saved.professional
    before = draft_state(professional)
    assert before.steps[str(number)]["data"]["version"] == [str(saved.base["version"])]  # saved for the file as it still is
    response = client.post(step_url(number), build_post(saved.base, {"version": "999"}), **FRENCH)
    assert response.status_code == 302
    assert draft_state(professional).steps.get(str(number)) == before.steps[str(number)]


STALE_SECTION = {3: (Professional, "correspondence_version"), 4: (Professional, "practice_version"),
                 5: (BillingAccount, "version"), 6: (BillingAccount, "version")}


@pytest.mark.parametrize(("number", "mode"), WIZARD_CASES[3:], ids=WIZARD_IDS[3:])
def test_INS_4_entries_saved_for_a_file_changed_since_are_dropped_and_the_step_shows_the_file_again(client, saved, number, mode):
    """The other side: when the Régie changed the section since the step was saved, the page (built from
    the saved entries) is refused and those entries are dropped; nothing else changes."""
    professional = saved.professional
    model, field = STALE_SECTION[number]
    rows = model.objects.filter(pk=professional.pk) if model is Professional else model.objects.filter(professional=professional,
                                                                                                      kind="personnel")
    rows.update(**{field: F(field) + 1})  # as a change made by the Régie would
    before, before_file = draft_state(professional), file_snapshot()
    response = client.post(step_url(number), saved.base, **FRENCH)
    assert response.status_code == 302 and response["Location"] == step_url(number)
    assert any(FILE_CHANGED in m for m in redirect_messages(response))
    after = draft_state(professional)
    assert str(number) not in after.steps
    check_file_and_other_steps(before_file, before, after, number)
    assert client.get(step_url(number), **FRENCH).status_code == 200


# --- INS-4: Quitter and Précédent keep what was typed --------------------------------------------------------------


@pytest.mark.parametrize(("number", "mode"), WIZARD_CASES, ids=WIZARD_IDS)
@FUZZ
@given(data=st.data())
@example(data=None)  # the page sent back unchanged: the step stays finished
def test_INS_4_quit_and_previous_keep_what_was_typed_even_when_invalid(client, saved, reference, number, mode, data):
    if data is None:
        changes, action = {}, "precedent"
    else:
        changes = data.draw(mutations(number, reference), label="changes")
        if data.draw(st.booleans(), label="version fuzzed"):
            changes["version"] = data.draw(st.one_of(st.just(MISSING), INTEGERS, FUZZ_VALUE), label="version")
        action = data.draw(st.sampled_from(["quitter", "precedent"]), label="action")
    post = build_post(saved.base, {**changes, "action": action})
    with posted_step(client, saved, number, post) as (response, before, before_file, after):
        assert response.status_code < 500
        assert response.status_code == 302, response.status_code
        back_to_summary = last(post, "retour") == "recapitulatif"
        if last(post, "draft_version") != str(before.version):
            assert response["Location"] == step_url(number) + ("?retour=recapitulatif" if back_to_summary else "")
            assert any(OTHER_WINDOW in m for m in redirect_messages(response))
            assert after.steps == before.steps and after.payload == before.payload
            assert file_snapshot() == before_file
            return
        typed = kept_entries(post, before.steps[str(number)]["data"], number, saved.professional)
        unchanged = typed == before.steps[str(number)]["data"]
        assert after.steps[str(number)]["data"] == typed, "the draft does not hold what was typed"
        assert after.steps[str(number)]["complete"] is unchanged
        assert after.steps[str(number)]["shown"] == (before.steps[str(number)]["shown"] if unchanged else {})
        assert "password" not in after.steps[str(number)]["data"], "the password was kept in the draft"
        check_file_and_other_steps(before_file, before, after, number)
        shown_step = number - 1 if action == "precedent" and number > 1 else number
        assert after.current_step == shown_step
        if action == "quitter":
            assert response["Location"] == reverse("login")
            assert "_auth_user_id" not in client.session
            redirect_messages(response)
            client.force_login(saved.user)  # a later session, maybe on another device
        else:
            assert response["Location"] == step_url(shown_step) + ("?retour=recapitulatif" if back_to_summary else "")
        # The wizard resumes where the professional stopped, and the step shows again what was typed.
        resumed = client.get(reverse("inscription:resume"))
        assert resumed.status_code == 302 and resumed["Location"] == step_url(shown_step)
        page = client.get(step_url(number), **FRENCH)
        assert page.status_code == 200
        assert_errors_in_french(page, post, must_show_one=False)
        secret = (typed.get("sin") or [""])[0]
        if any(ch.isdigit() for ch in secret):  # a SIN is never shown back in full (in any field: not only
            # the SIN's own, whose value a short draw could share with the draft's version number)
            shown = re.findall(r'<input[^>]*name="(?!draft_version|version)[^"]*"[^>]*value="([^"]*)"', page.content.decode())
            assert html.escape(secret) not in shown


def after_search(typed: dict, action: str) -> dict:
    """INS-3, step 6: a search keeps the entries (the option follows the search); *Annuler* in a search
    falls back to "not now", choices dropped."""
    data = dict(typed)
    if action == "chercher_agence":
        data["option"] = [StatementOption.AGENCY.value]
        data.pop("developpeur_q", None)
    elif action == "chercher_developpeur":
        data["option"] = [StatementOption.SELF_BILLING.value]
        data.pop("agence_q", None)
    else:
        for key in ("agence_q", "developpeur_q", "agency", "developer", "reception_mode", "mandate_accepted"):
            data.pop(key, None)
        data["option"] = [StatementOption.NONE.value]
    return data


@pytest.mark.parametrize(("number", "mode"), WIZARD_CASES[-1:], ids=WIZARD_IDS[-1:])
@FUZZ
@given(data=st.data())
@example(data=None)
def test_INS_3_searches_of_step_6_keep_the_entries_and_cancel_falls_back_to_not_now(client, saved, reference, number, mode, data):
    if data is None:
        changes, action = {"agence_q": "Facturation", "option": StatementOption.AGENCY.value,
                           "agency": str(reference.agency.pk)}, "annuler_recherche"
    else:
        changes = data.draw(mutations(number, reference, allow_draft_version=False), label="changes")
        query = st.one_of(st.sampled_from(["Facturation", "20001", "20002", "Logiciel", "10001", "٢٠٠٠١", "%", "_"]),
                          FUZZ_VALUE, WRONG_TYPE)
        changes.update({"agence_q": data.draw(query, label="agence_q"), "developpeur_q": data.draw(query, label="developpeur_q")})
        action = data.draw(st.sampled_from(["chercher_agence", "chercher_developpeur", "annuler_recherche"]), label="action")
    post = build_post(saved.base, {**changes, "action": action})
    with posted_step(client, saved, number, post) as (response, before, before_file, after):
        assert response.status_code == 302, response.status_code
        back_to_summary = last(post, "retour") == "recapitulatif"
        results = "#resultats" if action.startswith("chercher") else ""  # a search lands on its results
        assert response["Location"] == step_url(number) + ("?retour=recapitulatif" if back_to_summary else "") + results
        expected = after_search(kept_entries(post, before.steps[str(number)]["data"], number, saved.professional), action)
        unchanged = expected == before.steps[str(number)]["data"]
        assert after.steps[str(number)]["data"] == expected
        assert after.steps[str(number)]["complete"] is unchanged
        check_file_and_other_steps(before_file, before, after, number)
        page = client.get(step_url(number), **FRENCH)
        assert page.status_code == 200
        assert_errors_in_french(page, post, must_show_one=False)
        if action == "chercher_agence" and last(post, "agence_q") == "Facturation":
            assert reference.agency.name in page.content.decode()


# --- Summary (INS-5): a stale or garbage draft version completes nothing ------------------------------------------------


@pytest.fixture
def all_saved(client, pay_calendar, newcomer):
    enrol(client, newcomer)
    walk_to(client, newcomer.professional, 6)
    newcomer.professional.refresh_from_db()
    return newcomer.professional


@FUZZ
@given(value=st.one_of(st.just(MISSING), INTEGERS, FUZZ_VALUE, WRONG_TYPE, st.just(FILE)))
@example(value="0")
@example(value=MISSING)
def test_INS_5_the_summary_with_a_stale_or_garbage_draft_version_never_fails_and_completes_nothing(client, all_saved, value):
    professional = all_saved
    post = build_post({"draft_version": value}, {})
    with rolled_back():
        client.force_login(professional.user)
        before, before_file = draft_state(professional), file_snapshot()
        if last(post, "draft_version") == str(before.version):
            return  # the right version: not bad input
        response = client.post(reverse("inscription:summary"), post, **FRENCH)
        assert response.status_code == 302 and response["Location"] == reverse("inscription:summary")
        assert any("autre fenêtre" in m for m in redirect_messages(response))
        assert Professional.objects.get(pk=professional.pk).registered_at is None
        assert file_snapshot() == before_file
        after = draft_state(professional)
        assert after.steps == before.steps and after.version == before.version


@FUZZ
@given(data=st.data())
def test_INS_5_whatever_a_step_accepts_completes_the_registration_or_asks_again_never_fails(client, all_saved, reference, data):
    """Entries a step accepted after all (odd but valid: unicode, controls, an agency, a transfer...) go
    through the summary and the completing services without a server error: registered, or sent back to
    a step with a French message, and then nothing applied."""
    professional = all_saved
    number = data.draw(st.integers(1, 6), label="step")
    base = step_data(number, professional)
    post = build_post(base, data.draw(mutations(number, reference, allow_draft_version=False), label="changes"))
    with rolled_back():
        client.force_login(professional.user)
        response = client.post(step_url(number), post, **FRENCH)
        assert response.status_code < 500
        if response.status_code != 302 or response["Location"] not in (step_url(number + 1), step_url(wizard.SUMMARY)):
            event("refused")
            return
        event("accepted")
        before_file = file_snapshot()
        page = client.get(reverse("inscription:summary"), **FRENCH)
        assert page.status_code in (200, 302)
        done = client.post(reverse("inscription:summary"), {"draft_version": draft_version(professional)}, **FRENCH)
        assert done.status_code == 302, done.status_code
        if done["Location"] == reverse("inscription:done"):
            event("registered")
            assert Professional.objects.get(pk=professional.pk).registered_at is not None
            assert client.get(done["Location"], **FRENCH).status_code == 200
        else:
            event("asked again")
            assert done["Location"].startswith("/inscription/")
            redirect_messages(done)
            assert Professional.objects.get(pk=professional.pk).registered_at is None
            assert file_snapshot() == before_file


# --- INS-2: enrolment pages ------------------------------------------------------------------------------------------

ENROL_FIELDS = ["reference_number", "last_name", "first_name", "birth_date", "licence_number", "policy_accepted"]


def no_account_snapshot():
    return {"users": [(u.pk, u.username, u.password) for u in User.objects.order_by("pk")], "enrolments": _rows(Enrolment),
            "answers": _rows(SecretAnswer), "professionals": _rows(Professional)}


@FUZZ
@given(data=st.data())
@example(data=None)
def test_INS_2_enrolment_pages_never_fail_on_bad_input(newcomer, data):
    """First page (reference number, identity, policy): a 200 with French errors, or the way to the second
    page for an identity that matches after all (case, accents, spaces); never an account."""
    if data is None:
        changes = {"birth_date": "1996-02-30"}
    else:
        changes = {}
        for _ in range(data.draw(st.integers(1, 3), label="how many")):
            field = data.draw(st.sampled_from(ENROL_FIELDS), label="field")
            changes[field] = data.draw(st.one_of(FUZZ_VALUE, WRONG_TYPE, st.just(MISSING), st.just(FILE),
                                                 st.sampled_from(["1996-07-02", "02/07/1996", "1996-13-01", "0000-00-00",
                                                                  "WXYZ-2345-QRST", newcomer.reference_number.lower()])), label="value")
    post = build_post(identity(newcomer), changes)
    cache.clear()  # the failure counter of the page (INS-2 throttling is tested in test_enrolment.py)
    client = Client()
    before = no_account_snapshot()
    response = client.post(reverse("inscription:enrol"), post, **FRENCH)
    assert response.status_code < 500
    if response.status_code == 302:
        assert response["Location"] == reverse("inscription:enrol_account")
        assert client.session["inscription.enrolment"]["professional"] == newcomer.professional.pk
    else:
        assert response.status_code == 200
        assert_errors_in_french(response, post)
        assert "inscription.enrolment" not in client.session
    assert no_account_snapshot() == before


def _username_is_valid(value: str) -> bool:
    return re.fullmatch(r"[A-Za-z0-9._-]{6,30}", value) is not None


@st.composite
def bad_account(draw):
    """Changes to valid account entries that can never be accepted."""
    case = draw(st.sampled_from(["username", "taken", "password_mismatch", "password_weak", "questions_same", "question_unknown",
                                 "answer_short", "answer_long", "missing", "wrong_type"]))
    if case == "username":
        return {"username": draw(st.one_of(FUZZ_VALUE, st.from_regex(r"\A[a-z]{1,5}\Z"), st.from_regex(r"\A[a-z]{31,40}\Z"),
                                           st.sampled_from(["benoît.gagnon", "benoit gagnon", "benoit@gagnon", "benoit.gagnon\n"])
                                           ).filter(lambda v: not _username_is_valid(v)))}
    if case == "taken":
        return {"username": draw(st.sampled_from(["Alice.Existante", "alice.existante", "ALICE.EXISTANTE"]))}
    if case == "password_mismatch":
        one = draw(st.one_of(st.just(PASSWORD), FUZZ_VALUE))
        two = draw(st.one_of(st.just(PASSWORD + "x"), FUZZ_VALUE).filter(lambda v: v != one))
        return {"password1": one, "password2": two}
    if case == "password_weak":
        weak = draw(st.one_of(st.sampled_from(["court1", "1234567890123", "motdepasse", "password123", "benoit.gagnon1", "Gagnon2026x",
                                               "aaaaaaaaaa"]), st.text(string.ascii_letters + string.digits, max_size=9)))
        return {"password1": weak, "password2": weak}
    if case == "questions_same":
        return {"question_1": "ecole", "question_0": "ecole"}
    if case == "question_unknown":
        return {f"question_{draw(st.integers(0, 2))}": draw(st.one_of(st.sampled_from(["", "Ecole", "autre", "ecole "]), FUZZ_VALUE)
                                                           .filter(lambda v: v not in ("ecole", "rue", "animal", "ville_mere", "emploi",
                                                                                       "ami", "enseignant", "voiture")))}
    if case == "answer_short":
        return {f"answer_{draw(st.integers(0, 2))}": draw(st.sampled_from(["", " ", "a", "É", "-", "a -", "\u0301x"]))}
    if case == "answer_long":
        return {f"answer_{draw(st.integers(0, 2))}": draw(LONG)}
    field = draw(st.sampled_from(["username", "password1", "password2", "question_0", "answer_2"]))
    return {field: MISSING if case == "missing" else draw(st.sampled_from([[], FILE]))}


@pytest.fixture
def existing_user(db):
    return User.objects.create_user(username="alice.existante", password="Un-autre-mot-2026")


@FUZZ
@given(changes=bad_account(), extra=st.dictionaries(st.sampled_from(["question_3", "answer_3", "zzz"]), FUZZ_VALUE, max_size=1))
@example(changes={"password1": "court1", "password2": "court1"}, extra={})
@example(changes={"username": "alice.existante"}, extra={})
def test_INS_2_the_account_page_refuses_bad_input_in_french_and_creates_no_account(newcomer, existing_user, changes, extra):
    """Second page (username, password, secret questions): no account, and the reference number stays unused."""
    cache.clear()  # each example starts with no attempt counted (the "already taken" answers are limited)
    client = Client()
    first = client.post(reverse("inscription:enrol"), identity(newcomer), **FRENCH)
    assert first.status_code == 302
    post = build_post(account_data(), {**changes, **extra})
    before = no_account_snapshot()
    response = client.post(reverse("inscription:enrol_account"), post, **FRENCH)
    assert response.status_code == 200, (response.status_code, response.get("Location"))
    assert_errors_in_french(response, post)
    assert no_account_snapshot() == before
    assert Professional.objects.get(pk=newcomer.professional.pk).reference_number_used_at is None
    assert "_auth_user_id" not in client.session


@pytest.fixture
def enrolled(newcomer):
    """The newcomer with an online-services account and secret answers (signed out)."""
    enrol(Client(), newcomer)
    return User.objects.get(username=USERNAME)


@FUZZ
@given(username=st.one_of(FUZZ_VALUE, WRONG_TYPE, st.just(MISSING), st.just(FILE), st.sampled_from([USERNAME, USERNAME.upper()])),
       action=st.sampled_from([MISSING, "courriel", "questions", ["courriel", "x"]]))
def test_INS_2_the_forgotten_password_page_never_fails(enrolled, username, action):
    cache.clear()
    client = Client()
    post = build_post({"username": username, "action": action}, {})
    password = User.objects.get(pk=enrolled.pk).password
    response = client.post(reverse("inscription:forgot"), post, **FRENCH)
    assert response.status_code < 500
    if response.status_code == 302:
        assert response["Location"] in (reverse("inscription:forgot_questions"), reverse("login"))
        redirect_messages(response)
    else:
        assert response.status_code == 200
        assert_errors_in_french(response, post)
    assert User.objects.get(pk=enrolled.pk).password == password
    questions = client.get(reverse("inscription:forgot_questions"), **FRENCH)  # the questions page, for whatever name was kept
    assert questions.status_code in (200, 302)


@st.composite
def bad_recovery(draw):
    """Answers and a new password that can never reset the password: a wrong answer, or a bad password."""
    answers = {f"answer_{question}": answer for question, answer in ANSWERS}
    new = {"password1": "Un-nouveau-depart-2027", "password2": "Un-nouveau-depart-2027"}
    case = draw(st.sampled_from(["answer", "answer", "password_mismatch", "password_weak", "missing"]))
    if case == "answer":
        question = draw(st.sampled_from([q for q, _ in ANSWERS]))
        right = enrolment_service.normalize(dict(ANSWERS)[question])

        def wrong(value):
            values = value if isinstance(value, list) else [value]
            return not values or value in (MISSING, FILE) or enrolment_service.normalize(values[-1]) != right

        answers[f"answer_{question}"] = draw(st.one_of(FUZZ_VALUE, WRONG_TYPE, st.just(MISSING), st.just(FILE),
                                                       st.sampled_from(["Pistache2", "École"])).filter(wrong))
    elif case == "password_mismatch":
        new["password2"] = draw(FUZZ_VALUE.filter(lambda v: v != new["password1"]))
    elif case == "password_weak":
        weak = draw(st.sampled_from(["court1", "1234567890123", "motdepasse", "benoit.gagnon1", ""]))
        new = {"password1": weak, "password2": weak}
    else:
        new.pop(draw(st.sampled_from(["password1", "password2"])))
    return {**answers, **new}


@FUZZ
@given(entries=bad_recovery())
@example(entries={"answer_ecole": "ecole sainte foy", "answer_animal": "PISTACHE", "answer_ville_mere": "Trois Rivieres",
                  "password1": "court1", "password2": "court1"})
def test_INS_2_the_secret_questions_page_refuses_bad_input_in_french_and_changes_no_password(enrolled, entries):
    cache.clear()
    client = Client()
    assert client.post(reverse("inscription:forgot"), {"username": USERNAME}, **FRENCH).status_code == 302
    post = build_post(entries, {})
    password = User.objects.get(pk=enrolled.pk).password
    response = client.post(reverse("inscription:forgot_questions"), post, **FRENCH)
    assert response.status_code in (200, 429), (response.status_code, response.get("Location"))
    assert_errors_in_french(response, post)
    assert User.objects.get(pk=enrolled.pk).password == password


@FUZZ
@given(uid=st.one_of(st.text(string.ascii_letters + string.digits + "-_=", min_size=1, max_size=20), ANY_TEXT.filter(bool), LONG),
       token=st.one_of(st.text(string.ascii_letters + string.digits + "-_", min_size=1, max_size=40), ANY_TEXT.filter(bool)),
       method=st.sampled_from(["get", "post"]))
@example(uid="MQ", token="set-password", method="post")
@example(uid="9" * 5000, token="abc-def", method="get")
def test_INS_2_a_garbage_password_reset_link_never_fails(enrolled, uid, token, method):
    path = "/connexion/reinitialiser/{}/{}/".format(quote(uid, safe=""), quote(token, safe=""))
    password = User.objects.get(pk=enrolled.pk).password
    client = Client()
    response = getattr(client, method)(path, {"new_password1": "Un-nouveau-depart-2027", "new_password2": "Un-nouveau-depart-2027"}
                                       if method == "post" else None, **FRENCH)
    assert response.status_code < 500
    assert response.status_code in (200, 302, 404), response.status_code
    assert User.objects.get(pk=enrolled.pk).password == password


@pytest.fixture
def reset_page(enrolled):
    """The page of a valid password reset link (EML-5), as the emailed link leads to it."""
    client = Client()
    uid = urlsafe_base64_encode(force_bytes(enrolled.pk))
    link = reverse("password_reset_confirm", args=[uid, default_token_generator.make_token(enrolled)])
    response = client.get(link)
    assert response.status_code == 302  # to the same page without the token in the URL
    return SimpleNamespace(client=client, url=response["Location"])


@FUZZ
@given(one=st.one_of(FUZZ_VALUE, st.sampled_from(["court1", "1234567890123", "motdepasse", "benoit.gagnon1", "Un-nouveau-depart-2027"])),
       two=st.one_of(FUZZ_VALUE, WRONG_TYPE, st.just(MISSING), st.just(FILE)))
@example(one="court1", two="court1")
def test_INS_2_the_password_reset_page_refuses_bad_passwords_in_french(enrolled, reset_page, one, two):
    if two == one and isinstance(one, str) and acceptable_password(one):
        return  # a good password, typed twice: not bad input
    post = build_post({"new_password1": one, "new_password2": two}, {})
    password = User.objects.get(pk=enrolled.pk).password
    response = reset_page.client.post(reset_page.url, post, **FRENCH)
    assert response.status_code == 200, (response.status_code, response.get("Location"))
    assert_errors_in_french(response, post)
    assert User.objects.get(pk=enrolled.pk).password == password


# --- Step numbers the wizard does not have -----------------------------------------------------------------------------


@pytest.mark.parametrize(("number", "mode"), [(2, RemunerationMode.FEE_FOR_SERVICE)], ids=["2"])
@pytest.mark.parametrize("path_number", [0, 4, 6, 7, 8, 99, 10**30])
def test_INS_3_a_step_out_of_reach_or_out_of_range_sends_back_to_the_step_to_finish(client, saved, number, mode, path_number):
    before, before_file = draft_state(saved.professional), file_snapshot()
    url = f"/inscription/etapes/{path_number}/"
    for response in (client.get(url, **FRENCH), client.post(url, saved.base, **FRENCH)):
        assert response.status_code == 302 and response["Location"] == step_url(3)
    after = draft_state(saved.professional)
    assert after.steps == before.steps and after.version == before.version
    assert file_snapshot() == before_file


# --- Valid input changes what the snapshots compare (so that "nothing changed" above means something) -------------------


@pytest.mark.parametrize(("number", "mode"), [(3, RemunerationMode.FEE_FOR_SERVICE)], ids=["3"])
def test_a_valid_continue_changes_the_draft_and_quit_keeps_the_typed_entries(client, saved, number, mode):
    professional = saved.professional
    before = draft_state(professional)
    response = client.post(step_url(3), build_post(saved.base, {"line1": "1200, rue Saint-Denis", "postal_code": "h2x 3j6"}), **FRENCH)
    assert response.status_code == 302 and response["Location"] == step_url(4)
    after = draft_state(professional)
    assert after.steps != before.steps and after.version == before.version + 1
    assert after.steps["3"]["data"]["line1"] == ["1200, rue Saint-Denis"]
    response = client.post(step_url(3), build_post(saved.base, {"draft_version": str(after.version), "action": "quitter",
                                                                "line1": "", "password": "secret-123"}), **FRENCH)
    assert response.status_code == 302
    kept = draft_state(professional)
    assert kept.steps["3"]["data"]["line1"] == [""] and kept.steps["3"]["complete"] is False
    assert "secret-123" not in kept.payload


def test_completing_the_registration_changes_the_file_snapshot(client, all_saved):
    before = file_snapshot()
    response = client.post(reverse("inscription:summary"), {"draft_version": draft_version(all_saved)})
    assert response.status_code == 302 and response["Location"] == reverse("inscription:done")
    assert file_snapshot() != before


def test_a_valid_account_page_creates_the_account_snapshot_sees(newcomer):
    client = Client()
    assert client.post(reverse("inscription:enrol"), identity(newcomer)).status_code == 302
    before = no_account_snapshot()
    response = client.post(reverse("inscription:enrol_account"), account_data())
    assert response.status_code == 302
    assert no_account_snapshot() != before
