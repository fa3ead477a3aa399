"""The form renderer: Django's TemplatesSetting, with the plainest widget templates written in Python.

Each `<input>` Django renders goes through two templates (the widget's, which includes input.html,
which includes attrs.html); an edit form of the file has 30 to 60 of them, and a page of places of
practice several hundred. This renderer writes, for the templates below, exactly the HTML those
templates write (attributes in their order, False left out, True written bare, values escaped;
`render` strips, as Django's renderers do), and hands every other template to the template engine.
A template of this list that the project overrides (a file of the same name in templates/) is
rendered from that file, as before: the override is detected when the renderer is created.
"""
from __future__ import annotations

from django.forms.renderers import TemplatesSetting
from django.template.loader import get_template
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, escape

_INPUTS = {f"django/forms/widgets/{name}.html" for name in (
    "text", "email", "number", "tel", "password", "hidden", "url", "search", "date", "time", "datetime", "checkbox", "color", "input",
)}
TEXTAREA = "django/forms/widgets/textarea.html"
DJANGO_WIDGETS = "django/forms/templates/django/forms/widgets/"


def attributes(attrs: dict) -> str:
    """What django/forms/widgets/attrs.html writes."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {escape(name)}" if value is True else f' {escape(name)}="{escape(value)}"')
    return "".join(parts)


def _input(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{escape(widget["value"])}"'
    return f'<input type="{escape(widget["type"])}" name="{escape(widget["name"])}"{value}{attributes(widget["attrs"])}>'


def _textarea(widget: dict) -> str:
    value = conditional_escape(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{escape(widget["name"])}"{attributes(widget["attrs"])}>\n{value}</textarea>'


class FastTemplatesSetting(TemplatesSetting):
    @cached_property
    def _fast(self) -> dict:
        """{template name: function} for the templates of this module that nothing overrides."""
        candidates = {name: _input for name in _INPUTS} | {TEXTAREA: _textarea}
        return {
            name: function for name, function in candidates.items()
            if DJANGO_WIDGETS in str(get_template(name).origin.name).replace("\\", "/")
        }

    def render(self, template_name, context, request=None):
        function = self._fast.get(template_name)
        if function is None:
            return super().render(template_name, context, request)
        return function(context["widget"]).strip()
