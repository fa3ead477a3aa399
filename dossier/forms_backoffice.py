"""The paper forms of the file (STF-2): what every paper form has (PaperForm), form 3102 (coordinates) and
form 1378 (participation)."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dossier.constants import ParticipationStatus
from dossier.forms import AddressForm
from dossier.models import Professional
from ramq_portal import clock


class PaperForm(forms.Form):
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


class Form3102(PaperForm, AddressForm):
    """Form 3102: change of address, telephone or email (EML-7: the email gets the validation link).
    The address and the email are each optional; the form changes at least one of them."""

    ADDRESS_FIELDS = ("line1", "line2", "city", "postal_code", "region")

    email = forms.EmailField(label=_("Courriel"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("line1", "city"):
            self.fields[name].required = False  # required only when an address is written (clean)

    def clean(self):
        self.with_address = any((self.data.get(self.add_prefix(name)) or "").strip() for name in self.ADDRESS_FIELDS)
        if not self.with_address:
            data = forms.Form.clean(self)  # no address written: none of its rules apply
            if not data.get("email") and "email" not in self.errors:
                self.add_error(None, _("Le formulaire 3102 change l'adresse, le courriel ou les deux : remplissez au moins l'un des deux."))
            return data
        data = super().clean()
        for name in ("line1", "city"):
            if not (data.get(name) or "").strip() and name not in self.errors:
                self.add_error(name, self.fields[name].error_messages["required"])
        return data

    def payload(self) -> dict:
        """The address as written (abroad too), or none, and the version of the coordinates it was
        entered against: accepted later, it never silently overwrites a newer change made online."""
        data = self.cleaned_data
        return {**{name: data.get(name) or "" for name in ("line1", "line2", "city", "province", "postal_code", "region", "email")},
                "country": str(data.get("country") or "CA"), "with_address": self.with_address,
                "version": self.professional.correspondence_version}


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
