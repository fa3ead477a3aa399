from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from comptes import accounts as services
from calendrier import paycalendar
from comptes.confirmation import password_confirmed
from comptes.constants import AgencyType, StatementOption
from comptes.exceptions import (
    AgencyRefused,
    AlreadyMember,
    CompanyAccountRefused,
    DuplicateRequest,
    FreshConfirmationRequired,
    MandateRequired,
    NotAloneInCollective,
    StaleAccountEdit,
)
from comptes.forms import (
    AGENCY_REFUSED,
    COMPANY_ACCOUNT_REFUSED,
    MANDATE_REQUIRED,
    JoinCollectiveForm,
    CollectiveAddressForm,
    OpenAccountForm,
    PaymentForm,
    StatementForm,
)
from comptes.models import BillingAgency, SoftwareDeveloper
from comptes.selectors import (
    account_for_user,
    billing_accounts_for_user,
    may_edit_online,
    requests_of,
    search_agencies,
    search_developers,
)
from dossier import dated
from dossier.addresses import AddressInput
from dossier.decorators import file_page, registration_required
from dossier.exceptions import TooManyRequests
from dossier.requests import TOO_MANY_REQUESTS
from dossier.selectors import own_professional
from ramq_portal import clock, filecache, writing

STALE = gettext_lazy("Ce compte a été modifié ailleurs depuis que vous avez ouvert la page. Rien n'a été enregistré : "
          "voici les données à jour, refaites vos changements.")


def _posted(request):
    return request.POST if request.method == "POST" else None


def _pk(value) -> int | None:
    """A primary key from user input, or None (ASCII digits only, within a 64-bit integer)."""
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


def _search_text(value) -> str:
    """A search string as the database can take it: no NUL or other control character, bounded."""
    return "".join(ch for ch in (value or "") if ch.isprintable())[:100]


# What the Comptes tab reads (built lazily: nothing of it on a cache hit).
ACCOUNTS_PAGE = ("professional", "accounts", "requests", "next_payment", "open_form", "join_form")


@require_GET
@login_required
@registration_required
@file_page("comptes")
def accounts(request, page):
    """The Comptes de facturation tab: Finances personnelles, administrative accounts, requests. Served
    from the file's page cache (ramq_portal.filecache) while the file does not change."""

    def build():
        return _accounts_context(request, page.day, open_form=OpenAccountForm(), join_form=JoinCollectiveForm())

    return render(request, "comptes/accounts.html", {"file_page": page, "active_tab": "comptes", **filecache.lazily(build, *ACCOUNTS_PAGE)})



def _accounts_context(request, day, *, open_form, join_form) -> dict:
    professional, accounts = billing_accounts_for_user(request.user)
    return {
        "professional": professional,
        "accounts": [(a, services.payment_in_force(a, day)) for a in accounts],
        "requests": requests_of(professional),
        "next_payment": paycalendar.next_payment(day),
        "open_form": open_form,
        "join_form": join_form,
    }


def _accounts_page_with_errors(request, *, open_form=None, join_form=None, status=400):
    """The tab sent back with the request form that failed (issue 15): its errors beside its fields, what
    was typed kept. Never cached: a POST is not served through filecache.serve, and without a `file_page`
    the page's `{% filecache %}` fragments are rendered, not stored. The language and display-mode forms
    lead back to the tab (the form's own URL takes only a POST)."""
    context = _accounts_context(request, clock.today(), open_form=open_form or OpenAccountForm(),
                                join_form=join_form or JoinCollectiveForm())
    return render(request, "comptes/accounts.html", {**context, "active_tab": "comptes", "page_path": reverse("comptes:accounts")},
                  status=status)


@require_GET
@login_required
@registration_required
@file_page("compte", vary=lambda request, pk: (pk,))
def account_detail(request, page, pk):
    """An account's page, from the file's page cache (ramq_portal.filecache) while the file does not change."""
    if page.has("compte", [pk]):
        def build():
            professional, account = account_for_user(request.user, pk)
            return _account_context(professional, account, address_form=_collective_address_form())

        return render(request, "comptes/account_detail.html", {
            "file_page": page, "account_pk": pk, "active_tab": "comptes", **filecache.lazily(build, *ACCOUNT_PAGE),
        })
    professional, account = account_for_user(request.user, pk)
    return account_detail_page(request, professional, account, address_form=_collective_address_form(), file_page=page)


