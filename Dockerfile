# Production image: gunicorn for the web service, the same image runs the
# Celery worker and beat (docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=bureau.settings \
    VAR_DIR=/app/var \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/app/var/media

# gettext: compilemessages for the English UI (locale/en).
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 1000 bureau \
    && useradd --system --uid 1000 --gid bureau --home-dir /home/bureau --create-home --shell /usr/sbin/nologin bureau

WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt

# The code stays owned by root (read-only for the app); only var/ is writable.
COPY . .
# Settings refuse to load in production without SECRET_KEY; these two steps
# need no real one and touch no database.
RUN SECRET_KEY=image-build-only-not-a-secret python manage.py compilemessages --verbosity 0 \
    && SECRET_KEY=image-build-only-not-a-secret python manage.py collectstatic --noinput --verbosity 0 \
    && mkdir -p /app/var/media \
    && chown -R bureau:bureau /app/var

USER bureau
EXPOSE 8000
CMD ["gunicorn", "--config", "bureau/gunicorn.conf.py", "bureau.wsgi:application"]
