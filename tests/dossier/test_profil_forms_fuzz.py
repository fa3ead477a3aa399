"""The Profil tab's editing forms under hypothesis-generated bad input (PRO, EML, CEL, PRF).

Every form is POSTed through the test client as Alice. For bad input the page must never fail (status
< 500), must come back with the error beside the field (`<field id>_error`, templates/partials/field.html)
or, for errors that belong to no visible field (hidden version, management form, whole formset), in the
error summary; every message must be a known French message (none of Django's or the app's English
strings); and NOTHING may be saved: the rows the Profil tab can change are compared before and after.

The "nothing saved" comparisons are made non-vacuous by the valid-input tests at the end, which use the
same snapshot and see it change; the French check, by a test of the check itself.

Bugs this file found are kept, once fixed, as regression tests (their docstrings say what happened
before); a bug still open is an xfail(strict=True) test whose reason starts with "BUG:".
"""
from __future__ import annotations

import re
import string

import phonenumbers
import pytest
from django import forms
from django.contrib.messages import get_messages
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django_countries import countries
from hypothesis import HealthCheck, assume, example, given, settings, strategies as st
from localflavor.ca.ca_provinces import PROVINCE_CHOICES

from dossier import profile
from dossier.constants import ALWAYS_BY_POST, CHOOSABLE_KINDS, Channel, TelephoneKind, TokenPurpose
from dossier.forms import POSTAL_PREFIX_PROVINCES, AddressForm
from dossier.models import (
    CorrespondenceAddress,
    CorrespondencePreference,
    PlaceOfPractice,
    Professional,
    SecurityReport,
    Telephone,
    VerificationToken,
)
from notifications.models import OutboundMessage
from notifications.sms import LocmemSmsBackend
from ramq_portal import clock
from tests.fuzzing import shown_errors

pytestmark = pytest.mark.django_db

# Through the test client (one POST and a dozen queries per example): ~50 examples keep the file near 30 s.
FUZZ = settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
PURE = settings(max_examples=200, deadline=None)
FRENCH = {"HTTP_ACCEPT_LANGUAGE": "fr-CA"}

CORRESPONDENCE = "dossier:edit_correspondence"
PRACTICE = "dossier:edit_practice"
PREFERENCES = "dossier:edit_preferences"
CONFIRM_CELL = "dossier:confirm_cell"

PROVINCES = [code for code, _ in PROVINCE_CHOICES]
CANONICAL_POSTAL = re.compile(r"[A-Z][0-9][A-Z] [0-9][A-Z][0-9]")
FIRST_LETTERS = "ABCEGHJKLMNPRSTVXY"  # Canada Post: no D F I O Q U, and no W Z in first place
OTHER_LETTERS = "ABCEGHJKLMNPRSTVWXYZ"
COUNTRY_CODES = {code for code, _ in countries}
VALID_PHONE = "+15062345678"  # phonenumbers.example_number("CA")


# --- What "in French" means ---------------------------------------------------------------------------
# A rendered error must be an instance of a known French message: Django's and phonenumber_field's French
# catalogues (msgstr) and the app's own messages (the msgids of locale/en, which are French). Placeholders
# match anything. And it must contain no English message of those catalogues (msgids, the app's msgstr).

from tests.french_messages import _PLACEHOLDER, ENGLISH_MARKERS, FRENCH_MESSAGE, _collapse  # noqa: F401


def assert_french(texts):
    for text in texts:
        english = [marker for marker in ENGLISH_MARKERS if marker in text]
        assert not english, f"English message shown: {text!r} (contains {english})"
        assert FRENCH_MESSAGE.fullmatch(_collapse(text)), f"not a known French message: {text!r}"


def test_the_french_check_refuses_english_and_unknown_messages():
    """The check used everywhere below is not vacuous: Django's, phonenumber_field's and the app's
    English messages are refused, and so is text that is no known message."""
    assert_french(["Ce champ est obligatoire.", "Le code compte 6 chiffres.", "Code postal : Entrez le code postal.",
                   "Sélectionnez un choix valide. fax n’en fait pas partie.",
                   "Saisissez un numéro de téléphone valide, par exemple (506) 234-5678, "
                   "ou un numéro avec un indicatif international."])
    for english in ["This field is required.", "The code has 6 digits.", "Enter a valid email address.",
                    "Enter a valid phone number (e.g. (506) 234-5678) or a number with an international call prefix.",
                    "Ensure this value has at most 200 characters (it has 201).", "Quelque chose ne va pas."]:
        with pytest.raises(AssertionError):
            assert_french([english])


# --- What "nothing saved" means ---------------------------------------------------------------------


def _rows(model, **filters):
    return [tuple(sorted(row.items())) for row in model.objects.filter(**filters).order_by("pk").values()]


def snapshot() -> dict:
    """Every row the Profil tab's forms can change, for every professional (a tampered form must not
    reach Bob's file either), history row counts, and what was queued or sent."""
    return {
        "professionals": _rows(Professional),
        "telephones": _rows(Telephone),
        "places": _rows(PlaceOfPractice),
        "addresses": _rows(CorrespondenceAddress),
        "preferences": _rows(CorrespondencePreference),
        "tokens": _rows(VerificationToken),
        "history": {
            model.__name__: model.history.count()
            for model in (Professional, Telephone, PlaceOfPractice, CorrespondenceAddress, CorrespondencePreference)
        },
        "outbound": _rows(OutboundMessage),
        "security_reports": SecurityReport.objects.count(),
        "mail": len(mail.outbox),
        "sms": len(LocmemSmsBackend.outbox),
    }


