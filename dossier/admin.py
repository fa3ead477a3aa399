from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from dossier import disclosure, profile, services
from dossier.addresses import AddressInput
from dossier.exceptions import LicenceAlreadyOnFile
from dossier.forms import OpenFileForm
from dossier.models import (
    CorrespondenceAddress,
    CorrespondencePreference,
    PlaceOfPractice,
    Profession,
    Disclosure,
    Professional,
    SecurityReport,
    Telephone,
    User,
)
from dossier.selectors import correspondence_address_on
from ramq_portal import clock
from ramq_portal.admin_base import ReadOnlyAdmin
from ramq_portal.history import MaskedHistoryAdmin


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    """Django's user admin. Supervisors only look at users: without the change permission, Django's
    read-only password widget still links to the password form, which answers them 403."""

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        return [(name, {**options, "fields": [f for f in options["fields"] if f != "password"]}) for name, options in fieldsets]


@admin.register(Profession)
class ProfessionAdmin(MaskedHistoryAdmin):
    list_display = ["name_fr", "name_en", "code", "number_digit"]


class ReadOnlyInline(admin.TabularInline):
    """Coordinates change through the Mon dossier services (and paper forms), never by raw edits here."""

    template = "admin/edit_inline/tabular_scrollable.html"  # nothing to focus in it: the region scrolls with the keyboard
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class TelephoneInline(ReadOnlyInline):
    model = Telephone
    fields = ["kind", "number", "extension"]


class PlaceOfPracticeInline(ReadOnlyInline):
    model = PlaceOfPractice
    fields = ["name", "is_main", "line1", "city", "province", "postal_code", "country", "main_telephone"]


class CorrespondenceAddressInline(ReadOnlyInline):
    model = CorrespondenceAddress
    fields = ["effective_from", "line1", "line2", "city", "province", "postal_code", "country", "recorded_at", "cancelled_at"]


class PreferenceInline(ReadOnlyInline):
    model = CorrespondencePreference
    fields = ["kind", "channel", "effective_from", "recorded_at", "cancelled_at"]


@admin.register(SecurityReport)
class SecurityReportAdmin(admin.ModelAdmin):
    """BEY-3: changes a professional says were not theirs, for staff to follow up."""

    list_display = ["reported_at", "professional", "details", "handled_at"]
    list_filter = ["handled_at"]
    list_select_related = ["professional"]
    readonly_fields = ["professional", "details", "reported_at"]

    def has_add_permission(self, request):
        return False


