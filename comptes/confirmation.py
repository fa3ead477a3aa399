from django.contrib.auth import authenticate


def password_confirmed(request, password: str) -> bool:
    """BEY-4: the password typed again, checked through authenticate() so that django-axes counts the
    failures and locks out like at sign-in. Used by Mon dossier and the registration wizard."""
    if not password:
        return False
    return authenticate(request, username=request.user.get_username(), password=password) is not None
