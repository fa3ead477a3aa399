#!/usr/bin/env bash
# `make check-deploy`: Django's deployment checks (`check --deploy`) on the production settings,
# failing on any warning. Production variables: DEBUG off, a random 60-character SECRET_KEY,
# ALLOWED_HOSTS=portal.example; no DATABASE_URL or REDIS_URL is needed for the checks. Variables
# that relax security in development or in the bench (SECURE_*, TRUST_X_FORWARDED_PROTO) are
# removed, so that what is checked is the production default.
set -euo pipefail
cd "$(dirname "$0")/.."

var_dir="$(mktemp -d -t mondossier-check-deploy.XXXXXX)"
trap 'rm -rf "$var_dir"' EXIT

secret_key="$(python3 -c 'import secrets, string
alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
print("".join(secrets.choice(alphabet) for _ in range(60)))')"

echo "==> [check-deploy] manage.py check --deploy --fail-level WARNING (DEBUG=false, ALLOWED_HOSTS=portal.example)"
env -u DATABASE_URL -u REDIS_URL \
  -u SECURE_SSL_REDIRECT -u SECURE_COOKIES -u SECURE_HSTS_SECONDS \
  -u SECURE_HSTS_INCLUDE_SUBDOMAINS -u SECURE_HSTS_PRELOAD -u TRUST_X_FORWARDED_PROTO \
  -u CSRF_TRUSTED_ORIGINS -u EMAIL_BACKEND \
  DJANGO_SETTINGS_MODULE=ramq_portal.settings \
  DEBUG=false \
  SECRET_KEY="$secret_key" \
  ALLOWED_HOSTS=portal.example \
  SMS_BACKEND=notifications.sms.FileSmsBackend \
  FIELD_ENCRYPTION_KEYS="$(.venv/bin/python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" \
  VAR_DIR="$var_dir" \
  .venv/bin/python manage.py check --deploy --fail-level WARNING
