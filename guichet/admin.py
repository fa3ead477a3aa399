"""The request queue in the admin (STF-1, STF-2, BEY-7): filters, "assign to me", bulk assignment, what
each request is about, the before/after difference, the conversation with the professional and the
reply, accept / refuse / approve, and paper forms entered by staff. Every decision goes through
dossier.backoffice; what differs between kinds of request is asked of their class (dossier.kinds)."""
from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from dossier import backoffice, kinds
from dossier.constants import RequestStatus
from dossier.admin import ProfessionalAdmin
from dossier.models import Professional, Request, User
from guichet import overview, queue
from guichet.forms import AssignForm, RefuseForm, ReplyForm
from notifications import messaging
from notifications.models import SecureMessage
from ramq_portal import clock, filecache, writing
from ramq_portal.admin_site import with_plain_titles
from ramq_portal.history import MaskedHistoryAdmin


def _overview_title(name: str) -> str:
    """"Dossier complet de Lucie Tremblay", "Dossier complet d'Alice Tremblay"."""
    if writing.elides(name):
        return _("Dossier complet d'%(name)s") % {"name": name}
    return _("Dossier complet de %(name)s") % {"name": name}


class CappedCountPaginator(Paginator):
    """Counts at most CAP rows (never a full-table count over 200,000 requests). The list then shows
    10,001 requests and its pages stop there: beyond, staff narrow the list with the filters and the
    search, which is how a queue is worked anyway."""

    CAP = 10_000

    @cached_property
    def count(self) -> int:
        return self.object_list.order_by()[: self.CAP + 1].count()


class OverdueFilter(admin.SimpleListFilter):
    title = gettext_lazy("échéance")
    parameter_name = "echeance"

    def lookups(self, request, model_admin):
        return [("depassee", _("En retard")), ("a_temps", _("À temps"))]

    def queryset(self, request, queryset):
        today = clock.today()
        if self.value() == "depassee":
            return queryset.filter(status__in=backoffice.OPEN, due_date__lt=today)
        if self.value() == "a_temps":
            return queryset.filter(status__in=backoffice.OPEN, due_date__gte=today)
        return queryset


class AgentFilter(admin.SimpleListFilter):
    title = gettext_lazy("agent")
    parameter_name = "agent"

    def lookups(self, request, model_admin):
        staff = User.objects.filter(is_staff=True, is_active=True).order_by("username").values_list("pk", "username")[:50]
        return [("moi", _("Mes demandes")), ("aucun", _("Non assignées")), *[(str(pk), name) for pk, name in staff]]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "moi":
            return queryset.filter(agent=request.user)
        if value == "aucun":
            return queryset.filter(agent__isnull=True)
        if value and value.isdigit():
            return queryset.filter(agent_id=int(value))
        return queryset