def assert_refused(response, before, *, field=None, summary=False, stale=False):
    """Bad input: no server error, the form again with the error where it belongs, in French, and
    nothing saved. `field`: the id of the field that must carry the error; `summary`: the error belongs
    to no visible field; `stale`: refused as a stale edit (redirect to the form with the STALE message);
    `stale=None`: either way."""
    assert response.status_code < 500
    if stale is None:
        stale = response.status_code == 302
    if stale:
        assert response.status_code == 302, response.status_code
        assert response["Location"] == response.wsgi_request.path
        shown = [str(m) for m in get_messages(response.wsgi_request)]
        assert any("Rien n'a été enregistré" in m for m in shown), shown
        assert_french(shown)
    else:
        assert response.status_code == 200, (response.status_code, response.get("Location"))
        errors = shown_errors(response)
        if field is not None:
            assert errors.fields.get(field), f"no error beside {field}; errors beside {sorted(errors.fields)}"
        if summary:
            assert any(errors.summaries), "no error summary"
        assert any(errors.fields.values()) or any(errors.summaries), "the form came back without any error"
        for texts in errors.fields.values():
            assert_french(texts)
        for texts in errors.summaries:
            assert_french(texts)
        assert_french(errors.messages)
    assert snapshot() == before, "something was saved from invalid input"


# --- Strategies ----------------------------------------------------------------------------------------

# Any text a browser can send (no lone surrogates): unicode, controls, NUL, RTL marks, emoji...
ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
BLANK = st.sampled_from(["", " ", "   ", "\t", "\n", "\u00a0", "\u2003 \u3000"])


def overlong(limit):
    return st.text(st.characters(exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), min_size=limit + 1, max_size=limit + 30)


def with_nul(text_strategy=st.text(string.ascii_letters, min_size=1, max_size=10)):
    return st.builds(lambda a, b: a + "\x00" + b, text_strategy, text_strategy)


def is_valid_canadian_postal_code(raw: str) -> bool:
    """The oracle: ASCII letters and digits only, the Canada Post letters, at most 10 characters once
    stripped (the form's max_length)."""
    value = raw.strip()
    return len(value) <= 10 and re.fullmatch(
        r"[ABCEGHJ-NPRSTVXY][0-9][ABCEGHJ-NPRSTV-Z] *[0-9][ABCEGHJ-NPRSTV-Z][0-9]", value.upper().strip()
    ) is not None


NON_ASCII_DIGITS = st.characters(categories=["Nd"]).filter(lambda c: not c.isascii())


@st.composite
def postal_code_with_non_ascii_digits(draw):
    """A valid-looking code whose digits are Arabic-Indic, fullwidth, Devanagari... (Python's \\d takes them)."""
    raw, _ = draw(valid_postal_code())
    return "".join(draw(NON_ASCII_DIGITS) if c.isdigit() and draw(st.booleans()) else c for c in raw)


near_miss_postal_codes = st.one_of(
    postal_code_with_non_ascii_digits().filter(lambda s: not s.isascii()),
    st.from_regex(r"\A[A-Z0-9 ]{1,10}\Z"),                         # right alphabet, wrong shape
    st.from_regex(r"\A[DFIOQUWZ][0-9][A-Z] ?[0-9][A-Z][0-9]\Z"),  # forbidden first letter
    st.from_regex(r"\A[A-Z][0-9][DFIOQU] ?[0-9][A-Z][0-9]\Z"),    # forbidden letter elsewhere
    st.from_regex(r"\A[A-Z][0-9][A-Z]-[0-9][A-Z][0-9]\Z"),        # a dash
    st.from_regex(r"\A[0-9]{5}(-[0-9]{4})?\Z"),                   # a US ZIP code
    st.from_regex(r"\A[A-Z][0-9][A-Z] {5,}[0-9][A-Z][0-9]\Z"),    # too long once spaced
)
bad_postal_codes = st.one_of(BLANK, near_miss_postal_codes, ANY_TEXT, overlong(10), with_nul()).filter(
    lambda s: not is_valid_canadian_postal_code(s)
)


@st.composite
def valid_postal_code(draw):
    """A valid Canadian postal code, its canonical form, in any case and with any spacing."""
    letters = [draw(st.sampled_from(alphabet)) for alphabet in (FIRST_LETTERS, OTHER_LETTERS, OTHER_LETTERS)]
    digits = [draw(st.sampled_from(string.digits)) for _ in range(3)]
    canonical = f"{letters[0]}{digits[0]}{letters[1]} {digits[1]}{letters[2]}{digits[2]}"
    chars = [c.lower() if draw(st.booleans()) else c for c in canonical.replace(" ", "")]
    inner = " " * draw(st.integers(0, 4))  # 6 characters + 4 spaces = the form's max_length
    raw = "".join(chars[:3]) + inner + "".join(chars[3:])
    raw = draw(st.sampled_from(["", " ", "  ", "\t", "\n"])) + raw + draw(st.sampled_from(["", " ", "   ", "\t", "\r\n"]))
    return raw, canonical


