from django import forms
from django.utils.translation import gettext_lazy as _
from ramq_portal.text import PlainTextForm


class MessageToBoardForm(PlainTextForm):
    subject = forms.CharField(label=_("Objet"), max_length=200)
    body = forms.CharField(label=_("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 8}),
                           help_text=_("N'y inscrivez pas de numéro de compte bancaire complet."))


class ReplyToBoardForm(PlainTextForm):
    body = forms.CharField(label=_("Votre réponse"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6}),
                           help_text=_("N'y inscrivez pas de numéro de compte bancaire complet."))
