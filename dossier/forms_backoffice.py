"""The paper forms of the file (STF-2): what every paper form has (PaperForm), form 3102 (coordinates) and
form 1378 (participation). Form 3102 is in comptes.paper_forms: it also changes the accounts' addresses."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dossier.constants import ParticipationStatus
from dossier.models import Professional
from ramq_portal import clock
from ramq_portal.text import PlainTextForm


class PaperForm(PlainTextForm):
    """What every paper form has: the professional it is about and the day it was received."""

    professional_number = forms.CharField(label=_("Numéro de professionnel"), max_length=7)
    received_on = forms.DateField(label=_("Reçu le"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean_professional_number(self):
        number = self.cleaned_data["professional_number"].strip()
        professional = Professional.objects.filter(professional_number=number).first()
        if professional is None:
            raise forms.ValidationError(_("Aucun dossier ne porte ce numéro de professionnel."))
        self.professional = professional
        return number

    def clean_received_on(self):
        day = self.cleaned_data["received_on"]
        if day > clock.today():
            raise forms.ValidationError(_("La date de réception ne peut pas être dans le futur."))
        return day

    def payload(self) -> dict:
        raise NotImplementedError

    def entry(self) -> dict:
        return {"professional": self.professional, "payload": self.payload(), "sensitive": self.sensitive(),
                "received_on": self.cleaned_data["received_on"]}

    def sensitive(self) -> dict | None:
        return None


class Form1378(PaperForm):
    """Form 1378 (INS-7): non-participation or disengagement, in effect 30 days after the notice."""

    status = forms.ChoiceField(label=_("Statut demandé"), choices=[(ParticipationStatus.NON_PARTICIPANT, ParticipationStatus.NON_PARTICIPANT.label),
                                                                  (ParticipationStatus.DISENGAGED, ParticipationStatus.DISENGAGED.label)])
    notice_date = forms.DateField(label=_("Date de l'avis"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        notice, received = data.get("notice_date"), data.get("received_on")
        if notice and received and notice > received:
            self.add_error("notice_date", _("L'avis ne peut pas être daté après le jour de sa réception."))
        return data

    def payload(self) -> dict:
        return {"status": self.cleaned_data["status"], "notice_date": self.cleaned_data["notice_date"].isoformat()}
