"""The signed-in user, read from the cache on each request instead of the database.

Every signed-in request asks the session's backend for its user (`get_user`): with ModelBackend that
is a query, a third of the cost of a signed-in page that does little else. The user row is kept in the
cache (Redis in production, shared by every worker) under its id, and dropped from it whenever the
row is saved or deleted through the ORM (sign-in, password change, deactivation in the admin...),
so the next request reads it again. Permissions are not kept: ModelBackend still loads them per
request, when a page asks. A user changed with `QuerySet.update()` must be forgotten with `forget`.
"""
from __future__ import annotations

from contextvars import ContextVar

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

TIMEOUT = 15 * 60


# The user read early for this request (ramq_portal.prefetch), with its id: `get_user` takes it from here
# instead of asking the cache again. Django checks it as any other (the session's password hash).
prefetched_user: ContextVar[tuple | None] = ContextVar("prefetched_user", default=None)  # (id, user)


def cache_key(user_id) -> str:
    return f"auth:user:{user_id}"


def forget(user_id) -> None:
    cache.delete(cache_key(user_id))


class CachedModelBackend(ModelBackend):
    def get_user(self, user_id):
        key = cache_key(user_id)
        early = prefetched_user.get()
        user = early[1] if early is not None and early[0] == user_id else None
        if user is None:
            user = cache.get(key)
        if user is None:
            try:
                user = get_user_model()._default_manager.get(pk=user_id)
            except get_user_model().DoesNotExist:
                return None
            cache.set(key, user, TIMEOUT)
        return user if self.user_can_authenticate(user) else None


def _forget_saved(sender, instance, **kwargs) -> None:
    forget(instance.pk)


post_save.connect(_forget_saved, sender=get_user_model(), dispatch_uid="auth_backends.forget_saved")
post_delete.connect(_forget_saved, sender=get_user_model(), dispatch_uid="auth_backends.forget_deleted")