ACCOUNT_PAGE = ("professional", "account", "payment", "statement", "account_address", "editable", "alone_in_collective", "address_form")


def _collective_address_form():
    return CollectiveAddressForm(initial={"date_of_change": clock.today()})


def _account_context(professional, account, *, address_form) -> dict:
    today = clock.today()
    return {
        "professional": professional,
        "account": account,
        "payment": services.payment_in_force(account, today),
        "statement": getattr(account, "statement_settings", None),
        "account_address": dated.split(account.correspondence_addresses.all(), today),
        "editable": may_edit_online(account, professional),
        "alone_in_collective": services.alone_in_collective(account, professional),
        "address_form": address_form,
    }


def account_detail_page(request, professional, account, *, address_form, status=200, file_page=None):
    """An account's page; with the collective address form as sent when it has errors (next to the field).
    As first shown (`file_page`), it is stored in the file's page cache; sent back with errors (no
    `file_page`), it is not, and its language and display-mode forms lead back to the account's page."""
    back = {} if file_page is not None else {"page_path": reverse("comptes:account", args=[account.pk])}
    return render(
        request,
        "comptes/account_detail.html",
        {**_account_context(professional, account, address_form=address_form), "active_tab": "comptes",
         "file_page": file_page, "account_pk": account.pk, **back},
        status=status,
    )


def _editable(request, pk):
    """The account to edit (404 if not the professional's), the other accounts the change may also go
    to (BEY-5), and whether the professional may edit it online: one query for all the accounts."""
    professional, all_accounts = billing_accounts_for_user(request.user)
    account = next((a for a in all_accounts if a.pk == pk), None)
    if account is None:
        raise Http404
    others = [a for a in all_accounts if a.pk != pk and may_edit_online(a, professional)]
    if not may_edit_online(account, professional):
        messages.error(request, _("Seul le titulaire du compte peut modifier ces coordonnées en ligne."))
        return professional, account, others, False
    return professional, account, others, True


@require_http_methods(["GET", "POST"])
@login_required
@registration_required
@file_page("edit-payment", vary=lambda request, pk: (pk,))
def edit_payment(request, page, pk):
    if page is not None and page.has("edit-payment", [pk]):  # as first shown, from the file's page cache
        return render(request, "comptes/edit_payment.html", {
            "file_page": page, "account_pk": pk, "active_tab": "comptes",
            **filecache.lazily(lambda: _payment_context(request, *_editable(request, pk)[:3]), *PAYMENT_PAGE),
        })
    professional, account, others, editable = _editable(request, pk)
    if not editable:
        return redirect("comptes:account", pk=pk)
    context = _payment_context(request, professional, account, others)
    form = context["form"]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        bank = services.BankDetails(institution=data.get("institution"), transit=data.get("transit", ""),
                                    account_number=data.get("account_number", ""))
        targets = [(account, data["version"])] + [(a, a.version) for a in others if str(a.pk) in data.get("apply_to", [])]
        try:
            rows = services.change_payment_of_accounts(
                targets=targets, mode=data["mode"], bank=bank, personal_account_confirmed=data["personal_account_confirmed"],
                fresh_confirmation=password_confirmed(request, data.get("password") or ""), by=request.user,
            )
        except StaleAccountEdit:
            messages.error(request, STALE)
            return redirect("comptes:edit_payment", pk=pk)
        except FreshConfirmationRequired:
            form.add_error("password", _("Entrez votre mot de passe actuel pour confirmer le changement de coordonnées bancaires."))
        except CompanyAccountRefused:
            form.add_error("personal_account_confirmed", COMPANY_ACCOUNT_REFUSED)
        else:
            row = rows[0]
            if row is None:
                messages.info(request, _("Aucun changement à vos coordonnées de paiement."))
            else:
                messages.success(request, _("Vos coordonnées de paiement ont été enregistrées. Elles s'appliqueront au paiement du %(date)s.") % {"date": writing.long_date(row.effective_from)})
            return redirect("comptes:account", pk=pk)
    return render(request, "comptes/edit_payment.html", {**context, "file_page": page, "account_pk": pk, "active_tab": "comptes"})


