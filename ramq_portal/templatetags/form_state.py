"""`{% page_has_errors as failed %}`: whether a form of the page was sent back with errors (issue 15).

The page shell writes "Erreur : " at the start of the <title> then (WCAG 3.3.1: the first thing a screen
reader announces says the submit failed). The shell's title is rendered before the content, so it cannot
look at the error summary: it looks at the forms the view handed to the template instead.
"""
from __future__ import annotations

from django import template
from django.forms import BaseForm, BaseFormSet

register = template.Library()


def _has_errors(value) -> bool:
    # type(), not isinstance(): a lazy value of the page cache (filecache.lazily) would be computed by
    # isinstance() asking its __class__, and a page served from the cache must compute nothing. Such
    # values are never bound forms (a page sent back with errors is never cached).
    kind = type(value)
    if issubclass(kind, BaseFormSet):
        return value.is_bound and value.total_error_count() > 0
    if issubclass(kind, BaseForm):
        return value.is_bound and bool(value.errors)
    return False


@register.simple_tag(takes_context=True)
def page_has_errors(context) -> bool:
    """True when the view says so (the wizard's `has_errors`) or a bound form or formset of the context
    has errors. Only bound forms count: an empty form shown for the first time is never "in error".
    The forms are validated once (Django keeps the result); the page would validate them anyway to show
    their errors."""
    if context.get("has_errors"):
        return True
    return any(_has_errors(value) for layer in context.dicts for value in layer.values())