class RequestAdmin(MaskedHistoryAdmin):
    """The queue of everything staff review: online requests and paper forms."""

    # The kind and status by their labels directly: the model fields' choices are a callable (the kinds
    # register after the models load), which Django would evaluate and translate whole for every cell.
    list_display = ["received_at", "kind_label", "about", "professional", "status_label", "due", "agent"]
    list_filter = ["status", "kind", OverdueFilter, AgentFilter]
    search_fields = ["=professional__professional_number", "^professional__last_name"]
    search_help_text = gettext_lazy("Numéro de professionnel (exact) ou début du nom de famille.")
    list_select_related = ["professional", "agent"]
    list_per_page = 50
    paginator = CappedCountPaginator
    show_full_result_count = False
    # At 200,000 requests: "Afficher les nombres" (facets) counts every filter choice over the whole table
    # (1.5 s), and sorting by the professional column sorts the whole join by name (1 s or more).
    show_facets = admin.ShowFacets.NEVER
    sortable_by = ["received_at", "kind_label", "status_label", "due", "agent"]
    fields = ["kind", "about", "professional", "status", "received_at", "due_date", "agent", "prepared_by", "prepared_at",
              "decided_by", "decided_at", "reason"]
    readonly_fields = fields
    actions = ["assign_to_me", "assign_to"]
    change_form_template = "admin/dossier/request/change_form.html"
    change_list_template = "admin/dossier/request/change_list.html"

    def has_add_permission(self, request):
        return False  # paper forms are entered from "Saisir un formulaire papier"

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("type de demande"), ordering="kind")
    def kind_label(self, obj):
        return kinds.of(obj.kind).label

    @admin.display(description=gettext_lazy("statut"), ordering="status")
    def status_label(self, obj):
        return RequestStatus(obj.status).label

    @admin.display(description=gettext_lazy("objet"))
    def about(self, obj):
        """What the request is about, in words (a message's subject, an account's number), never its data."""
        return kinds.of(obj.kind).summary(obj) or "—"

    @admin.display(description=gettext_lazy("échéance"), ordering="due_date")
    def due(self, obj):
        late = obj.status in backoffice.OPEN and obj.due_date < clock.today()
        due = queue.day_words(obj.due_date)
        return f"{due} — {_('en retard')}" if late else due

    def get_changelist(self, request, **kwargs):
        return queue.QueueChangeList

    def changelist_view(self, request, extra_context=None):
        """The queue, kept whole per agent (ramq_portal.filecache.serve under STAFF_QUEUE) until a request,
        a professional's name or a staff user changes: agents open it all day and most openings find it
        unchanged. Django's permission check comes first, so a kept page is never shown to someone who may
        not see it; the page varies on the agent (their name, "Mes demandes"), what they may do (the
        navigation, the actions) and the address (filters, search, sort, page)."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        user = request.user
        vary = (user.pk, queue.permissions_digest(user), request.GET.urlencode())
        return filecache.serve(request, filecache.STAFF_QUEUE, "admin-queue", vary,
                               lambda page: self._rendered(super(RequestAdmin, self).changelist_view(request, extra_context)))

    @staticmethod
    def _rendered(response):
        response = with_plain_titles(response)
        return response.render() if isinstance(response, TemplateResponse) else response

    # --- actions ------------------------------------------------------------------------------------------

    @admin.action(description=gettext_lazy("M'assigner les demandes choisies"), permissions=["change"])
    def assign_to_me(self, request, queryset):
        count = backoffice.assign(request_ids=list(queryset.values_list("pk", flat=True)), agent=request.user, by=request.user)
        self.message_user(request, ngettext("%(n)d demande vous est assignée.", "%(n)d demandes vous sont assignées.", count) % {"n": count})

    @admin.action(description=gettext_lazy("Assigner les demandes choisies à un agent…"), permissions=["change"])
    def assign_to(self, request, queryset):
        form = AssignForm(request.POST if "agent" in request.POST else None)
        if form.is_bound and form.is_valid():
            agent = form.cleaned_data["agent"]
            count = backoffice.assign(request_ids=list(queryset.values_list("pk", flat=True)), agent=agent, by=request.user)
            self.message_user(request, ngettext("%(n)d demande assignée à %(agent)s.", "%(n)d demandes assignées à %(agent)s.", count)
                              % {"n": count, "agent": agent.get_username()})
            return None
        context = {**self.admin_site.each_context(request), "form": form, "count": queryset.count(), "opts": self.model._meta,
                   "title": _("Assigner des demandes"), "action": "assign_to",
                   "select_across": request.POST.get("select_across", "0"), "index": request.POST.get("index", "0"),
                   "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME)}
        return TemplateResponse(request, "admin/dossier/request/assign.html", context)

    # --- decisions ----------------------------------------------------------------------------------------

    def get_urls(self):
        own = [
            path("<int:object_id>/decider/", self.admin_site.admin_view(self.decide_view), name="dossier_request_decide"),
            path("<int:object_id>/repondre/", self.admin_site.admin_view(self.reply_view), name="dossier_request_reply"),
            path("papier/", self.admin_site.admin_view(self.paper_index_view), name="dossier_request_paper"),
            path("papier/<str:kind>/", self.admin_site.admin_view(self.paper_form_view), name="dossier_request_paper_form"),
        ]
        return own + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST":
            raise PermissionDenied  # a request changes only through its decisions (decide_view)
        obj = self.get_object(request, object_id)
        extra = {**(extra_context or {})}
        if obj is not None:
            kind = kinds.of(obj.kind)
            thread = (SecureMessage.objects.filter(thread_id=messaging.thread_of(obj), professional_id=obj.professional_id)
                      .select_related("author").order_by("created_at", "pk"))
            extra.update(changes=backoffice.diff(obj), refuse_form=RefuseForm(), reply_form=ReplyForm(), is_open=obj.status in backoffice.OPEN,
                         awaiting_approval=obj.prepared_by_id is not None and obj.status in backoffice.OPEN,
                         can_decide=self.has_change_permission(request, obj), kind=kind,
                         applies=kind.applies, thread=thread,
                         can_reply=obj.professional.is_enrolled)
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def decide_view(self, request, object_id):
        if request.method != "POST":
            return redirect("admin:dossier_request_change", object_id)
        obj = get_object_or_404(Request, pk=object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        try:
            if "refuse" in request.POST:
                form = RefuseForm(request.POST)
                if not form.is_valid():
                    raise backoffice.DecisionRefused(_("Indiquez le motif du refus : il est transmis au professionnel."))
                backoffice.refuse(request_id=obj.pk, reason=form.cleaned_data["reason"], by=request.user)
                self.message_user(request, _("Demande refusée; le motif est transmis au professionnel."))
            elif "take" in request.POST:
                backoffice.assign(request_ids=[obj.pk], agent=request.user, by=request.user)
                self.message_user(request, _("La demande vous est assignée."))
            else:
                outcome = backoffice.accept(request_id=obj.pk, by=request.user)
                self.message_user(request, {
                    "awaiting_approval": _("Acceptation préparée : un superviseur doit l'approuver."),
                    "accepted": _("Demande acceptée; le changement est appliqué au dossier."),
                    "recorded": _("Demande acceptée et traitée; elle ne change rien au dossier par elle-même."),
                }[outcome])
        except backoffice.DecisionRefused as refused:
            self.message_user(request, refused.message, level=messages.ERROR)
        return redirect("admin:dossier_request_change", obj.pk)

    def reply_view(self, request, object_id):
        """An agent answers the professional in the request's conversation (and may close the request)."""
        if request.method != "POST":
            return redirect("admin:dossier_request_change", object_id)
        obj = get_object_or_404(Request, pk=object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        form = ReplyForm(request.POST)
        try:
            if not form.is_valid():
                raise backoffice.DecisionRefused(_("Écrivez la réponse : elle est transmise au professionnel."))
            messaging.reply(request_id=obj.pk, body=form.cleaned_data["body"], by=request.user, close=form.cleaned_data["close"])
            self.message_user(request, _("Réponse transmise dans la messagerie sécurisée du professionnel."))
        except backoffice.DecisionRefused as refused:
            self.message_user(request, refused.message, level=messages.ERROR)
        return redirect("admin:dossier_request_change", obj.pk)

    # --- paper forms (STF-2) ------------------------------------------------------------------------------

    def paper_index_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "title": _("Saisir un formulaire papier"),
                   "forms": [(kind.code, kind.label) for kind in kinds.paper_kinds()]}
        return TemplateResponse(request, "admin/dossier/request/paper_index.html", context)

    def paper_form_view(self, request, kind):
        paper_form = kinds.of(kind).paper_form
        if not self.has_change_permission(request) or paper_form is None:
            raise PermissionDenied
        form = paper_form(request.POST or None)
        if request.method == "POST" and form.is_valid():
            entered = backoffice.enter_paper_form(kind=kind, by=request.user, **form.entry())
            self.message_user(request, _("Formulaire saisi : la demande est dans la file."))
            return redirect("admin:dossier_request_change", entered.pk)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
                   "title": _("Saisir le %(form)s") % {"form": kinds.of(kind).label}}
        return TemplateResponse(request, "admin/dossier/request/paper_form.html", context)


admin.site.register(Request, RequestAdmin)


class ProfessionalFileAdmin(ProfessionalAdmin):
    """The professional's page, with the whole file at a glance (STF-6): accounts, requests and messages
    live in apps above dossier, so the page is added here, at the top, not in dossier's admin."""

    change_form_template = "admin/guichet/professional_change_form.html"

    def get_urls(self):
        overview_url = path("<int:object_id>/dossier-complet/", self.admin_site.admin_view(self.overview_view),
                            name="dossier_professional_overview")
        return [overview_url, *super().get_urls()]

    def overview_view(self, request, object_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        file = overview.file_at_a_glance(int(object_id))
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "original": file["professional"],
                   "title": _overview_title(str(file["professional"])), **file}
        return TemplateResponse(request, "admin/guichet/professional_overview.html", context)


admin.site.unregister(Professional)
admin.site.register(Professional, ProfessionalFileAdmin)
