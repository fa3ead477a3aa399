"""`{% regie_help "3102" "3005" %}`: the forms named, and how to reach the Régie (HLP-1; ramq_portal/regie.py)."""
from __future__ import annotations

from django import template

from ramq_portal import regie

register = template.Library()


@register.inclusion_tag("partials/regie_help.html")
def regie_help(*numbers: str) -> dict:
    return {"paper_forms": regie.forms(*numbers), "telephones": regie.TELEPHONES, "fax": regie.FAX,
            "postal_address": regie.POSTAL_ADDRESS}


@register.inclusion_tag("partials/regie_contact_email.html")
def regie_contact_email() -> dict:
    """How to reach the Régie, in an email's HTML body."""
    return regie_help()


@register.inclusion_tag("partials/regie_contact_email.txt")
def regie_contact_text() -> dict:
    """How to reach the Régie, in an email's text body."""
    return regie_help()
