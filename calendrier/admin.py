from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from calendrier import paycalendar, services
from calendrier.forms import GeneratePaymentDatesForm
from calendrier.models import PaymentDate
from ramq_portal.history import MaskedHistoryAdmin


@admin.register(PaymentDate)
class PaymentDateAdmin(MaskedHistoryAdmin):
    """PAY-1: the pay calendar, generated forward and editable date by date."""

    list_display = ["date", "weekday", "deposit", "note"]
    date_hierarchy = "date"
    change_list_template = "admin/calendrier/paymentdate/change_list.html"

    @admin.display(description=gettext_lazy("jour"))
    def weekday(self, obj):
        return date_format(obj.date, "l")

    @admin.display(description=gettext_lazy("dépôt des virements"))
    def deposit(self, obj):
        return paycalendar.deposit_date(obj.date)

    def get_urls(self):
        own = [path("generer/", self.admin_site.admin_view(self.generate_view), name="calendrier_paymentdate_generate")]
        return own + super().get_urls()

    def generate_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = GeneratePaymentDatesForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            added = services.generate_payment_dates(until=form.cleaned_data["until"])
            messages.success(request, _("%(count)d date(s) de paiement ajoutée(s).") % {"count": added})
            return redirect("admin:calendrier_paymentdate_changelist")
        context = {**self.admin_site.each_context(request), "form": form, "opts": self.model._meta,
                   "title": _("Générer le calendrier de paiement")}
        return TemplateResponse(request, "admin/calendrier/paymentdate/generate.html", context)
