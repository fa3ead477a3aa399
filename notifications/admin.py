from django.contrib import admin
from django.utils.translation import gettext_lazy, ngettext

from notifications.models import OutboundMessage, PrintItem
from ramq_portal import clock


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    """Outgoing emails and text messages: a failed one stays here for staff, never silently dropped."""

    list_display = ["created_at", "channel", "template", "status", "attempts", "professional", "sent_at"]
    list_filter = ["status", "channel", "template"]
    search_fields = ["=professional__professional_number"]
    list_select_related = ["professional"]
    readonly_fields = [f.name for f in OutboundMessage._meta.fields if f.name != "to"]
    exclude = ["to"]  # an address or number, shown masked in the list only through the professional's file
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PrintItem)
class PrintItemAdmin(admin.ModelAdmin):
    """The print queue (NOT-4): what goes by post, with the address in force on its sending date."""

    list_display = ["sending_date", "subject", "professional", "reason", "printed_at"]
    list_filter = [("printed_at", admin.EmptyFieldListFilter), "reason", "kind"]
    search_fields = ["=professional__professional_number", "professional__last_name"]
    list_select_related = ["professional"]
    readonly_fields = [f.name for f in PrintItem._meta.fields]
    actions = ["mark_printed"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=gettext_lazy("Marquer comme imprimés"), permissions=["change"])
    def mark_printed(self, request, queryset):
        done = queryset.filter(printed_at__isnull=True).update(printed_at=clock.now(), printed_by=request.user)
        self.message_user(request, ngettext("%(n)d envoi marqué comme imprimé.", "%(n)d envois marqués comme imprimés.", done) % {"n": done})
