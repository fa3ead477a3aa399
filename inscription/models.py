"""Enrolment to the online services (INS-2) and the registration wizard's drafts (INS-3, INS-4)."""
from __future__ import annotations

import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ramq_portal.crypto import EncryptedCharField
from ramq_portal.filecache import FileModel, FileQuerySet


class SecretQuestion(models.TextChoices):
    """Questions for a forgotten password (INS-2). Answers are stored hashed, never in clear."""

    FIRST_SCHOOL = "ecole", _("Quel est le nom de votre première école primaire?")
    CHILDHOOD_STREET = "rue", _("Sur quelle rue habitiez-vous à l'âge de 10 ans?")
    FIRST_PET = "animal", _("Quel était le nom de votre premier animal de compagnie?")
    MOTHER_BIRTH_CITY = "ville_mere", _("Dans quelle ville votre mère est-elle née?")
    FIRST_JOB = "emploi", _("Quel a été votre premier emploi?")
    CHILDHOOD_FRIEND = "ami", _("Quel est le prénom de votre meilleur ami d'enfance?")
    FAVOURITE_TEACHER = "enseignant", _("Quel est le nom de famille de votre enseignant préféré?")
    FIRST_CAR = "voiture", _("Quelle était la marque de votre première voiture?")


class SecretAnswer(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="secret_answers")
    question = models.CharField(_("question"), max_length=20, choices=SecretQuestion.choices)
    answer_hash = models.CharField(max_length=128, editable=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        verbose_name = _("réponse à une question secrète")
        verbose_name_plural = _("réponses aux questions secrètes")
        constraints = [models.UniqueConstraint(fields=["user", "question"], name="one_answer_per_question")]


class Enrolment(FileModel, models.Model):
    """INS-2: who enrolled, when, and the security policy they accepted (the reference number's use is
    recorded on the file itself)."""

    FILE_OWNERS = ("professional_id",)  # the files this row shows on (ramq_portal.filecache)
    objects = FileQuerySet.as_manager()

    professional = models.OneToOneField("dossier.Professional", on_delete=models.PROTECT, related_name="enrolment")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="enrolment")
    enrolled_at = models.DateTimeField(_("inscrit aux services en ligne le"))
    security_policy_version = models.CharField(_("version de la politique de sécurité acceptée"), max_length=20)

    class Meta:
        verbose_name = _("inscription aux services en ligne")
        verbose_name_plural = _("inscriptions aux services en ligne")

    def __str__(self) -> str:
        return str(self.professional)


class RegistrationDraft(FileModel, models.Model):
    """INS-4: what the professional entered in the wizard, kept in the database so that the
    registration resumes at the same step on any device. The entries (which may hold a SIN and bank
    details) are stored encrypted as one JSON document."""

    FILE_OWNERS = ("professional_id",)  # the files this row shows on (ramq_portal.filecache)
    objects = FileQuerySet.as_manager()

    professional = models.OneToOneField("dossier.Professional", on_delete=models.CASCADE, related_name="registration_draft")
    current_step = models.PositiveSmallIntegerField(_("étape en cours"), default=1)
    payload = EncryptedCharField(blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("commencé le"))
    saved_at = models.DateTimeField(_("enregistré le"))
    reminder_sent_at = models.DateTimeField(_("rappel envoyé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("brouillon d'inscription")
        verbose_name_plural = _("brouillons d'inscription")
        indexes = [models.Index(fields=["saved_at"], name="draft_saved_at_idx")]

    def __str__(self) -> str:
        return str(self.professional)

    @property
    def steps(self) -> dict:
        """{step number as str: {"data": {field: [values]}, "complete": bool, "shown": {...}}}"""
        if not hasattr(self, "_steps"):
            self._steps = json.loads(self.payload)["steps"] if self.payload else {}
        return self._steps

    def set_steps(self, steps: dict) -> None:
        self._steps = steps
        self.payload = json.dumps({"steps": steps}, sort_keys=True)
