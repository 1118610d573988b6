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
run: check-system venv demo
	DEBUG=1 PORT=$(PORT) RISKREG_SITE_URL=$${RISKREG_SITE_URL:-http://localhost:$(PORT)} $(PY) manage.py run_local --port $(PORT)

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