@st.composite
def mismatched_postal_code(draw):
    """A valid postal code and a province its first letter does not serve."""
    raw, canonical = draw(valid_postal_code())
    province = draw(st.sampled_from([p for p in PROVINCES if p not in POSTAL_PREFIX_PROVINCES[canonical[0]]]))
    return raw, province


def bad_address(prefix=""):
    """(changes to a valid address, the field that must show the error) for a bad Canadian or foreign
    address (PRO-7). `prefix` names the fields of a formset's form ("lieu-0-")."""
    f = lambda name: prefix + name  # noqa: E731
    return st.one_of(
        bad_postal_codes.map(lambda v: ({f("postal_code"): v, f("province"): "QC"}, f("postal_code"))),
        mismatched_postal_code().map(lambda t: ({f("postal_code"): t[0], f("province"): t[1]}, f("postal_code"))),
        st.one_of(st.just(""), st.sampled_from(["XX", "qc", "Québec", "QUE", "0"]), ANY_TEXT)
        .filter(lambda s: s.strip() not in PROVINCES)
        .map(lambda v: ({f("province"): v}, f("province"))),
        st.one_of(BLANK, overlong(200), with_nul()).map(lambda v: ({f("line1"): v}, f("line1"))),
        st.one_of(overlong(200), with_nul()).map(lambda v: ({f("line2"): v}, f("line2"))),
        st.one_of(BLANK, overlong(100), with_nul()).map(lambda v: ({f("city"): v}, f("city"))),
        st.one_of(st.just(""), st.sampled_from(["ca", "CAN", "Canada", "XX", "ZZ", " CA"]), ANY_TEXT)
        .filter(lambda s: s not in COUNTRY_CODES)
        .map(lambda v: ({f("country"): v}, f("country"))),
        # Abroad: the address lines are still required; the foreign region is bounded.
        st.one_of(BLANK, with_nul()).map(lambda v: ({f("country"): "FR", f("city"): v}, f("city"))),
        overlong(100).map(lambda v: ({f("country"): "US", f("region"): v}, f("region"))),
    )


def is_valid_phone(raw: str) -> bool:
    try:
        number = phonenumbers.parse(raw.strip(), "CA")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(number)


bad_phone_numbers = st.one_of(
    st.from_regex(r"\A\+?[0-9 ()\-.]{1,20}\Z"),
    st.from_regex(r"\A(418|514|506) ?555-?[0-9]{0,3}\Z"),  # too short
    st.from_regex(r"\A[0-9]{11,17}\Z"),
    st.sampled_from(["+1 000 000 0000", "911", "+999 123 4567", "418-555-12345", "telephone", "+", "()"]),
    ANY_TEXT, overlong(130), with_nul(st.from_regex(r"\A[0-9]{3,5}\Z")),
).filter(lambda s: s.strip() != "" and not is_valid_phone(s))

REFUSED = object()


def integer_field(value, **kwargs):
    """What a Django IntegerField makes of `value` (hidden versions, pks, management forms): REFUSED or a value."""
    try:
        return forms.IntegerField(**kwargs).clean(value)
    except ValidationError:
        return REFUSED


garbage_integers = st.one_of(
    st.sampled_from(["", " ", "abc", "1.5", "1e3", "0x1", "--1", "1 1", "∞", "NaN", "²", "0", "-1", "-0"]),
    ANY_TEXT,
    st.integers(max_value=0).map(str),
)


def version_outcome(value, current):
    """How the correspondence and preferences forms must refuse a version: "summary" (not a positive
    integer: the hidden field's error is in the summary) or "stale" (another version)."""
    number = integer_field(value, min_value=1)
    if number is REFUSED:
        return "summary"
    assume(number != current)  # the right version: not bad input
    return "stale"


# --- Fixtures and the valid forms the bad input is grafted on -------------------------------------------


@pytest.fixture
def signed_in(client, alice, pay_calendar):
    client.force_login(alice.user)
    return client


def correspondence_data(professional) -> dict:
    """What the correspondence form sends unchanged (a valid POST)."""
    professional = Professional.objects.get(pk=professional.pk)
    address = professional.correspondence_addresses.order_by("-effective_from", "-recorded_at").first()
    phones = list(professional.telephones.order_by("pk"))
    data = {
        "version": str(professional.correspondence_version),
        "country": str(address.country), "line1": address.line1, "line2": address.line2, "city": address.city,
        "province": address.province, "postal_code": address.postal_code, "region": address.region,
        "cell": str(professional.cell_number or ""), "email": professional.email, "email_confirm": professional.email,
        "tel-TOTAL_FORMS": str(len(phones) + 1), "tel-INITIAL_FORMS": str(len(phones)),
        "tel-MIN_NUM_FORMS": "0", "tel-MAX_NUM_FORMS": "5",
    }
    for i, phone in enumerate(phones):
        data.update({f"tel-{i}-kind": phone.kind, f"tel-{i}-number": str(phone.number),
                     f"tel-{i}-extension": phone.extension})
    data.update({f"tel-{len(phones)}-kind": "", f"tel-{len(phones)}-number": "", f"tel-{len(phones)}-extension": ""})
    return data


