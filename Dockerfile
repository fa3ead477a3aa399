# Mon dossier: one image for the web process (gunicorn), the Celery worker and Celery beat.
# Configuration comes from the environment at run time (see .env.example and docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

RUN useradd --system --create-home --uid 10001 --user-group app

# Dependencies first, from the lock file alone (exact versions, every file's hash checked), so that
# a code change does not reinstall them; no development tool goes in. The project installs no
# package of its own: it runs from its folder with manage.py.
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock

COPY . .

# Translations, then static files collected and compressed (whitenoise's manifest storage), with
# a dummy key used for the build only. REDIS_URL is unset here, so the settings prepare the
# filesystem broker folders under var/: created now, then handed to the app user (beat keeps its
# schedule file in var/celery).
RUN export DEBUG=false SECRET_KEY=build-only-dummy-key-not-used-at-run-time-0123456789abcdef SMS_BACKEND=notifications.sms.FileSmsBackend FIELD_ENCRYPTION_KEYS=YnVpbGQtb25seS1rZXktbm90LXVzZWQtYXQtcnVudGk= \
 && python manage.py compile_translations \
 && python manage.py collectstatic --noinput \
 && mkdir -p var/celery \
 && chown -R app:app var

USER app

ENV GUNICORN_BIND=0.0.0.0:8000
EXPOSE 8000
CMD ["gunicorn", "--config", "gunicorn.conf.py"]
