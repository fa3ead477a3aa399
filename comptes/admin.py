from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_noop

from comptes import mandataries
from comptes.models import (
    AccountAddress,
    BillingAccount,
    BillingAgency,
    FinancialInstitution,
    Mandatary,
    PaymentSettings,
    SoftwareDeveloper,
    StatementSettings,
)
from dossier import disclosure
from ramq_portal import clock
from ramq_portal.history import MaskedHistoryAdmin


@admin.register(StatementSettings)
class StatementSettingsAdmin(MaskedHistoryAdmin):
    """ETC-5: staff record a professional's request for paper statements (posted as well as shown in
    secure messaging); the rest changes in Mon dossier or by form (ETC-6)."""

    list_display = ["account", "option", "reception_mode", "paper_requested", "updated_at"]
    list_filter = ["paper_requested", "option"]
    search_fields = ["=account__number", "=account__professional__professional_number"]
    list_select_related = ["account"]
    fields = ["account", "option", "agency", "reception_mode", "line1", "line2", "city", "province", "postal_code", "region",
              "country", "paper_requested", "updated_at"]
    readonly_fields = [name for name in fields if name != "paper_requested"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        """Only paper_requested changes; the account's version moves, so that a statement form open in
        Mon dossier at the same time is refused instead of silently undoing this change."""
        with transaction.atomic():
            account = BillingAccount.objects.select_for_update().get(pk=obj.account_id)
            BillingAccount.objects.filter(pk=account.pk).update(version=F("version") + 1)
            obj.updated_at = clock.now()
            obj._history_user = request.user
            obj._change_reason = gettext_noop("État de compte papier demandé") if obj.paper_requested else gettext_noop("État de compte papier retiré")
            obj.save(update_fields=["paper_requested", "updated_at"])


class AccountAddressInline(admin.TabularInline):
    """STF-7: the account's own correspondence address (distinct from its statement address), dated;
    changed only by accepting form 3102 or the group's letter, so read-only here."""

    model = AccountAddress
    template = "admin/edit_inline/tabular_scrollable.html"  # read-only: the region scrolls with the keyboard
    fields = ["effective_from", "line1", "line2", "city", "province", "postal_code", "region", "country", "recorded_at", "cancelled_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = gettext_lazy("Adresses de correspondance du compte (en vigueur et à venir)")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("comptes.view_billingaccount")


@admin.register(BillingAccount)
class BillingAccountAdmin(MaskedHistoryAdmin):
    list_display = ["number", "name", "kind", "professional", "opened_at"]
    list_filter = ["kind"]
    search_fields = ["=number", "=professional__professional_number", "professional__last_name"]
    list_select_related = ["professional"]
    readonly_fields = ["professional", "kind", "number", "opened_at"]
    inlines = [AccountAddressInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BillingAgency)
class BillingAgencyAdmin(MaskedHistoryAdmin):
    """Billing agencies: reference data (PRO-6 compares addresses with theirs)."""

    list_display = ["transmission_number", "name", "agency_type", "city", "is_active"]
    list_filter = ["agency_type", "is_active"]
    search_fields = ["=transmission_number", "name"]
    raw_id_fields = ["owner"]


@admin.register(FinancialInstitution)
class FinancialInstitutionAdmin(MaskedHistoryAdmin):
    """Reference list of Canadian financial institutions (PAI-2)."""

    list_display = ["number", "name"]
    search_fields = ["=number", "name"]


@admin.register(SoftwareDeveloper)
class SoftwareDeveloperAdmin(MaskedHistoryAdmin):
    """Recognised software developers (ETC-2 b)."""

    list_display = ["number", "name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["=number", "name"]


@admin.register(PaymentSettings)
class PaymentSettingsAdmin(MaskedHistoryAdmin):
    """Payment details, read-only here: bank account numbers shown masked (last 3 digits)."""

    list_display = ["account", "mode", "institution", "masked_account", "effective_from", "cancelled_at"]
    list_filter = ["mode"]
    search_fields = ["=account__number", "=account__professional__professional_number"]
    list_select_related = ["account", "institution"]
    fields = ["account", "mode", "institution", "transit", "masked_account", "personal_account_confirmed",
              "effective_from", "recorded_at", "cancelled_at"]
    readonly_fields = fields

    change_form_template = "admin/comptes/paymentsettings/change_form.html"

    @admin.display(description=gettext_lazy("numéro de compte bancaire"))
    def masked_account(self, obj):
        return obj.masked_account

    def get_queryset(self, request):
        """The list and the page show the last 3 digits: the number itself is neither loaded nor
        decrypted (the reveal view below loads it, recorded)."""
        return super().get_queryset(request).defer("bank_account")

    def get_urls(self):
        own = [path("<int:object_id>/numero-complet/", self.admin_site.admin_view(self.reveal_view),
                    name="comptes_paymentsettings_reveal")]
        return own + super().get_urls()

    def reveal_view(self, request, object_id):
        """STF-3: a supervisor sees the bank account number in full after confirming; recorded first."""
        if not request.user.has_perm(disclosure.PERMISSION):
            raise PermissionDenied
        row = get_object_or_404(PaymentSettings.objects.select_related("account__professional"), pk=object_id)
        number = disclosure.reveal_bank_account(payment_settings=row, by=request.user) if request.method == "POST" else ""
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "title": _("Numéro de compte bancaire"),
                   "label": _("le numéro de compte bancaire"), "number": number,
                   "back": reverse("admin:comptes_paymentsettings_change", args=[row.pk])}
        return TemplateResponse(request, "admin/dossier/disclosure.html", context)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MandataryAdminForm(forms.ModelForm):
    """MAN-1 through the admin too: the rule of comptes.mandataries, its messages next to the fields."""

    class Meta:
        model = Mandatary
        fields = ["account", "first_name", "last_name", "relation", "agency", "ended_at"]

    def clean(self):
        data = super().clean()
        errors = mandataries.refusals(first_name=data.get("first_name", ""), last_name=data.get("last_name", ""),
                                      relation=data.get("relation", ""), agency=data.get("agency"))
        for field, message in errors.items():
            self.add_error(field, message)
        return data


@admin.register(Mandatary)
class MandataryAdmin(MaskedHistoryAdmin):
    """MAN-1: persons mandated to sign invoices, recorded by staff from form 3005 (never an agency: its
    employees, named one by one)."""

    form = MandataryAdminForm

    list_display = ["last_name", "first_name", "relation", "agency", "account", "recorded_at", "ended_at"]
    list_filter = ["relation"]
    search_fields = ["last_name", "=account__number"]
    raw_id_fields = ["account", "agency"]
    readonly_fields = ["recorded_at", "recorded_by"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_at = clock.now()
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)
