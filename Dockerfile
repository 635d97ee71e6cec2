# Production image: gunicorn (web), Celery worker and beat all run from it (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Pango for WeasyPrint (PDF certificates), Noto CJK so Chinese renders in those PDFs.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, so a code change does not reinstall them. The project installs no packages of
# its own (pyproject: packages = []); the code runs from /app.
COPY pyproject.toml ./
RUN pip install .

COPY . .

# Static files with the production storage (hashed names + manifest, compressed). Settings refuse to
# start in production without their secrets, so the build passes throwaway values that are never used.
RUN DJANGO_ENV=production \
    DJANGO_SECRET_KEY=collectstatic-only \
    ID_NUMBER_KEYS=collectstatic-only \
    ID_NUMBER_HASH_KEY=collectstatic-only \
    DATABASE_URL=sqlite:////tmp/collectstatic.sqlite3 \
    REDIS_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --no-input

RUN useradd --system --create-home --uid 10001 app \
    && install -d -o app -g app /data/private
USER app

ENV DJANGO_ENV=production \
    PRIVATE_MEDIA_ROOT=/data/private
EXPOSE 8000
# Server settings in gunicorn.conf.py (GUNICORN_* variables); Compose pins 2 workers.
CMD ["gunicorn", "jinan_ce.wsgi:application"]
