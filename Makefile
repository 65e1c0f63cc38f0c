# pof-lit: `make run` serves the app with demo papers; `make test` runs the suite and ruff.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install install-dev run test lint format migrate demo worker beat serve-prod freeze bench clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		(echo "pof-lit needs Python 3.11 or newer (found $$($(PYTHON) --version))"; exit 1)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The stamp files make installs idempotent: pip runs again only when a requirements file changes.
$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

migrate: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py rerender_notes

demo: migrate
	$(BIN)/python manage.py load_demo

run: demo
	@echo "pof-lit on http://$(HOST):$(PORT)/  (admin: python manage.py createsuperuser)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest $(PYTEST_ARGS)

worker: install
	$(BIN)/celery -A pof_lit worker --loglevel=INFO

beat: install
	$(BIN)/celery -A pof_lit beat --loglevel=INFO

serve-prod: install
	$(BIN)/python manage.py collectstatic --no-input
	$(BIN)/gunicorn pof_lit.wsgi --bind $(HOST):$(PORT) --workers 3 --access-logfile -

bench: install-dev
	@echo "Each benchmark has its own command: see docs/performance.md."

freeze:
	$(BIN)/pip freeze

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