PAYMENT_PAGE = ("professional", "account", "form", "payment", "next_payment", "bank_effective", "old_account_payday")


def _payment_context(request, professional, account, others) -> dict:
    state = services.payment_in_force(account, clock.today())
    current = state.pending or state.in_force
    initial = {"version": account.version, "mode": current.mode if current else "cheque"}
    if current and current.mode == "virement":
        initial.update({"institution": current.institution_id, "transit": current.transit})
    effective = paycalendar.bank_change_effective_date(clock.now())
    next_payday = paycalendar.next_payment_date(clock.now())
    return {
        "professional": professional, "account": account, "payment": state,
        "form": PaymentForm(_posted(request), initial=initial, other_accounts=others),
        "next_payment": paycalendar.next_payment(effective), "bank_effective": effective,
        "old_account_payday": next_payday if next_payday < effective else None,
    }


@require_POST
@login_required
@registration_required
def cancel_pending_payment(request, pk):
    _professional, account, _others, editable = _editable(request, pk)
    if editable and services.cancel_pending_payment(account=account, by=request.user):
        messages.success(request, _("Le changement de coordonnées de paiement en attente a été annulé."))
    return redirect("comptes:account", pk=pk)


@require_http_methods(["GET", "POST"])
@login_required
@registration_required
@file_page("edit-statement", vary=lambda request, pk: None if request.GET else (pk,))
def edit_statement(request, _page, pk):
    """The statement transmission of an account; as first shown (no search), from the file's page cache
    (ramq_portal.filecache) while the file does not change."""
    professional, account, others, editable = _editable(request, pk)
    if not editable:
        return redirect("comptes:account", pk=pk)
    current = getattr(account, "statement_settings", None)
    agency_query = _search_text(request.GET.get("agence"))
    developer_query = _search_text(request.GET.get("developpeur"))
    found_agencies = search_agencies(agency_query, professional)
    found_developers = search_developers(developer_query)
    initial = {"version": account.version, "option": current.option if current else StatementOption.NONE, "country": "CA"}
    if current is not None:
        initial.update(AddressInput.of(current).as_dict())
        initial.update(reception_mode=current.reception_mode, agency=current.agency_id,
                       mandate_accepted=current.mandate_accepted)
    if agency_query:
        initial["option"] = StatementOption.AGENCY
    if developer_query:
        initial["option"] = StatementOption.SELF_BILLING
    # On GET the choices shown are the search results (and the current agency), already loaded: no
    # further query. On POST the field validates against every active agency or developer.
    shown_agencies = list(found_agencies)
    if current is not None and current.agency is not None and current.agency not in shown_agencies:
        shown_agencies.insert(0, current.agency)
    if request.method == "POST":  # a refused choice stays on screen next to its error
        chosen_agency, chosen_developer = _pk(request.POST.get("agency")), _pk(request.POST.get("developer"))
        if chosen_agency:
            shown_agencies += [a for a in BillingAgency.objects.filter(pk=chosen_agency) if a not in shown_agencies]
        if chosen_developer:
            found_developers += [d for d in SoftwareDeveloper.objects.filter(pk=chosen_developer) if d not in found_developers]
    form = StatementForm(_posted(request), initial=initial, other_accounts=others,
                         shown_agencies=shown_agencies, shown_developers=found_developers)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        targets = [(account, data["version"])] + [(a, a.version) for a in others if str(a.pk) in data.get("apply_to", [])]
        try:
            results = services.change_statement_of_accounts(
                targets=targets, option=data["option"], agency=data.get("agency"), developer=data.get("developer"),
                reception_mode=data.get("reception_mode", ""), mandate_accepted=data["mandate_accepted"],
                address=form.address_input(), by=request.user,
            )
        except StaleAccountEdit:
            messages.error(request, STALE)
            return redirect("comptes:edit_statement", pk=pk)
        except AgencyRefused as exc:
            form.add_error("agency", AGENCY_REFUSED[exc.args[0]])
        except MandateRequired:
            form.add_error("mandate_accepted", MANDATE_REQUIRED)
        else:
            messages.success(request, _("Vos coordonnées d'état de compte ont été enregistrées. Le changement est immédiat."))
            created = next((r.created_agency for r in results if r.created_agency), None)
            if created is not None:
                messages.info(request, _("Votre agence privée a été créée. Son numéro de transmission est %(number)s : donnez-le à votre développeur de logiciels.") % {"number": created.transmission_number})
            return redirect("comptes:account", pk=pk)
    return render(
        request,
        "comptes/edit_statement.html",
        {
            "professional": professional, "account": account, "form": form, "agency_query": agency_query,
            "developer_query": developer_query, "found_agencies": found_agencies, "found_developers": found_developers,
            "dis": AgencyType.DIS, "active_tab": "comptes",
        },
    )