def practice_data(professional) -> dict:
    professional = Professional.objects.get(pk=professional.pk)
    places = list(professional.places_of_practice.order_by("pk"))
    data = {
        "version": str(professional.practice_version),
        "lieu-TOTAL_FORMS": str(len(places)), "lieu-INITIAL_FORMS": str(len(places)),
        "lieu-MIN_NUM_FORMS": "0", "lieu-MAX_NUM_FORMS": "100",
    }
    for i, place in enumerate(places):
        data.update({f"lieu-{i}-{name}": value for name, value in place_fields(place).items()})
    return data


def place_fields(place=None, **changes) -> dict:
    fields = {
        "pk": str(place.pk) if place else "", "name": place.name if place else "Clinique du Nord",
        "country": str(place.country) if place else "CA", "line1": place.line1 if place else "12, rue du Nord",
        "line2": "", "city": place.city if place else "Chicoutimi", "province": place.province if place else "QC",
        "postal_code": place.postal_code if place else "G7H 5B8", "region": "",
        "main_telephone": str(place.main_telephone) if place else VALID_PHONE,
    }
    if place is None or place.is_main:
        fields["is_main"] = "on"
    fields.update(changes)
    return {k: v for k, v in fields.items() if v is not None}


def preferences_data(professional) -> dict:
    professional = Professional.objects.get(pk=professional.pk)
    data = {"version": str(professional.preferences_version)}
    data.update({kind.value: Channel.SECURE_MESSAGING for kind in CHOOSABLE_KINDS})
    return data


def post(client, url_name, data):
    return client.post(reverse(url_name), data, **FRENCH)


# --- PRO-7: addresses (correspondence) ------------------------------------------------------------------


@FUZZ
@given(case=bad_address())
@example(case=({"postal_code": "G1R 2B5", "province": "ON"}, "postal_code"))
@example(case=({"postal_code": "D1R 2B5", "province": "QC"}, "postal_code"))
@example(case=({"postal_code": "G1R2B5X", "province": "QC"}, "postal_code"))
@example(case=({"postal_code": "", "province": "QC"}, "postal_code"))
@example(case=({"province": ""}, "province"))
def test_PRO_7_bad_addresses_are_refused_in_french_and_nothing_is_saved(signed_in, alice, case):
    changes, field = case
    data = {**correspondence_data(alice), **changes}
    before = snapshot()
    response = post(signed_in, CORRESPONDENCE, data)
    assert_refused(response, before, field=f"id_{field}_error")


# --- PRO-4 (PRO-1): telephone numbers of the correspondence section -----------------------------------


@st.composite
def bad_telephones(draw):
    """(changes to the telephone formset, id of the field that must show the error or None for the
    summary). Alice has one telephone (form 0) and an empty extra form (form 1)."""
    case = draw(st.sampled_from(["number", "extension", "kind", "extra", "management"]))
    if case == "number":
        return {"tel-0-number": draw(st.one_of(BLANK, bad_phone_numbers))}, "id_tel-0-number_error"
    if case == "extension":
        value = draw(st.one_of(
            st.from_regex(r"\A[0-9]{7,12}\Z"), st.sampled_from(["x12", "12-3", "#5", "１２", " 12", "12\n", "123456\n"]),
            st.from_regex(r"\A[0-9]{1,6}\s+\Z"), ANY_TEXT, with_nul(),
        ))
        # 1 to 6 digits, nothing else (the field does not strip): "12\n" and " 12" are refused.
        assume(value != "" and not re.fullmatch(r"[0-9]{1,6}", value))
        return {"tel-0-extension": value}, "id_tel-0-extension_error"
    if case == "kind":
        value = draw(st.one_of(st.just(""), st.sampled_from(["Bureau", "cellulaire", "mobile"]), ANY_TEXT))
        assume(value.strip() not in TelephoneKind.values)
        return {"tel-0-kind": value}, "id_tel-0-kind_error"
    if case == "extra":  # a new telephone half filled in
        return {"tel-1-kind": draw(st.sampled_from(TelephoneKind.values)), "tel-1-number": ""}, "id_tel-1-number_error"
    # The management form, tampered with: it must describe the rows the page was built from (1 telephone,
    # INITIAL_FORMS 1) and at most 5 rows (max_num). Missing, garbage, negative, 0, too many...
    field = draw(st.sampled_from(["tel-TOTAL_FORMS", "tel-INITIAL_FORMS"]))
    value = draw(st.one_of(st.none(), garbage_integers, st.integers(-10**6, 20).map(str), st.just("9" * 30)))
    number = integer_field(value)
    if number is not REFUSED:
        assume(number != 1 if field == "tel-INITIAL_FORMS" else not 1 <= number <= 5)
    return {field: value}, None


@FUZZ
@given(case=bad_telephones())
@example(case=({"tel-TOTAL_FORMS": None, "tel-INITIAL_FORMS": None}, None))
@example(case=({"tel-TOTAL_FORMS": "6"}, None))
@example(case=({"tel-0-number": "418-555-12"}, "id_tel-0-number_error"))
def test_PRO_4_bad_telephones_are_refused_in_french_and_nothing_is_saved(signed_in, alice, case):
    changes, field = case
    data = {**correspondence_data(alice), **changes}
    data = {k: v for k, v in data.items() if v is not None}  # None: the field is left out of the POST
    before = snapshot()
    response = post(signed_in, CORRESPONDENCE, data)
    assert_refused(response, before, field=field, summary=field is None)


