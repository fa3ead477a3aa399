"""`{% filecache name [vary ...] %}…{% endfilecache %}`: a fragment of a file's page, from the cache.

The context's `file_page` (ramq_portal.filecache.FilePage) gives the key; without one, the fragment
is rendered as if the tag were not there. On a miss the fragment is rendered with a placeholder for
the CSRF token, stored, and the placeholder is then replaced by this request's token, as on a hit.
Whatever the fragment reads must come from the context lazily (querysets, or callables the template
calls): on a hit nothing of it is evaluated, which is the point.
"""
from __future__ import annotations

from django import template
from django.core.cache import cache
from django.utils.safestring import mark_safe

from ramq_portal.filecache import CSRF_PLACEHOLDER, cached_fragment, fill_csrf

register = template.Library()


class FileCacheNode(template.Node):
    def __init__(self, nodelist, name: str, vary: list):
        self.nodelist, self.name, self.vary = nodelist, name, vary

    def render(self, context):
        page = context.get("file_page")
        if page is None:
            return self.nodelist.render(context)
        vary = [value.resolve(context) for value in self.vary]
        token = lambda: context.get("csrf_token")  # noqa: E731
        html = cached_fragment(page, self.name, vary, token)
        if html is None:
            with context.push(csrf_token=CSRF_PLACEHOLDER):
                html = str(self.nodelist.render(context))
            timeout = page.timeout()
            if timeout > 0:
                cache.set(page.key(self.name, vary), html, timeout)
            html = fill_csrf(html, token)
        return mark_safe(html)


@register.tag("filecache")
def filecache(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% filecache %} needs a name: {% filecache \"profil\" [vary ...] %}")
    nodelist = parser.parse(("endfilecache",))
    parser.delete_first_token()
    name = bits[1].strip("\"'")
    return FileCacheNode(nodelist, name, [parser.compile_filter(bit) for bit in bits[2:]])
