from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dossier import profile
from dossier.decorators import file_page
from dossier.exceptions import TooManyRequests
from dossier.requests import TOO_MANY_REQUESTS
from dossier.selectors import own_professional
from notifications import messaging, notices
from notifications.forms import MessageToBoardForm, ReplyToBoardForm
from notifications.models import MessageNoticeRule
from notifications.receivers import REPORT_SALT
from notifications.selectors import inbox_for_user, message_for_user, sent_for_user
from ramq_portal import filecache

REPORT_LINK_MAX_AGE = timedelta(days=30)


def _inbox_page_number(request) -> str:
    number = request.GET.get("page", "1")
    return number if number.isdigit() and len(number) < 6 else "1"  # what get_page would show anyway


@require_GET
@login_required
@file_page("messagerie", vary=lambda request: (_inbox_page_number(request),))
def inbox(request, file_page):
    """*Messagerie sécurisée* (NOT-2): correspondence, statements and deposit notices, newest first;
    from the file's page cache (ramq_portal.filecache) while the file does not change."""
    number = _inbox_page_number(request)

    def build():
        professional, page = inbox_for_user(request.user, number)
        rule = MessageNoticeRule.objects.filter(professional=professional).first()
        return {"professional": professional, "page": page, "notice_enabled": rule is None or rule.enabled}

    return render(request, "notifications/inbox.html", {
        "file_page": file_page, "page_number": number, "active_tab": "messagerie",
        **filecache.lazily(build, "professional", "page", "notice_enabled"),
    })


@require_GET
@login_required
def sent(request):
    """The messages the professional wrote to the Régie, and where each stands."""
    professional, page = sent_for_user(request.user, request.GET.get("page"))
    return render(request, "notifications/sent.html", {"professional": professional, "page": page, "active_tab": "messagerie"})


@require_POST
@login_required
def notice_rule(request):
    """NOT-3: switch the email notice of new messages on or off."""
    professional = own_professional(request.user)
    enabled = request.POST.get("enabled") == "on"
    notices.set_rule(professional=professional, enabled=enabled)
    if enabled:
        messages.success(request, _("Vous serez avisé par courriel de l'arrivée d'un message, à votre adresse de courriel activée."))
    else:
        messages.success(request, _("Vous ne serez plus avisé par courriel de l'arrivée d'un message."))
    return redirect("notifications:inbox")


@require_GET
@login_required
@file_page("message", vary=lambda request, pk: (pk,))
def message_detail(request, _page, pk):
    """One message, in its conversation; opening it marks it read. From the file's page cache
    (ramq_portal.filecache) while the file does not change: marking it read (or unread) is a write to
    the file, so a page served from the cache is always that of a message already read."""
    professional, message = message_for_user(request.user, pk)
    if messaging.mark_read(message=message) and professional.unread_messages:
        professional.unread_messages -= 1
    return render(request, "notifications/message.html", {
        "professional": professional, "message": message, "conversation": messaging.conversation(message), "active_tab": "messagerie",
        "reply_form": ReplyToBoardForm() if message.thread_id else None,
    })


@require_POST
@login_required
def reply_to_the_board(request, pk):
    """The professional answers in a conversation: a new request in the staff queue, in the same thread."""
    professional, message = message_for_user(request.user, pk)
    if message.thread_id is None:
        return redirect("notifications:message", pk)
    form = ReplyToBoardForm(request.POST)
    if form.is_valid():
        subject = message.subject if message.from_professional else _("Réponse : %(subject)s") % {"subject": message.subject}
        try:
            messaging.send_to_the_board(professional=professional, subject=subject[:200], body=form.cleaned_data["body"].strip(),
                                        by=request.user, in_thread=message.thread_id)
        except TooManyRequests:
            form.add_error(None, TOO_MANY_REQUESTS)
        else:
            messages.success(request, _("Votre réponse a été transmise à la Régie. Vous en suivez le traitement dans Messages envoyés."))
            return redirect("notifications:sent")
    return render(request, "notifications/message.html", {
        "professional": professional, "message": message, "conversation": messaging.conversation(message), "active_tab": "messagerie",
        "reply_form": form,
        # The language and display switches come back to the message: this address answers POST only.
        "page_path": reverse("notifications:message", args=[pk]),
    }, status=400)


@require_POST
@login_required
def mark_unread(request, pk):
    _professional, message = message_for_user(request.user, pk)
    messaging.mark_unread(message=message)
    return redirect("notifications:inbox")


@require_http_methods(["GET", "POST"])
@login_required
@file_page("ecrire")
def write_to_the_board(request, _page):
    """A message to the Régie: it lands in the staff's request queue, with its processing delay."""
    professional = own_professional(request.user)
    form = MessageToBoardForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            messaging.send_to_the_board(professional=professional, subject=form.cleaned_data["subject"].strip(),
                                        body=form.cleaned_data["body"].strip(), by=request.user)
        except TooManyRequests:
            form.add_error(None, TOO_MANY_REQUESTS)
            return render(request, "notifications/write.html", {"professional": professional, "form": form, "active_tab": "messagerie"})
        messages.success(request, _("Votre message a été transmis à la Régie. Vous en suivez le traitement dans Messages envoyés; "
                                    "la réponse arrivera dans votre boîte de réception."))
        return redirect("notifications:sent")
    return render(request, "notifications/write.html", {"professional": professional, "form": form, "active_tab": "messagerie"})


@require_http_methods(["GET", "POST"])
def report_email_change(request, key):
    """BEY-3: from the notice sent to the previous address, report that the change was not theirs."""
    try:
        data = signing.loads(key, salt=REPORT_SALT, max_age=REPORT_LINK_MAX_AGE)
    except signing.BadSignature:
        return render(request, "notifications/report_email_change.html", {"invalid": True}, status=400)
    if request.method == "POST":
        report = profile.report_unrecognised_email_change(professional_id=data["p"], previous_email=data["e"], link=key)
        return render(request, "notifications/report_email_change.html", {"done": report is not None, "already": report is None})
    return render(request, "notifications/report_email_change.html", {"already": profile.link_already_reported(key)})
