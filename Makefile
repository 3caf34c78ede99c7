# PAQA — `make help` lists the targets. Only Python 3.11+, make, Node/npm and the package
# registries are needed: everything else is installed here, from the lock files.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
FRONTEND := paqa/core/static/paqa/dist/paqa.css
PYTEST_ARGS ?= -n 2
# The port `make demo` and `make serve` listen on, on 127.0.0.1: `PORT=8010 make demo`.
PORT ?= 8000

.PHONY: help install frontend demo serve test pytest bench faults lint format lock clean

help: ## List the make targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

$(PY_STAMP): requirements/base.txt requirements/dev.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "PAQA needs Python 3.11 or newer (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps \
		-r requirements/base.txt -r requirements/dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(FRONTEND): $(NODE_STAMP) scripts/build-frontend.mjs $(wildcard assets/scss/*.scss assets/js/*)
	npm run --silent build

install: $(PY_STAMP) $(NODE_STAMP) ## Create .venv and node_modules from the lock files

frontend: $(FRONTEND) ## Build the stylesheet and script from GOV.UK Frontend

demo: install frontend ## Build everything, load the demonstration partnership and serve it on 127.0.0.1:8000 (PORT=8010 for another port)
	PORT=$(PORT) $(BIN)/paqa demo

serve: install frontend ## Serve the local database (var/paqa.sqlite3) on 127.0.0.1:8000 (or PORT)
	$(BIN)/paqa migrate
	$(BIN)/paqa collectstatic --noinput --verbosity 0
	$(BIN)/paqa runserver 127.0.0.1:$(or $(PORT),8000)

test: install frontend lint pytest ## Install and run everything: lint, types, migrations check and the whole test suite

pytest: install frontend ## Run the test suite only (DATABASE_URL picks the database; PYTEST_ARGS adds options)
	$(BIN)/pytest $(PYTEST_ARGS)

bench: install frontend ## Time the import of 100,000 observations, every page at 1x and 10x the demo, survey submissions through gunicorn, the annual report's export (PDF, Word), the statutory returns (a 100,000-child CIN census) and a mixed load
	$(BIN)/python bench/bench_indicators.py
	$(BIN)/python bench/bench_pages.py
	$(BIN)/python bench/bench_surveys.py
	$(BIN)/python bench/bench_coding.py
	$(BIN)/python bench/bench_report.py
	$(BIN)/python bench/bench_returns.py
	$(BIN)/python bench/bench_mixed.py

faults: install frontend ## Kill the app server and restart PostgreSQL under survey load; count lost and duplicated submissions
	$(BIN)/python bench/fault_survey.py

lint: install ## ruff (lint and format) and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy paqa

format: install ## Reformat the code with ruff
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

lock: ## Re-pin every Python dependency (edit requirements/*.in first)
	$(BIN)/python -m pip install --quiet pip-tools
	cd requirements && ../$(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe -o base.txt base.in
	cd requirements && ../$(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe -o dev.txt dev.in

clean: ## Remove built files (keeps var/, the local database)
	rm -rf $(VENV) node_modules staticfiles paqa/core/static/paqa/dist
