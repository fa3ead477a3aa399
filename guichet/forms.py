"""Forms of the request queue: assignment, refusal, reply."""
from django import forms
from django.utils.translation import gettext_lazy as _

from dossier.models import User
from ramq_portal.text import PlainTextForm


class AssignForm(PlainTextForm):
    agent = forms.ModelChoiceField(label=_("Agent"), queryset=User.objects.filter(is_staff=True, is_active=True).order_by("username"))


class RefuseForm(PlainTextForm):
    reason = forms.CharField(label=_("Motif du refus (transmis au professionnel)"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class ReplyForm(PlainTextForm):
    body = forms.CharField(label=_("Réponse au professionnel (dans sa messagerie sécurisée)"), widget=forms.Textarea(attrs={"rows": 5}),
                           max_length=5000)
    close = forms.BooleanField(label=_("La demande est traitée : la fermer avec cette réponse"), required=False, initial=True)
