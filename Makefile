# riskreg: `make run` for a local register with the demo catalog, `make test` for the suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export RISKREG_DATA_DIR ?= $(CURDIR)/var

.PHONY: run test screenshots check-browser lint format check-system venv migrate demo bench clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "riskreg needs Python 3.11 or newer")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || { echo "Cannot create a virtualenv: on Debian, apt-get install python3-venv"; exit 1; }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

venv: $(VENV)/.installed

# The Debian packages (Pango, HarfBuzz's subsetter, a CJK font, poppler; Chromium for the tests): installed in
# one step when run as root, otherwise named in one apt-get line (.ci/system-packages).
check-system:
	@bash .ci/system-packages

migrate: venv
	DEBUG=1 $(PY) manage.py migrate --noinput

demo: migrate
	DEBUG=1 $(PY) manage.py load_demo

# Web, a Celery worker per queue and beat on SQLite with a SQLite broker file: no Redis needed.
# Set DATABASE_URL / REDIS_URL to run the same processes on PostgreSQL and Redis.
# As a server runs (issue 23): DEBUG off, gunicorn, static files through WhiteNoise, the register's own 404 and
# 500 pages, a secret key made once and kept in $(RISKREG_DATA_DIR)/secret-key (unless SECRET_KEY is set); plain
# http on this machine, so cookies are not marked https-only. `make run DEBUG=1`: Django's runserver and
# its technical error pages, for developers.
DEBUG ?= 0
run: check-system venv demo $(RISKREG_DATA_DIR)/secret-key
	SECRET_KEY=$${SECRET_KEY:-$$(cat $(RISKREG_DATA_DIR)/secret-key)} DEBUG=$(DEBUG) $(PY) manage.py collectstatic --noinput -v 0
	SECRET_KEY=$${SECRET_KEY:-$$(cat $(RISKREG_DATA_DIR)/secret-key)} DEBUG=$(DEBUG) SECURE_COOKIES=0 PORT=$(PORT) \
	  RISKREG_SITE_URL=$${RISKREG_SITE_URL:-http://localhost:$(PORT)} $(PY) manage.py run_local --port $(PORT)

$(RISKREG_DATA_DIR)/secret-key:
	@mkdir -p $(RISKREG_DATA_DIR)
	@umask 077 && $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@
	@echo "made a secret key for this register in $@ (kept; set SECRET_KEY to use your own)"

check-browser:
	@bash .ci/system-packages --browser

# On both cores by default (pytest-xdist; every worker has its own test database, data directory, Celery queue
# and cache keys: tests/settings.py). PYTEST_WORKERS=0 runs in one process, e.g. to read a failure in order.
PYTEST_WORKERS ?= 2
test: check-browser venv
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# The README's screenshots (docs/*.png), taken by the browser journeys; `make test` leaves docs/ alone.
screenshots: check-browser venv
	RISKREG_SCREENSHOTS=1 $(PY) -m pytest tests/browser -q -p no:cacheprovider $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	PYTHONPATH=. $(VENV)/bin/lint-imports --no-cache

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: venv
	@for script in bench/[!_]*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
