from django import forms
from django.utils.translation import gettext_lazy as _


class MessageToBoardForm(forms.Form):
    subject = forms.CharField(label=_("Objet"), max_length=200)
    body = forms.CharField(label=_("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 8}),
                           help_text=_("N'y inscrivez pas de numéro de compte bancaire complet."))


class ReplyToBoardForm(forms.Form):
    body = forms.CharField(label=_("Votre réponse"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6}),
                           help_text=_("N'y inscrivez pas de numéro de compte bancaire complet."))
