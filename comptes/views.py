from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from comptes import paycalendar
from comptes.selectors import billing_accounts_for_user
from ramq_portal import clock


@require_GET
@login_required
def accounts(request):
    """The Comptes de facturation tab (read-only here): accounts and the next payment (PAI-3, PAY-4)."""
    professional, accounts = billing_accounts_for_user(request.user)
    return render(
        request,
        "comptes/accounts.html",
        {
            "professional": professional,
            "accounts": accounts,
            "next_payment": paycalendar.next_payment(clock.now()),
            "active_tab": "comptes",
        },
    )
