# riskreg production image: web (gunicorn), Celery worker and beat share it.
# Build: docker build -t riskreg .      Run: see compose.yaml

FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
COPY requirements.txt /tmp/requirements.txt
RUN /opt/venv/bin/pip install --upgrade pip && /opt/venv/bin/pip install -r /tmp/requirements.txt

FROM python:3.11-slim-bookworm AS runtime
# Pango and HarfBuzz subsetting (fast font embedding) for WeasyPrint; Noto CJK so native names (北京智谱华章科技股份有限公司) render in memos;
# poppler-utils for memo verification (page count and text).
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk fonts-dejavu-core \
    poppler-utils \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system riskreg && useradd --system --gid riskreg --home /app --shell /usr/sbin/nologin riskreg
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=riskreg.settings RISKREG_DATA_DIR=/data PORT=8000
WORKDIR /app
COPY --chown=riskreg:riskreg . /app
RUN SECRET_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe(50))') python manage.py collectstatic --noinput \
 && mkdir -p /data && chown riskreg:riskreg /data
USER riskreg
VOLUME ["/data"]
EXPOSE 8000
CMD ["sh", "-c", "gunicorn riskreg.wsgi:application --bind 0.0.0.0:${PORT} --workers 3 --access-logfile -"]
