"""What the fuzz tests of the forms read from a rendered page: the error messages it shows.

`shown_errors(response)` parses the page's HTML and collects the texts (one a <p>, <li> or <h2>) inside
an element whose id ends with `_error` (beside a field: templates/partials/field.html and radio_field.html),
inside an `.error-summary` box (and the targets of that box's links), and inside the `.messages` area. Used
by the fuzz tests of the Profil and Comptes tabs and of the registration wizard; whether those messages are
French is tests/french_messages.py's business.
"""
from __future__ import annotations

from html.parser import HTMLParser

from tests.french_messages import _collapse


class ErrorCollector(HTMLParser):
    """The messages shown as errors: each <p>/<li> inside an element whose id ends with `_error` (beside a
    field), inside an `.error-summary`, and inside the `.messages` area.

    fields: {element id ("id_<field>_error"): its messages}; summaries: the messages of each error summary;
    summary_links: the href of every link inside an error summary; messages: those of the messages area.
    """

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.open: list[tuple[int, str]] = []  # (depth, key) of the capturing elements now open
        self.fields: dict[str, list[str]] = {}
        self.summaries: list[list[str]] = []
        self.summary_links: list[str] = []
        self.messages: list[str] = []
        self._buffers: dict[str, list[str]] = {}

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        self.depth += 1
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        key = None
        if (attrs.get("id") or "").endswith("_error"):
            key = "field:" + attrs["id"]
            self.fields[attrs["id"]] = []
        elif "error-summary" in classes:
            key = f"summary:{len(self.summaries)}"
            self.summaries.append([])
        elif "messages" in classes:
            key = "messages"
        if tag == "a" and any(k.startswith("summary:") for _, k in self.open):
            self.summary_links.append(attrs.get("href") or "")
        if key:
            self.open.append((self.depth, key))
            self._buffers[key] = []
        if tag in ("p", "li", "h2"):
            self._flush()

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if tag in ("p", "li", "h2"):
            self._flush()
        if self.open and self.open[-1][0] == self.depth:
            self._flush()
            self.open.pop()
        self.depth -= 1

    def handle_data(self, data):
        for _, key in self.open:
            self._buffers[key].append(data)

    def _flush(self):
        for _, key in self.open:
            text = _collapse("".join(self._buffers[key]))
            self._buffers[key] = []
            if not text:
                continue
            kind, _, name = key.partition(":")
            if kind == "field":
                self.fields[name].append(text)
            elif kind == "summary":
                self.summaries[int(name)].append(text)
            else:
                self.messages.append(text)


def shown_errors(response) -> ErrorCollector:
    collector = ErrorCollector()
    collector.feed(response.content.decode())
    collector.close()
    return collector
