"""Change history in the admin (django-simple-history), read-only and with personal numbers masked (STF-3).

* The history page lists each version's changes, old and new values side by side. A field encrypted at
  rest (a SIN, a bank account number: ramq_portal.crypto.EncryptedCharField) is shown there as its last
  3 digits only, like everywhere else on staff screens; supervisors see a number in full only through
  the recorded viewing (dossier.disclosure).
* A past version can be looked at, never restored: django-simple-history's "revert" saves the old
  version on any POST, with view permission only, around every rule of the portal (a cancelled bank
  account back in force, a decided request reopened). Changes go through the services.
"""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from ramq_portal.crypto import EncryptedCharField
from ramq_portal.text import guard


def mask(value) -> str:
    text = str(value or "")
    return f"•••{text[-3:]}" if text else ""


class MaskedHistoryHelper(HistoricalRecordContextHelper):
    def prepare_delta_change_value(self, change, value):
        if isinstance(self.model._meta.get_field(change.field), EncryptedCharField):
            return mask(value)
        return super().prepare_delta_change_value(change, value)


class MaskedHistoryAdmin(SimpleHistoryAdmin):
    def formfield_for_dbfield(self, db_field, request, **kwargs):
        """Free text written from the admin obeys the portal's rule (ramq_portal.text)."""
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        return guard(field) if field is not None else None

    def get_historical_record_context_helper(self, request, historical_record):
        return MaskedHistoryHelper(self.model, historical_record)

    def render_history_view(self, request, template, context, **kwargs):
        """Rendered late, like Django's own admin pages, so that the admin site can give it its plain
        French title (ramq_portal.admin_site.plain_titles)."""
        return TemplateResponse(request, template, context, **kwargs)

    def history_view(self, request, object_id, extra_context=None):
        """The author of each version links to their user page only for staff who may open it: an agent
        cannot, and the link answered 403."""
        user_admin = self.admin_site._registry.get(get_user_model())
        if user_admin is None or not user_admin.has_view_or_change_permission(request):
            extra_context = {**(extra_context or {}), "admin_user_view": ""}  # {% url ... as %}: no link
        return super().history_view(request, object_id, extra_context)

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
