# Everyday commands. The two a newcomer needs: `make demo` and `make test` (see README.md).
.PHONY: help demo test e2e lint format migrate messages clean

VENV := .venv
PYTHON := $(VENV)/bin/python
MANAGE := $(PYTHON) manage.py

help:
	@echo "make demo      install, migrate, load demo data, serve http://127.0.0.1:8000/ (SQLite)"
	@echo "make test      full suite on PostgreSQL + Redis + Celery + Chromium (installs them via apt)"
	@echo "make e2e       only the browser tests, through scripts/test"
	@echo "make lint      ruff check, ruff format --check, mypy"
	@echo "make format    ruff format + ruff check --fix"
	@echo "make migrate   apply migrations to the configured database"
	@echo "make messages  update and compile the translation catalogues in locale/"
	@echo "make clean     remove caches, test results and the private test services' data"
	@echo "Pass pytest arguments with ARGS, e.g. make test ARGS='-x tests/accounts'"

demo:
	bash scripts/demo

test:
	bash scripts/test $(ARGS)

e2e:
	bash scripts/test tests/e2e $(ARGS)

$(PYTHON):
	@echo "no $(VENV) yet: run 'make demo' or 'make test' first (they create it)" && exit 1

# All three run even when one fails, so one pass shows everything.
lint: $(PYTHON)
	@status=0; \
	echo "== ruff check"; $(VENV)/bin/ruff check . || status=1; \
	echo "== ruff format --check"; $(VENV)/bin/ruff format --check . || status=1; \
	echo "== mypy"; $(VENV)/bin/mypy . || status=1; \
	exit $$status

format: $(PYTHON)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

migrate: $(PYTHON)
	$(MANAGE) migrate

# makemessages + report of untranslated/fuzzy entries + compilemessages (installs gettext when missing).
messages: $(PYTHON)
	bash scripts/messages

clean:
	rm -rf var/ci var/test-results .pytest_cache .ruff_cache .mypy_cache .hypothesis *.egg-info
	find . -path ./.venv -prune -o -name __pycache__ -type d -exec rm -rf {} +
