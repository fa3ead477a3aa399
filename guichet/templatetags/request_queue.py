"""`{% queue_result_list cl %}`: Django's `{% result_list cl %}` (same template, same headers), with the
rows written by guichet.queue."""
from __future__ import annotations

from django import template
from django.contrib.admin.templatetags.admin_list import result_headers, result_hidden_fields
from django.contrib.admin.templatetags.base import InclusionAdminNode

from guichet import queue

register = template.Library()


def queue_result_list(cl):
    headers = list(result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": list(result_hidden_fields(cl)),
        "result_headers": headers,
        "num_sorted_fields": sum(1 for header in headers if header["sortable"] and header["sorted"]),
        "results": queue.rows(cl),
    }


@register.tag(name="queue_result_list")
def queue_result_list_tag(parser, token):
    return InclusionAdminNode(parser, token, func=queue_result_list, template_name="change_list_results.html", takes_context=False)
