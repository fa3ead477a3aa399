from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class LettersAndDigitsValidator:
    """Password rule: at least one letter and one digit."""

    def validate(self, password, user=None):
        if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
            raise ValidationError(
                _("Le mot de passe doit contenir au moins une lettre et un chiffre."), code="password_letters_and_digits"
            )

    def get_help_text(self):
        return _("Votre mot de passe doit contenir au moins une lettre et un chiffre.")
