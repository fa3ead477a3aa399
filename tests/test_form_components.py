"""Issue 15: the markup of the form partials (templates/partials/) and the page title of a failed submit
(ramq_portal/templatetags/form_state.py). What a browser does with them is in
tests/browser/test_form_components.py."""
from __future__ import annotations

import pytest
from django import forms
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test.html import parse_html
from django.urls import reverse
from django.utils import translation

from comptes.forms import StatementForm
from comptes.models import BillingAgency
from dossier.forms import AddressForm
from ramq_portal import filecache

BACKEND = "ramq_portal.auth_backends.CachedModelBackend"


class ConsentForm(forms.Form):
    agreed = forms.BooleanField(label="J'accepte", help_text="Vous pourrez changer d'avis.")


def rendered(template: str, **context) -> str:
    with translation.override("fr"):
        return render_to_string(template, context)


def test_a_lone_checkbox_has_its_box_before_its_label_and_its_hint_tied_to_it():
    html = rendered("partials/field.html", field=ConsentForm()["agreed"])
    box, label, hint = html.index('type="checkbox"'), html.index('<label for="id_agreed"'), html.index('id="id_agreed_helptext"')
    assert box < label < hint
    assert 'class="choice"' in html and 'class="hint"' in html
    assert 'aria-describedby="id_agreed_helptext"' in html


def test_a_checkbox_in_error_says_so_above_its_box():
    html = rendered("partials/field.html", field=ConsentForm({})["agreed"])
    assert "field-error" in html
    assert html.index('id="id_agreed_error"') < html.index('type="checkbox"') < html.index('<label for="id_agreed"')
    assert "id_agreed_error" in html[html.index("<input"):html.index(">", html.index("<input"))]


def test_a_text_field_hint_is_styled_as_a_hint():
    class Named(forms.Form):
        name = forms.CharField(label="Nom", help_text="Tel qu'il paraît sur votre permis.")

    html = rendered("partials/field.html", field=Named()["name"])
    assert parse_html('<div class="hint" id="id_name_helptext">Tel qu\'il paraît sur votre permis.</div>') in parse_html(html)


def test_the_address_parts_in_and_outside_canada_are_conditional_on_the_country():
    html = rendered("partials/address_fields.html", form=AddressForm(prefix="lieu-0"))
    canada = html.index('data-shown-when="lieu-0-country=CA"')
    abroad = html.index('data-shown-when="lieu-0-country!=CA"')
    assert canada < html.index('name="lieu-0-province"') < html.index('name="lieu-0-postal_code"') < abroad < html.index('name="lieu-0-region"')
    assert 'id="id_lieu-0-country-canada"' in html and 'id="id_lieu-0-country-hors-canada"' in html


@pytest.mark.django_db
def test_the_mandate_is_conditional_on_an_ATD_agency():
    atd = BillingAgency.objects.create(name="Facturation Pro ATD", transmission_number="11111", agency_type="ATD")
    ise = BillingAgency.objects.create(name="Regroupement", transmission_number="22222", agency_type="ISE")
    form = StatementForm(shown_agencies=[atd, ise])
    assert form.atd_agencies == str(atd.pk)
    html = rendered("comptes/partials/statement_fields.html", form=form)
    assert f'data-shown-when="option=agence;agency={atd.pk}"' in html


@pytest.fixture
def signed_in(client, alice):
    client.force_login(alice.user, backend=BACKEND)
    return client


def title_of(response) -> str:
    html = response.content.decode()
    return html[html.index("<title>") + len("<title>"):html.index("</title>")]


@pytest.mark.django_db
def test_the_title_of_a_page_sent_back_with_errors_begins_with_Erreur(signed_in):
    assert title_of(signed_in.get(reverse("notifications:write"), HTTP_ACCEPT_LANGUAGE="fr")).startswith("Écrire à la Régie")
    response = signed_in.post(reverse("notifications:write"), {"subject": "", "body": ""}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert title_of(response).startswith("Erreur\u00a0: Écrire à la Régie")
    assert 'id="erreurs"' in response.content.decode()


@pytest.mark.django_db
def test_the_title_says_Error_in_english(signed_in):
    signed_in.cookies["mondossier_langue"] = "en"
    response = signed_in.post(reverse("notifications:write"), {"subject": "", "body": ""})
    assert title_of(response).startswith("Error: ")


@pytest.mark.django_db
def test_the_error_summary_separates_label_and_message_with_the_label_value_separator(signed_in):
    response = signed_in.post(reverse("notifications:write"), {"subject": "", "body": ""}, HTTP_ACCEPT_LANGUAGE="fr")
    assert "Message\u00a0: " in response.content.decode()


@pytest.mark.django_db
def test_a_failed_sign_in_is_an_error_page_and_the_username_keeps_no_autofocus(client, alice):
    response = client.post(reverse("login"), {"username": "alice", "password": "pas le bon"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert title_of(response).startswith("Erreur\u00a0: ")
    assert "autofocus" not in response.content.decode()


def test_the_title_check_never_computes_a_lazy_value_of_the_page_cache():
    """A page served from the file's page cache computes nothing: asking whether its forms have errors
    must not build the lazy values that stand for them (ramq_portal.filecache.lazily)."""
    built = []
    lazy = filecache.lazily(lambda: built.append(1) or {"open_form": ConsentForm({})}, "open_form")
    html = Template("{% load form_state %}{% page_has_errors as failed %}{{ failed }}").render(Context(lazy))
    assert html == "False" and built == []
