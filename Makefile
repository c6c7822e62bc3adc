# The two commands of the README: `make run` and `make test`. Nothing else is
# needed on a fresh Debian machine with Python 3.11: the targets create .venv,
# install requirements (again only when they change) and the Debian packages
# they need (gettext, chromium) when run as root.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
# Directories compilemessages/makemessages must not walk into.
I18N_IGNORE := -i $(VENV) -i var -i node_modules -i staticfiles

.PHONY: help run test lint messages compilemessages bench bench-smoke bench-table venv deps dev-deps system-deps test-system-deps

help:
	@echo "make run       start the app on http://127.0.0.1:8000 with a Celery worker and beat (demo data, DEBUG=1)"
	@echo "make test      run the whole test suite (uses DATABASE_URL / REDIS_URL when set)"
	@echo "make lint      ruff"
	@echo "make messages  update locale/en .po files and compile them"
	@echo "make bench     run the benchmarks under bench/"
	@echo "make bench-smoke  run every benchmark at a tiny size (does it still run?)"
	@echo "make bench-table  rewrite the figures table of bench/README.md from bench/out/*.json"

# --- environment -------------------------------------------------------------

$(PY):
	@bash scripts/venv.sh $(VENV)

venv: $(PY)

# Stamp files: pip runs again only when a requirements file changed.
$(VENV)/.stamp-runtime: requirements.txt | $(PY)
	$(PIP) install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.stamp-dev: requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@ $(VENV)/.stamp-runtime

deps: $(VENV)/.stamp-runtime

dev-deps: $(VENV)/.stamp-dev

system-deps:
	@bash scripts/system-deps.sh msgfmt:gettext

# Debian's Chromium for the browser tests (Playwright drives it; no browser download).
test-system-deps:
	@bash scripts/system-deps.sh msgfmt:gettext /usr/bin/chromium:chromium

compilemessages: system-deps deps
	@if command -v msgfmt >/dev/null 2>&1; then \
		DEBUG=1 $(MANAGE) compilemessages $(I18N_IGNORE) --verbosity 0; \
	else \
		echo "warning: msgfmt (gettext) missing: English translations not compiled" >&2; \
	fi

# --- the two commands ----------------------------------------------------------

run: deps compilemessages
	@bash scripts/run.sh

test: dev-deps test-system-deps compilemessages
	@bash scripts/test.sh $(PYTEST_ARGS)

# --- other targets -----------------------------------------------------------

lint: dev-deps
	$(VENV)/bin/ruff check .

messages: dev-deps system-deps
	DEBUG=1 $(MANAGE) makemessages -l en $(I18N_IGNORE) -i tests --no-obsolete
	DEBUG=1 $(MANAGE) makemessages -d djangojs -l en $(I18N_IGNORE) -i tests -i static/vendor --no-obsolete
	DEBUG=1 $(MANAGE) compilemessages $(I18N_IGNORE)

# Every bench/*.sh and bench/*.py in name order; see bench/README.md.
bench: dev-deps
	@shopt -s nullglob; found=0; \
	for script in bench/*.sh bench/*.py; do \
		found=1; echo ">> $$script"; \
		case $$script in \
			*.sh) bash "$$script" ;; \
			*.py) $(PY) "$$script" ;; \
		esac || exit $$?; \
	done; \
	if [ $$found -eq 0 ]; then echo "no benchmarks under bench/ yet (see bench/README.md)"; fi
	$(PY) scripts/bench_table.py

# Every bench at a tiny size, its JSON thrown away: catches a bench that no longer runs.
bench-smoke: dev-deps
	$(PY) scripts/bench_smoke.py

bench-table:
	$(PY) scripts/bench_table.py
