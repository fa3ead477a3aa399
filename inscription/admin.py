"""What staff see of registrations: who enrolled when, and the unfinished registrations (their step and
dates, never their entries, which may hold a SIN or bank details). Read-only."""
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from inscription.models import Enrolment, RegistrationDraft
from inscription.services import kept_until
from ramq_portal import writing
from ramq_portal.admin_base import ReadOnlyAdmin


@admin.register(Enrolment)
class EnrolmentAdmin(ReadOnlyAdmin):
    list_display = ["professional", "user", "enrolled_at", "security_policy_version"]
    list_select_related = ["professional", "user"]
    search_fields = ["=professional__professional_number", "professional__last_name"]
    fields = ["professional", "user", "enrolled_at", "security_policy_version"]


@admin.register(RegistrationDraft)
class RegistrationDraftAdmin(ReadOnlyAdmin):
    list_display = ["professional", "current_step", "created_at", "saved_at", "reminder_sent_at", "kept_until"]
    list_select_related = ["professional"]
    search_fields = ["=professional__professional_number", "professional__last_name"]
    fields = ["professional", "current_step", "created_at", "saved_at", "reminder_sent_at", "kept_until"]
    readonly_fields = fields

    @admin.display(description=_("conservé jusqu'au"))
    def kept_until(self, obj):
        return writing.long_date(kept_until(obj))