# --- EML-1: Courriel and Répéter courriel ------------------------------------------------------------------

simple_emails = st.builds(
    "{}@{}.{}".format, st.from_regex(r"\A[a-z0-9]{1,12}(\.[a-z0-9]{1,8})?\Z"),
    st.from_regex(r"\A[a-z]{2,12}\Z"), st.sampled_from(["ca", "com", "qc.ca", "org"]),
)


def is_valid_email(value: str) -> bool:
    try:
        validate_email(value.strip())
    except ValidationError:
        return False
    return len(value.strip()) <= 254


@st.composite
def bad_emails(draw):
    case = draw(st.sampled_from(["mismatch", "missing_confirmation", "invalid", "overlong"]))
    if case == "mismatch":
        email, confirm = draw(simple_emails), draw(simple_emails)
        assume(email.lower() != confirm.lower())
        return {"email": email, "email_confirm": confirm}, "id_email_confirm_error"
    if case == "missing_confirmation":
        email = draw(simple_emails)
        return ({"email": email, "email_confirm": ""}, "id_email_confirm_error") if draw(st.booleans()) else \
               ({"email": "", "email_confirm": email}, "id_email_confirm_error")
    if case == "invalid":
        value = draw(st.one_of(
            st.sampled_from(["alice", "alice@", "@example.ca", "alice@@example.ca", "alice@example", "alice example@ex.ca",
                             "alice@exa mple.ca", "alice@.ca", "alice.@example.ca"]),
            ANY_TEXT, with_nul(),
        ))
        assume(value.strip() and not is_valid_email(value))
        return {"email": value, "email_confirm": value}, "id_email_error"
    local = draw(st.from_regex(r"\A[a-z]{64}\Z"))
    value = f"{local}@{'a' * 63}.{'b' * 63}.{'c' * 63}.ca"  # 261 characters
    return {"email": value, "email_confirm": value}, "id_email_error"


@FUZZ
@given(case=bad_emails())
@example(case=({"email": "alice@example.ca", "email_confirm": "alice@example.com"}, "id_email_confirm_error"))
def test_EML_1_bad_or_non_matching_emails_are_refused_in_french_and_nothing_is_saved(signed_in, alice, case):
    changes, field = case
    data = {**correspondence_data(alice), **changes}
    before = snapshot()
    response = post(signed_in, CORRESPONDENCE, data)
    assert_refused(response, before, field=field)
    if field == "id_email_confirm_error":
        assert shown_errors(response).fields[field] == ["Les deux adresses de courriel doivent être identiques."]


# --- CEL-1: the cell number ----------------------------------------------------------------------------------


@FUZZ
@given(cell=bad_phone_numbers)
@example(cell="514-555-000")
@example(cell="+1 (000) 123-4567")
def test_CEL_1_bad_cell_numbers_are_refused_in_french_and_no_code_is_sent(signed_in, alice, cell):
    data = {**correspondence_data(alice), "cell": cell}
    before = snapshot()
    response = post(signed_in, CORRESPONDENCE, data)
    assert_refused(response, before, field="id_cell_error")


# --- PRO-1 / BEY-1: the section's version (optimistic locking) --------------------------------------------


@FUZZ
@given(version=st.one_of(st.none(), garbage_integers, st.integers(min_value=2).map(str)))
@example(version="9" * 30)  # beyond a 64-bit integer
@example(version="9" * 5000)  # beyond Python's int-from-str limit
def test_PRO_1_garbage_or_stale_versions_of_the_correspondence_form_save_nothing(signed_in, alice, version):
    data = {**correspondence_data(alice), "line1": "999, boulevard René-Lévesque", "version": version}
    data = {k: v for k, v in data.items() if v is not None}
    outcome = version_outcome(version, alice.correspondence_version)
    before = snapshot()
    response = post(signed_in, CORRESPONDENCE, data)
    assert_refused(response, before, summary=outcome == "summary", stale=outcome == "stale")


# --- CEL-2: the code sent by text message --------------------------------------------------------------------


@pytest.fixture
def pending_cell_code(alice, pay_calendar):
    """Alice has entered a cell number: a code is waiting to be typed."""
    with transaction.atomic():
        professional = Professional.objects.select_for_update().get(pk=alice.pk)
        assert profile.change_cell(professional=professional, number=VALID_PHONE, by=alice.user, moment=clock.now())
    return VerificationToken.objects.get(professional=alice, purpose=TokenPurpose.CELL)


bad_codes = st.one_of(
    BLANK,
    st.from_regex(r"\A[0-9]{1,5}\Z"), st.from_regex(r"\A[0-9]{7,12}\Z"),
    st.from_regex(r"\A[0-9]{3}[ \-.][0-9]{3}\Z"),
    st.sampled_from(["12345a", "１２３４５６", "١٢٣٤٥٦", "۱۲۳۴۵۶", "12345６", "+12345", "-12345", "1e5", "0x1234"]),
    ANY_TEXT, overlong(50), with_nul(st.from_regex(r"\A[0-9]{3}\Z")),
).filter(lambda s: not re.fullmatch(r"[0-9]{6}", s.strip()))