# What the request services' refusals say (issue 15): beside the field, or at the top of the form.
DUPLICATE_REQUEST = gettext_lazy("Une demande identique attend déjà le traitement de la Régie.")
ALREADY_MEMBER = gettext_lazy("Vous faites déjà partie de ce regroupement : aucune demande n'est nécessaire.")
NOT_ALONE_ANY_MORE = gettext_lazy("Ce compte collectif a maintenant d'autres membres : le changement d'adresse se fait par une "
                                  "lettre signée par chaque membre.")


@require_POST
@login_required
@registration_required
def ask_open_account(request):
    """CPT-2: a request to open an administrative account. Refused, the tab comes back with the form as
    sent and the error beside its field; sent, back to the tab with a message (POST, redirect, GET)."""
    professional = own_professional(request.user)
    form = OpenAccountForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.ask_to_open_account(professional=professional, collective=form.cleaned_data["collective"],
                                         name=form.cleaned_data["name"].strip(), by=request.user)
        except TooManyRequests:
            form.add_error(None, TOO_MANY_REQUESTS)
            status = 429  # too many requests lately, as the limits say
        except DuplicateRequest:
            form.add_error("name", DUPLICATE_REQUEST)
        else:
            messages.success(request, _("Votre demande a été transmise à la Régie. Vous en verrez le statut ici."))
            return redirect("comptes:accounts")
    return _accounts_page_with_errors(request, open_form=form, status=status)


@require_POST
@login_required
@registration_required
def ask_join_collective(request):
    """CPT-2: a request to join a group's collective account (the form checks that the group has an
    active one); refused or sent as ask_open_account."""
    professional = own_professional(request.user)
    form = JoinCollectiveForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.ask_to_join_collective(professional=professional, group_number=form.cleaned_data["group_number"], by=request.user)
        except AlreadyMember:
            form.add_error("group_number", ALREADY_MEMBER)
        except TooManyRequests:
            form.add_error(None, TOO_MANY_REQUESTS)
            status = 429  # too many requests lately, as the limits say
        except DuplicateRequest:
            form.add_error("group_number", DUPLICATE_REQUEST)
        else:
            messages.success(request, _("Votre demande pour joindre le regroupement a été transmise à la Régie."))
            return redirect("comptes:accounts")
    return _accounts_page_with_errors(request, join_form=form, status=status)


@require_POST
@login_required
@registration_required
def ask_collective_address(request, pk):
    """CPT-3: the new address of a collective account, sent as a secure message by its only member.
    Refused, the account's page comes back with the form as sent (never cached: see
    _accounts_page_with_errors); sent, back to the account with a message."""
    professional, account = account_for_user(request.user, pk)
    form = CollectiveAddressForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.ask_collective_address_change(account=account, professional=professional, address=form.address_input(),
                                                   date_of_change=form.cleaned_data["date_of_change"], by=request.user)
        except NotAloneInCollective:
            # The form is no longer offered: the page says how to ask by a letter signed by every member.
            messages.error(request, NOT_ALONE_ANY_MORE)
            return redirect("comptes:account", pk=pk)
        except TooManyRequests:
            form.add_error(None, TOO_MANY_REQUESTS)
            status = 429  # too many requests lately, as the limits say
        except DuplicateRequest:
            form.add_error(None, DUPLICATE_REQUEST)
        else:
            messages.success(request, _("Votre demande de changement d'adresse a été transmise à la Régie."))
            return redirect("comptes:account", pk=pk)
    return account_detail_page(request, professional, account, address_form=form, status=status)
