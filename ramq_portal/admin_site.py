"""The staff's admin site: Django's, with every view guarded against addresses no search or filter can
serve, and page titles in plain French. It is the default site (ramq_portal.apps.PortalAdminConfig),
so every app's `@admin.register` lands here."""
from __future__ import annotations

from functools import wraps

from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import get_script_prefix
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext as _


def has_nul_character(query) -> bool:
    """A NUL character in a query string's keys or values: never legitimate, and PostgreSQL refuses it
    in any text (an admin search or filter with `%00` was a server error)."""
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in query.lists())


def stock(msgid: str) -> str:
    """One of Django's (or django-simple-history's) own messages, in the active language. Given as a
    variable, so that makemessages leaves it to their catalogues instead of copying it into ours."""
    return gettext(msgid)


def plain_titles(context: dict) -> tuple[str, str | None] | None:
    """The title and subtitle of an admin page instead of Django's stock ones, or None to keep them.

    Django's French titles name the model after the word "objet" ("Sélectionnez l’objet demande à
    changer") or without article, elision or agreement ("Ajout de agence de facturation"). A list is
    titled by the model's plural ("Demandes"); a page about one record by what it does and the model
    ("Modification : demande"), the record itself in the subtitle; an application's page by its name.
    Only Django's and django-simple-history's own titles are replaced, recognised in the active
    language: a title that a view of ours sets is kept as it is."""
    title, opts, app_list = str(context.get("title") or ""), context.get("opts"), context.get("app_list")
    if opts is None and app_list and title == stock("%(app)s administration") % {"app": app_list[0]["name"]}:
        return str(app_list[0]["name"]), None  # an application's page: "Comptes"
    if opts is None or not title:
        return None
    name, obj = opts.verbose_name, context.get("object") or context.get("original")
    if title in (stock("Select %s to change") % name, stock("Select %s to view") % name, stock("Select %s") % name):
        return capfirst(opts.verbose_name_plural), None
    if title == stock("Add %s") % name:
        return _("Ajout : %(model)s") % {"model": name}, None
    if title == stock("Change %s") % name:
        return _("Modification : %(model)s") % {"model": name}, context.get("subtitle")
    if title == stock("View %s") % name:
        return _("Consultation : %(model)s") % {"model": name}, context.get("subtitle")
    if title == stock("Delete"):
        return _("Suppression : %(model)s") % {"model": name}, str(obj) if obj is not None else None
    if title == stock("Cannot delete %(name)s") % {"name": name}:
        return _("Suppression impossible : %(model)s") % {"model": name}, str(obj) if obj is not None else None
    if "objects_name" in context and title in (
        stock("Delete multiple objects"), stock("Cannot delete %(name)s") % {"name": context["objects_name"]}
    ):
        return _("Suppression : %(model)s") % {"model": context["objects_name"]}, None
    if obj is not None and title in (stock("Change history: %s") % obj, stock("View history: %s") % obj):
        return _("Historique des modifications : %(model)s") % {"model": name}, str(obj)
    if obj is not None and title in (stock("View %s") % obj, stock("Revert %s") % obj):  # a past version
        model = context.get("original_opts", opts).verbose_name  # opts: the model of the history rows
        return _("Version antérieure : %(model)s") % {"model": model}, str(obj)
    return None


def with_plain_titles(response):
    """The response of an admin view, its page titled in plain French (`plain_titles`) if it is yet to be
    rendered; a view that renders its page itself (the request queue, to keep it) calls this first."""
    if isinstance(response, TemplateResponse) and not response.is_rendered and response.context_data:
        titles = plain_titles(response.context_data)
        if titles is not None:
            response.context_data["title"], response.context_data["subtitle"] = titles
    return response


class PortalAdminSite(admin.AdminSite):
    site_header = "Mon dossier — administration"
    site_title = "Mon dossier"
    # Django's "Voir le site" led staff to the professionals' portal, which answers them 404 (DOS-5):
    # the top bar links to the request queue instead (templates/admin/base_site.html).
    site_url = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._app_lists: dict[tuple, list[dict]] = {}

    def get_app_list(self, request, app_label=None):
        """Django's list of the apps and models a user may open (the navigation beside every admin page),
        kept per language (the sort follows the translated names), address prefix and everything the
        user may do: Django asked each of the 25 model admins for the user's permissions and reversed
        their URLs again on every page (2 ms of each). A change of permissions is a new key, so it shows
        at once. Each caller gets its own copy of the dictionaries."""
        user = request.user
        key = (get_language(), get_script_prefix(), app_label, user.is_active, user.is_staff, user.is_superuser,
               frozenset(user.get_all_permissions()))
        app_list = self._app_lists.get(key)
        if app_list is None:
            if len(self._app_lists) >= 256:  # a few roles in two languages; never grows without bound
                self._app_lists.clear()
            app_list = self._app_lists[key] = super().get_app_list(request, app_label)
        return [{**app, "models": [{**model} for model in app["models"]]} for app in app_list]

    def admin_view(self, view, cacheable=False):
        guarded_view = super().admin_view(view, cacheable)

        @wraps(view)
        def inner(request, *args, **kwargs):
            if "\x00" in request.path or has_nul_character(request.GET):
                context = {**self.each_context(request), "title": _("Adresse invalide")}
                return TemplateResponse(request, "admin/bad_address.html", context, status=400)
            return with_plain_titles(guarded_view(request, *args, **kwargs))

        return inner