@FUZZ
@given(code=bad_codes)
@example(code="12345")
@example(code="١٢٣٤٥٦")
def test_CEL_2_malformed_codes_are_refused_in_french_and_cost_no_attempt(signed_in, alice, pending_cell_code, code):
    before = snapshot()
    response = post(signed_in, CONFIRM_CELL, {"code": code})
    assert_refused(response, before, field="id_code_error")
    if "\x00" not in code:
        expected = (["Le code compte 6 chiffres."], ["Entrez le code à 6 chiffres."])
        assert shown_errors(response).fields["id_code_error"] in expected
    pending_cell_code.refresh_from_db()
    assert pending_cell_code.attempts == 0


# --- PRO-2: places of practice ---------------------------------------------------------------------------------


@st.composite
def bad_practice(draw, bob_place_pk):
    """(changes, expected) with expected ("field", id), ("summary", None) or ("stale", None). Alice has one
    place (form 0, the main one)."""
    case = draw(st.sampled_from(["address", "name", "telephone", "no_main", "two_mains", "delete_only",
                                 "management", "pk_garbage", "pk_foreign", "version"]))
    if case == "address":
        changes, field = draw(bad_address(prefix="lieu-0-"))
        return changes, ("field", f"id_{field}_error")
    if case == "name":
        return {"lieu-0-name": draw(st.one_of(BLANK, overlong(200), with_nul()))}, ("field", "id_lieu-0-name_error")
    if case == "telephone":
        value = draw(st.one_of(st.just(""), bad_phone_numbers))
        return {"lieu-0-main_telephone": value}, ("field", "id_lieu-0-main_telephone_error")
    if case == "no_main":
        return {"lieu-0-is_main": None}, ("summary", None)
    if case == "two_mains":
        new = {f"lieu-1-{k}": v for k, v in place_fields().items()}
        return {**new, "lieu-TOTAL_FORMS": "2"}, ("summary", None)
    if case == "delete_only":
        return {"lieu-0-DELETE": draw(st.sampled_from(["on", "1", "true"]))}, ("summary", None)
    if case == "management":
        field = draw(st.sampled_from(["lieu-TOTAL_FORMS", "lieu-INITIAL_FORMS"]))
        # Any count but the right one (1 initial form; more than one form in all is fine: extra empty forms,
        # but kept small here, as a page with 100 place forms takes seconds to render).
        value = draw(st.one_of(st.none(), garbage_integers, st.integers(-10**6, 10**6).map(str)))
        number = integer_field(value)
        if number is not REFUSED:
            assume(number != 1 if field == "lieu-INITIAL_FORMS" else number < 1)
        return {field: value}, ("summary", None)
    if case == "pk_garbage":  # the hidden pk, tampered: no visible field to put the error beside
        value = draw(st.one_of(st.sampled_from(["abc", "1.5", "٣"]), ANY_TEXT))
        assume(integer_field(value, required=False) is REFUSED)
        return {"lieu-0-pk": value}, ("summary", None)
    if case == "pk_foreign":  # someone else's place, or none at all: refused (tampered form or stale edit)
        value = draw(st.one_of(st.just(str(bob_place_pk)), st.integers(min_value=-5).map(str)))
        return {"lieu-0-pk": value}, ("summary_or_stale", None)
    # The view reads the version itself: int(version or 0), anything else is refused as stale.
    value = draw(st.one_of(st.none(), garbage_integers, st.integers(min_value=2).map(str), st.just("9" * 5000)))
    try:
        assume(int(value or 0) != 1)
    except ValueError:
        pass
    return {"version": value}, ("stale", None)


@pytest.fixture
def bob_place(bob):
    return bob.places_of_practice.get()


@FUZZ
@given(data=st.data())
def test_PRO_2_bad_places_of_practice_are_refused_in_french_and_nothing_is_saved(signed_in, alice, bob_place, data):
    alice_pk = alice.places_of_practice.get().pk
    changes, (kind, field) = data.draw(bad_practice(bob_place.pk), label="case")
    if changes.get("lieu-0-pk") == str(alice_pk):  # drawn integer happened to be Alice's own place
        return
    form = {**practice_data(alice), **changes}
    form = {k: v for k, v in form.items() if v is not None}
    before = snapshot()
    response = post(signed_in, PRACTICE, form)
    stale = None if kind == "summary_or_stale" else kind == "stale"
    assert_refused(response, before, field=field, summary=kind == "summary", stale=stale)


# --- PRF-1: correspondence preferences ---------------------------------------------------------------------------


@st.composite
def bad_preferences(draw):
    """(changes, id of the field with the error or None for the summary, stale)."""
    case = draw(st.sampled_from(["choice", "choice", "version", "stale"]))
    if case == "choice":
        kinds = draw(st.lists(st.sampled_from([k.value for k in CHOOSABLE_KINDS]), min_size=1, max_size=4, unique=True))
        values = st.one_of(
            st.none(), st.just(""), st.sampled_from(["Poste", "courriel", "messagerie sécurisée", "poste,messagerie"]), ANY_TEXT
        )
        changes = {kind: draw(values.filter(lambda v: v is None or v not in Channel.values)) for kind in kinds}
        return changes, f"id_{kinds[0]}_error", False
    value = draw(st.one_of(st.none(), garbage_integers) if case == "version" else st.integers(min_value=2).map(str))
    outcome = version_outcome(value, 1)
    return {"version": value}, None, outcome == "stale"


