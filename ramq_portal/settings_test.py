"""Test settings: the real settings, with only what makes the suite fast and strict.

DATABASE_URL and REDIS_URL still come from the environment, so `.ci/run` tests on PostgreSQL.
"""
import os

os.environ.setdefault("DEBUG", "true")

from ramq_portal.settings import *  # noqa: E402,F403  (reassigned below, never mutated)

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_BROKER_URL = "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = {}
AXES_ENABLED = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SMS_BACKEND = "notifications.sms.LocmemSmsBackend"
PORTAL_BASE_URL = "http://testserver"
# Tasks run in-process once their transaction commits (on_commit still gates them); the tests that
# need a real worker and Redis switch this off for themselves.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