@admin.register(Professional)
class ProfessionalAdmin(MaskedHistoryAdmin):
    list_display = ["professional_number", "last_name", "first_name", "profession", "participation_status", "opened_at"]
    list_filter = ["profession", "participation_status", "remuneration_mode", ("registered_at", admin.EmptyFieldListFilter)]
    search_fields = ["=professional_number", "last_name", "first_name", "=licence_number"]
    list_select_related = ["profession"]
    # Everything changes through the Mon dossier services (and paper forms), except the newsletter
    # opt-out, which staff switch off on request (EML-6).
    readonly_fields = [
        "professional_number", "profession", "licence_number", "last_name", "first_name", "birth_date",
        "participation_status", "remuneration_mode", "language", "user", "opened_at",
        "reference_number_issued_at", "reference_number_used_at", "engagement_confirmed_at", "registered_at", "returned_mail_at", "email", "email_activated_at",
        "cell_number", "cell_confirmed_at", "masked_sin",
    ]
    exclude = ["sin"]  # shown masked only (masked_sin)
    inlines = [CorrespondenceAddressInline, TelephoneInline, PlaceOfPracticeInline, PreferenceInline]
    change_form_template = "admin/dossier/professional/change_form.html"

    def has_delete_permission(self, request, obj=None):
        return False

    actions = ["flag_returned_mail"]

    @admin.action(description=gettext_lazy("Signaler un courrier retourné (coordonnées à confirmer)"), permissions=["change"])
    def flag_returned_mail(self, request, queryset):
        """BEY-8: the professional confirms or corrects the coordinates at the next sign-in."""
        flagged = sum(profile.flag_returned_mail(professional=p, by=request.user) for p in queryset)
        self.message_user(request, ngettext("%(n)d dossier signalé.", "%(n)d dossiers signalés.", flagged) % {"n": flagged})

    @admin.display(description=gettext_lazy("numéro d'assurance sociale"))
    def masked_sin(self, obj):
        return obj.masked_sin

    def get_urls(self):
        own = [
            path("ouvrir/", self.admin_site.admin_view(self.open_file_view), name="dossier_professional_open"),
            path(
                "<int:object_id>/lettre-numero/",
                self.admin_site.admin_view(self.number_letter_view),
                name="dossier_professional_number_letter",
            ),
            path("<int:object_id>/nas/", self.admin_site.admin_view(self.reveal_sin_view), name="dossier_professional_reveal_sin"),
            path(
                "<int:object_id>/nouveau-numero-reference/",
                self.admin_site.admin_view(self.reissue_reference_view),
                name="dossier_professional_reissue_reference",
            ),
        ]
        return own + super().get_urls()

    def add_view(self, request, form_url="", extra_context=None):
        return redirect("admin:dossier_professional_open")

    def reveal_sin_view(self, request, object_id):
        """STF-3: a supervisor sees the SIN in full after confirming; the viewing is recorded first."""
        if not request.user.has_perm(disclosure.PERMISSION):
            raise PermissionDenied
        professional = get_object_or_404(Professional, pk=object_id)
        number = disclosure.reveal_sin(professional=professional, by=request.user) if request.method == "POST" else ""
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "title": _("Numéro d'assurance sociale"),
                   "label": _("le numéro d'assurance sociale"), "number": number,
                   "back": reverse("admin:dossier_professional_change", args=[professional.pk])}
        return TemplateResponse(request, "admin/dossier/disclosure.html", context)

    def _letter_context(self, request, professional):
        today = clock.today()
        return {
            **self.admin_site.each_context(request),
            "professional": professional,
            "address": correspondence_address_on(professional, today).in_force,
            "letter_date": today,
            "title": _("Lettres au professionnel"),
        }

    def open_file_view(self, request):
        """DOS-2: open a file; the response shows the two letters, the reference number once."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = OpenFileForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                opened = services.open_file(
                    profession=data["profession"],
                    licence_number=data["licence_number"],
                    last_name=data["last_name"],
                    first_name=data["first_name"],
                    birth_date=data["birth_date"],
                    language=data["language"],
                    remuneration_mode=data["remuneration_mode"],
                    address=AddressInput.from_data(data),
                    opened_by=request.user,
                )
            except LicenceAlreadyOnFile:
                form.add_error("licence_number", _("Un dossier existe déjà pour ce numéro de permis dans cette profession."))
            else:
                context = self._letter_context(request, opened.professional)
                context.update(reference_number=opened.reference_number, letters=["number", "reference"])
                return TemplateResponse(request, "dossier/letters/letters.html", context)
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "opts": self.model._meta,
            "title": _("Ouvrir un dossier"),
        }
        return TemplateResponse(request, "admin/dossier/professional/open_file.html", context)

    def number_letter_view(self, request, object_id):
        """The letter confirming the professional number: reprintable at any time."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        professional = get_object_or_404(Professional.objects.select_related("profession"), pk=object_id)
        context = self._letter_context(request, professional)
        context.update(letters=["number"])
        return TemplateResponse(request, "dossier/letters/letters.html", context)

    def reissue_reference_view(self, request, object_id):
        """A new reference number and its letter; the previous number stops working."""
        if not request.user.has_perm("dossier.reissue_reference_number"):
            raise PermissionDenied
        professional = get_object_or_404(Professional.objects.select_related("profession"), pk=object_id)
        if professional.is_enrolled:
            messages.error(request, _("Ce professionnel est déjà inscrit aux services en ligne."))
            return redirect(reverse("admin:dossier_professional_change", args=[professional.pk]))
        if request.method != "POST":
            context = {**self.admin_site.each_context(request), "professional": professional, "opts": self.model._meta,
                       "title": _("Émettre un nouveau numéro de référence")}
            return TemplateResponse(request, "admin/dossier/professional/reissue_reference.html", context)
        reference = services.issue_reference_number(professional=professional, issued_by=request.user)
        context = self._letter_context(request, professional)
        context.update(reference_number=reference, letters=["reference"])
        return TemplateResponse(request, "dossier/letters/letters.html", context)




@admin.register(Disclosure)
class DisclosureAdmin(ReadOnlyAdmin):
    """STF-3: who saw which personal number unmasked, and when (supervisors only; nobody edits it)."""

    list_display = ["seen_at", "user", "what", "professional", "detail"]
    list_filter = ["what"]
    search_fields = ["=professional__professional_number", "user__username"]
    list_select_related = ["user", "professional"]
    readonly_fields = ["seen_at", "user", "what", "professional", "detail"]
