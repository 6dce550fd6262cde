# Burgerberaad. The two commands: `make demo` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test install messages lint migrate worker beat serve system-packages bench clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# Translations are compiled with Babel (pure Python), so the demo needs no gettext.
messages: install
	$(VENV)/bin/pybabel compile --domain django --directory locale --statistics 2>&1 | grep -v "^$$" || true
	$(VENV)/bin/pybabel compile --domain django --directory locale_overrides 2>&1 | grep -v "^$$" || true
	@test -f locale/nl/LC_MESSAGES/django.mo
	@test -f locale_overrides/nl/LC_MESSAGES/django.mo

migrate: messages
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo
	@echo "Burgerberaad draait op / runs at http://127.0.0.1:8000  (Ctrl+C stopt / stops)"
	$(PY) manage.py runserver 127.0.0.1:8000

# Debian packages the browser and translation tests need (chromium, gettext).
system-packages:
	bash .ci/system-packages

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports

test: system-packages messages lint
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest

worker: messages
	$(VENV)/bin/celery -A config worker --loglevel INFO

beat: messages
	$(VENV)/bin/celery -A config beat --loglevel INFO

serve: migrate
	$(PY) manage.py collectstatic --noinput
	$(VENV)/bin/gunicorn config.wsgi --bind 127.0.0.1:8000 --workers $${WEB_CONCURRENCY:-3}

bench: install
	$(PY) bench/sortition.py

clean:
	rm -rf $(VENV) staticfiles .mypy_cache .ruff_cache .pytest_cache
