from django.http import Http404

from comptes.models import BillingAccount
from dossier.models import Professional, User


def billing_accounts_for_user(user: User) -> tuple[Professional, list[BillingAccount]]:
    """The signed-in professional's file and billing accounts, personal first (DOS-5: 404 otherwise)."""
    professional = Professional.objects.filter(user_id=user.pk).first()
    if professional is None:
        raise Http404
    accounts = list(BillingAccount.objects.filter(professional=professional).order_by("kind", "number"))
    return professional, accounts
