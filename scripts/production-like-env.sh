# Sourced by scripts/bench.sh and scripts/slow-clients-drill.sh: production-like settings for a
# throwaway run on loopback (DEBUG off, a fresh secret and encryption key, text messages to files).
# Only the HTTPS-related settings are off, as these runs speak plain HTTP. The caller sets VAR_DIR,
# LOG_LEVEL and what else its run needs.
export DJANGO_SETTINGS_MODULE=ramq_portal.settings
export DEBUG=false
SECRET_KEY="$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')"
export SECRET_KEY
export ALLOWED_HOSTS=127.0.0.1
export SMS_BACKEND=notifications.sms.FileSmsBackend
FIELD_ENCRYPTION_KEYS="$(.venv/bin/python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')"
export FIELD_ENCRYPTION_KEYS
export SECURE_SSL_REDIRECT=false SECURE_COOKIES=false SECURE_HSTS_SECONDS=0
