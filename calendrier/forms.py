from django import forms
from django.utils.translation import gettext_lazy as _


class GeneratePaymentDatesForm(forms.Form):
    until = forms.DateField(label=_("Générer jusqu'au"), widget=forms.DateInput(attrs={"type": "date"}))
