from django.contrib import admin

from notifications.models import OutboundMessage


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