@FUZZ
@given(case=bad_preferences())
@example(case=({"entente": "fax"}, "id_entente_error", False))
def test_PRF_1_bad_preference_choices_are_refused_in_french_and_nothing_is_saved(signed_in, alice, case):
    changes, field, stale = case
    # Ask for a real change (everything by post), so that a wrongly accepted form would save rows.
    form = {**preferences_data(alice), **{kind.value: Channel.POST for kind in CHOOSABLE_KINDS}, **changes}
    form = {k: v for k, v in form.items() if v is not None}
    before = snapshot()
    response = post(signed_in, PREFERENCES, form)
    assert_refused(response, before, field=field, summary=field is None and not stale, stale=stale)


def test_PRF_1_kinds_always_sent_by_post_cannot_be_chosen_even_by_a_tampered_form(signed_in, alice):
    form = {**preferences_data(alice), **{kind.value: Channel.POST for kind in CHOOSABLE_KINDS}}
    form.update({kind.value: Channel.SECURE_MESSAGING for kind in ALWAYS_BY_POST})
    response = post(signed_in, PREFERENCES, form)
    assert response.status_code == 302
    assert set(CorrespondencePreference.objects.filter(professional=alice).values_list("kind", flat=True)) == {
        k.value for k in CHOOSABLE_KINDS
    }
    assert not CorrespondencePreference.objects.filter(kind__in=list(ALWAYS_BY_POST)).exists()


# --- PRO-7: the address validators alone --------------------------------------------------------------------------


def address(**changes):
    data = {"country": "CA", "line1": "1, rue des Érables", "line2": "", "city": "Québec", "province": "QC",
            "postal_code": "G1R 2B5", "region": ""}
    data.update(changes)
    return AddressForm(data)


@PURE
@given(code=valid_postal_code(), data=st.data())
def test_PRO_7_any_valid_postal_code_in_any_case_and_spacing_is_normalised(code, data):
    raw, canonical = code
    province = data.draw(st.sampled_from(sorted(POSTAL_PREFIX_PROVINCES[canonical[0]])), label="province")
    form = address(postal_code=raw, province=province)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["postal_code"] == canonical
    assert CANONICAL_POSTAL.fullmatch(form.address_input().postal_code)


@PURE
@given(case=mismatched_postal_code())
def test_PRO_7_a_postal_code_whose_first_letter_does_not_match_the_province_is_refused(case):
    raw, province = case
    form = address(postal_code=raw, province=province)
    assert not form.is_valid()
    assert form.errors["postal_code"] == ["Ce code postal ne correspond pas à la province choisie."]


@PURE
@given(raw=bad_postal_codes)
def test_PRO_7_anything_but_a_canadian_postal_code_is_refused_in_french(raw):
    form = address(postal_code=raw)
    assert not form.is_valid()
    assert_french(form.errors["postal_code"])


@PURE
@given(
    country=st.sampled_from(["US", "FR", "BE", "HT", "MA"]),
    province=st.sampled_from(["", *PROVINCES]),
    postal_code=st.text(st.characters(exclude_categories=("Cs", "Cc", "Cf", "Co", "Zl", "Zp")), max_size=10),  # ramq_portal.text
)
def test_PRO_7_an_address_abroad_keeps_no_canadian_province_or_postal_code(country, province, postal_code):
    form = address(country=country, province=province, postal_code=postal_code, region="75001 Paris")
    assert form.is_valid(), form.errors
    result = form.address_input()
    assert (result.country, result.province, result.postal_code, result.region) == (country, "", "", "75001 Paris")


# --- Bugs this file found (all saved something, or showed no error), fixed in 3d682aa: kept as regression tests ---
# Before the fix each of these failed as described in its docstring.


@pytest.mark.parametrize("digit", ["\u0662", "\uff12", "\u0968"])  # Arabic-Indic, fullwidth, Devanagari two
def test_PRO_7_postal_code_with_non_ascii_digits_is_refused_and_nothing_is_saved(signed_in, alice, digit):
    """Was: localflavor's CAPostalCodeField uses \\d, which takes any Unicode digit: 'H٢X 3J6' was accepted,
    302, and saved as the pending address's postal code."""
    data = {**correspondence_data(alice), "line1": "1200, rue Saint-Denis", "postal_code": f"H{digit}X 3J6"}
    before = snapshot()
    response = post(signed_in, CORRESPONDENCE, data)
    assert_refused(response, before, field="id_postal_code_error")
    expected = ["Entrez un code postal canadien valide, par exemple G1R 2B5."]
    assert shown_errors(response).fields["id_postal_code_error"] == expected


@pytest.mark.parametrize(
    "second", [{"is_main": None, "name": "Autre nom"}, {"DELETE": "on"}], ids=["no_main_left", "no_place_left"]
)
def test_PRO_2_a_place_named_twice_in_the_formset_is_refused_and_nothing_is_saved(signed_in, alice, second):
    """Was: a formset naming the same place twice (tampered hidden pk) was saved, 302: the second form
    overwrote the first (no main place left) or deleted the place the first form kept (no place at all)."""
    place = alice.places_of_practice.get()
    form = {**practice_data(alice), "lieu-TOTAL_FORMS": "2"}
    form.update({f"lieu-1-{k}": v for k, v in place_fields(place, **second).items()})
    before = snapshot()
    response = post(signed_in, PRACTICE, form)
    assert_refused(response, before, summary=True)


