from django.contrib import admin, messages
from django.utils.translation import gettext_lazy, ngettext

from notifications import outbox
from notifications.models import DepositNotice, OutboundMessage, PaymentRun, PrintItem, Statement
from ramq_portal import clock, writing
from ramq_portal.admin_base import ReadOnlyAdmin


@admin.register(PaymentRun)
class PaymentRunAdmin(ReadOnlyAdmin):
    """Each payment date's run: started, finished (or where it stands), what it produced."""

    list_display = ["payment_date", "started_at", "finished_at", "statements", "deposit_notices", "printed"]
    date_hierarchy = "payment_date"


@admin.register(Statement)
class StatementAdmin(ReadOnlyAdmin):
    list_display = ["payment_date", "account", "balance_shown", "issued_at"]
    fields = ["account", "payment_date", "balance_shown", "issued_at"]  # the balance as an amount: "1 369,68 $"
    readonly_fields = ["balance_shown"]
    list_filter = ["payment_date"]
    search_fields = ["=account__number", "=account__professional__professional_number"]
    list_select_related = ["account"]
    show_full_result_count = False

    @admin.display(description=gettext_lazy("solde"), ordering="balance")
    def balance_shown(self, obj: Statement) -> str:
        return writing.amount(obj.balance)


@admin.register(DepositNotice)
class DepositNoticeAdmin(ReadOnlyAdmin):
    list_display = ["payment_date", "deposit_date", "account", "bank_account_masked", "issued_at"]
    list_filter = ["payment_date"]
    search_fields = ["=account__number", "=account__professional__professional_number"]
    list_select_related = ["account"]
    show_full_result_count = False


@admin.register(OutboundMessage)
class OutboundMessageAdmin(ReadOnlyAdmin):
    """Outgoing emails and text messages: a failed one stays here for staff, never silently dropped."""

    list_display = ["created_at", "channel", "template", "status", "attempts", "last_error", "next_attempt_at", "professional", "sent_at"]
    list_filter = ["status", "channel", "template"]
    search_fields = ["=professional__professional_number"]
    list_select_related = ["professional"]
    readonly_fields = [f.name for f in OutboundMessage._meta.fields if f.name != "to"]
    exclude = ["to"]  # an address or number, shown masked in the list only through the professional's file
    date_hierarchy = "created_at"
    actions = ["send_again"]

    def has_resend_permission(self, request):
        return request.user.has_perm("notifications.resend_outboundmessage")

    @admin.action(description=gettext_lazy("Envoyer de nouveau les messages en échec"), permissions=["resend"])
    def send_again(self, request, queryset):
        count, skipped = outbox.resend(queryset)
        self.message_user(request, ngettext("%(n)d message remis en file d'attente.", "%(n)d messages remis en file d'attente.", count) % {"n": count})
        if skipped:
            self.message_user(request, ngettext(
                "%(n)d code par message texte ne peut pas être renvoyé : le professionnel demande un nouveau code.",
                "%(n)d codes par message texte ne peuvent pas être renvoyés : le professionnel demande un nouveau code.", skipped)
                % {"n": skipped}, level=messages.WARNING)


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
