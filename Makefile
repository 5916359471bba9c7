# Two commands do everything on a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test system install assets messages demo lint check clean loadtest restore-test bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

# Reinstall only when the dependency list changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

# Debian packages the tests need: Chromium for the browser journeys, gettext's msgfmt for the catalogue.
# As root they are installed; otherwise make stops before the suite with the one command to run.
SYSTEM_PACKAGES := $(if $(shell command -v chromium),,chromium) $(if $(shell command -v msgfmt),,gettext)
system:
	@if [ -n "$(strip $(SYSTEM_PACKAGES))" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's $(strip $(SYSTEM_PACKAGES)) (about 20 s)"; \
	    apt-get update -qq && apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; \
	  else \
	    echo "Missing: $(strip $(SYSTEM_PACKAGES)). Run:  sudo apt-get install -y $(strip $(SYSTEM_PACKAGES))  then make test again." >&2; \
	    exit 1; \
	  fi; \
	fi

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

test: system install assets messages
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# The main pages timed on a small and a large generated national data set (ipsm/devtools/benchmarks.py); the data
# sets are kept in var/pgdata for the next run. The large one is the whole nation (SCALE=0.1 for a tenth);
# about 10 minutes from scratch on 2 cores, 3 when the data sets are kept. Figures in var/bench.json.
bench: install assets messages
	$(BIN)/python manage.py bench $(if $(SCALE),--large $(SCALE))

# gunicorn (production settings) on PostgreSQL under 20 locust staff for 60 s; figures in var/loadtest.json.
loadtest: install assets messages
	$(BIN)/python -m ipsm.devtools.loadtest.run

# docs/deploy/ipsm-backup.sh on the demo database, restored into a scratch database and compared (docs/deploy.md).
restore-test: demo
	$(BIN)/python docs/deploy/restore_test.py

check: install
	DEBUG=0 SECRET_KEY=check-only-$$(date +%s)-not-a-real-secret-value-xxxxxxxxxxxxxxxx ALLOWED_HOSTS=ipsm.example.go.id \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) node_modules var