@pytest.mark.parametrize(
    "counts", [{"tel-INITIAL_FORMS": "-1"}, {"tel-INITIAL_FORMS": "0"}, {"tel-TOTAL_FORMS": "-3"}, {"tel-TOTAL_FORMS": "0"}],
    ids=["initial_negative", "initial_zero", "total_negative", "total_zero"],
)
def test_PRO_4_a_tampered_telephone_management_form_is_refused_and_no_telephone_is_deleted(signed_in, alice, counts):
    """Was: Django's ManagementForm takes any integer. With tel-INITIAL_FORMS -1 or 0 the unchanged
    telephone form counted as an empty extra form and was dropped; with tel-TOTAL_FORMS -3 there were no
    forms at all: either way 302, and every telephone of the file deleted."""
    data = {**correspondence_data(alice), **counts}
    before = snapshot()
    response = post(signed_in, CORRESPONDENCE, data)
    assert_refused(response, before, summary=True)


@pytest.mark.parametrize("extension", ["12\n", "123456\n"])
def test_PRO_4_an_extension_with_a_trailing_newline_is_refused_and_nothing_is_saved(signed_in, alice, extension):
    """Was: the extension's RegexField does not strip and its pattern ended with `$`, which also matches
    before a final newline: '12\\n' was accepted, 302, and saved as the extension."""
    data = {**correspondence_data(alice), "tel-0-extension": extension}
    before = snapshot()
    response = post(signed_in, CORRESPONDENCE, data)
    assert_refused(response, before, field="id_tel-0-extension_error")


@pytest.mark.parametrize("url_name", [CORRESPONDENCE, PRACTICE, PREFERENCES, CONFIRM_CELL])
def test_empty_posts_show_an_error_and_save_nothing(signed_in, alice, pending_cell_code, url_name):
    """Was: the views built their forms with `request.POST or None`; an empty POST body made an unbound
    form, and the page came back (200) with no error at all."""
    before = snapshot()
    response = post(signed_in, url_name, {})
    assert_refused(response, before)


# --- Regression: an existing place's form sent without its hidden pk (blank or left out) was taken for a new
# place (a copy became the main one); the formset now refuses it -------------------------------------------------------


@pytest.mark.parametrize("pk", ["", None], ids=["blank_pk", "missing_pk"])
def test_PRO_2_an_existing_place_sent_without_its_pk_is_refused_and_nothing_is_saved(signed_in, alice, pk):
    form = {**practice_data(alice), "lieu-0-pk": pk}
    form = {k: v for k, v in form.items() if v is not None}
    before = snapshot()
    response = post(signed_in, PRACTICE, form)
    assert_refused(response, before, summary=True)


# --- Valid input is saved (so that "nothing saved" above means something) ---------------------------------------------


def test_PRO_5_EML_2_a_valid_correspondence_form_is_saved_and_the_version_goes_up(signed_in, alice):
    before = snapshot()
    version = alice.correspondence_version
    data = {
        **correspondence_data(alice),
        "line1": "1200, rue Saint-Denis", "city": "Montréal", "province": "QC", "postal_code": " h2x3j6 ",
        "email": "alice.tremblay@example.ca", "email_confirm": "Alice.Tremblay@Example.ca",
        "tel-0-number": "514 872-2237", "tel-0-extension": "12",
    }
    response = post(signed_in, CORRESPONDENCE, data)
    assert response.status_code == 302 and response["Location"] == reverse("dossier:profil")
    alice.refresh_from_db()
    assert alice.correspondence_version == version + 1
    pending = alice.correspondence_addresses.get(line1="1200, rue Saint-Denis")
    assert (pending.city, pending.province, pending.postal_code, pending.country) == ("Montréal", "QC", "H2X 3J6", "CA")
    assert pending.effective_from > clock.today()  # PRO-5: dated, in force on the next payment date
    assert [(t.number.as_e164, t.extension) for t in alice.telephones.all()] == [("+15148722237", "12")]
    assert alice.email == "alice.tremblay@example.ca" and alice.email_activated_at is None
    assert VerificationToken.objects.filter(professional=alice, purpose=TokenPurpose.EMAIL, target=alice.email).exists()
    assert snapshot() != before


def test_PRO_2_PRF_1_valid_practice_and_preferences_forms_are_saved(signed_in, alice):
    before = snapshot()
    form = {**practice_data(alice), "lieu-0-name": "Clinique Tremblay et associés", "lieu-0-postal_code": "g1v2l8"}
    assert post(signed_in, PRACTICE, form).status_code == 302
    place = alice.places_of_practice.get()
    assert (place.name, place.postal_code, place.is_main) == ("Clinique Tremblay et associés", "G1V 2L8", True)
    middle = snapshot()
    assert middle != before
    form = {**preferences_data(alice), **{kind.value: Channel.POST for kind in CHOOSABLE_KINDS}}
    assert post(signed_in, PREFERENCES, form).status_code == 302
    assert CorrespondencePreference.objects.filter(professional=alice, channel=Channel.POST).count() == len(CHOOSABLE_KINDS)
    assert snapshot() != middle
