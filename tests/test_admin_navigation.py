"""The admin's navigation (the list of apps and models beside every page) is kept per language and per
set of permissions (ramq_portal.admin_site, issue 14): each person still sees exactly what Django
would list for them, in their language's order, and a permission granted shows on the next page."""
from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from dossier.models import User

pytestmark = pytest.mark.django_db


def app_lists(user, language, app_label=None):
    """(the site's list, Django's own list computed afresh) for `user` in `language`."""
    request = RequestFactory().get("/admin/")
    request.user = User.objects.get(pk=user.pk)  # a fresh user: no permission cache
    with translation.override(language):
        ours = admin.site.get_app_list(request, app_label)
        django = admin.AdminSite.get_app_list(admin.site, request, app_label)
        return [(str(app["name"]), [(str(m["name"]), m["admin_url"], m["add_url"], m["perms"]) for m in app["models"]]) for app in ours], \
               [(str(app["name"]), [(str(m["name"]), m["admin_url"], m["add_url"], m["perms"]) for m in app["models"]]) for app in django]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_each_role_sees_what_django_would_list_in_its_language(agent, supervisor, language):
    for user in (agent, supervisor, agent):  # the agent's second time comes from the kept list
        ours, django = app_lists(user, language)
        assert ours == django and ours
    ours, django = app_lists(agent, language, app_label="dossier")
    assert ours == django and len(ours) == 1  # one app's page
    assert app_lists(agent, language)[0] != app_lists(supervisor, language)[0]


def test_a_permission_granted_shows_in_the_navigation_on_the_next_page(client, agent):
    client.force_login(agent)
    link = reverse("admin:auth_group_changelist")
    assert link not in client.get(reverse("admin:dossier_request_changelist")).content.decode()
    agent.user_permissions.add(Permission.objects.get(codename="view_group"))
    assert link in client.get(reverse("admin:dossier_request_changelist")).content.decode()


def test_a_caller_changing_its_list_does_not_change_the_next_ones(agent):
    request = RequestFactory().get("/admin/")
    request.user = agent
    first = admin.site.get_app_list(request)
    first[0]["models"].clear()
    first.clear()
    again = admin.site.get_app_list(request)
    assert again and all(app["models"] for app in again)
