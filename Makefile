# Two commands: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed
# Production installs the app's own dependencies only (no test tools, no browser driver).
SERVE_STAMP := $(VENV)/.installed-serve

.PHONY: run serve test bench lint format messages install clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "Kesra Coord needs Python 3.12 or newer; found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet '.[test]'
	@touch $@

$(SERVE_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet .
	@touch $@

install: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py compile_catalogues

run: install
	DEBUG=1 $(BIN)/python manage.py migrate --no-input
	DEBUG=1 $(BIN)/python manage.py load_demo
	@echo "Background jobs (imports, exports, the DOCX report): a worker runs beside the server."
	DEBUG=1 $(BIN)/python manage.py db_worker --no-reload --interval 0.5 & worker=$$!; \
		trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Production: settings from the environment (README, "Deploying"). Static files are
# collected first: with DEBUG=0 a page whose CSS is missing from the manifest is a 500.
serve: $(SERVE_STAMP)
	DEBUG=1 $(BIN)/python manage.py compile_catalogues
	$(BIN)/python manage.py collectstatic --no-input --verbosity 0
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/gunicorn --config python:kesra_coord.gunicorn_conf kesra_coord.wsgi

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# DEBUG=1 only for the dev storage and key; the command itself measures with DEBUG off.
# W1=1 adds the peer-shaped workload through HTTP against gunicorn (some ten minutes).
bench: install
	DEBUG=1 $(BIN)/python manage.py bench
	$(if $(W1),DEBUG=1 $(BIN)/python manage.py bench_w1)

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Refresh the catalogues after changing strings (needs GNU gettext's xgettext).
messages: install
	DEBUG=1 $(BIN)/python manage.py makemessages --locale id --no-obsolete --no-location \
		--ignore '.venv/*' --ignore 'staticfiles/*' --ignore 'tests/*'

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
