# Two commands do everything on a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test install assets messages demo lint check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

# Reinstall only when the dependency list changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed
assets: node_modules/.installed

# Compiled catalogues are build output, made from locale/*/LC_MESSAGES/django.po.
messages: $(VENV)/.installed
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules -v0

demo: install assets messages
	$(BIN)/python manage.py migrate --no-input -v0
	$(BIN)/python manage.py load_regions
	$(BIN)/python manage.py load_demo

# The task worker (large imports) runs beside the web server and stops with it.
run: demo
	trap 'kill 0' EXIT; $(BIN)/python manage.py db_worker -v0 & $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install assets messages
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: install
	DEBUG=0 SECRET_KEY=check-only-$$(date +%s)-not-a-real-secret-value-xxxxxxxxxxxxxxxx ALLOWED_HOSTS=ipsm.example.go.id \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) node_modules var
