# Mon dossier — the two commands: `make run` and `make test` (see README).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# The development environment installs exactly the lock file (versions and hashes); the image
# installs requirements.lock, without the development tools. `make lock` writes both from pyproject.toml.
LOCK   := requirements-dev.lock
STAMP  := $(VENV)/.installed-$(shell cksum < $(LOCK) | cut -d' ' -f1)
COMPILE = $(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes --quiet

.PHONY: run test lint audit lighthouse lock setup install migrate demo bench system-packages clean check-deploy drill drill-slow-clients dates

$(STAMP): $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r $(LOCK)
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

# After a change of pyproject.toml's dependencies: both lock files, then the environment.
lock: install
	$(COMPILE) --output-file requirements.lock
	$(COMPILE) --extra dev --output-file requirements-dev.lock
	$(MAKE) install

# Everything `make run` needs before it starts: idempotent.
setup: export DEBUG ?= true
setup: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py compile_translations
	$(BIN)/python manage.py load_demo_data

# Portal + Celery worker + Celery beat; Ctrl-C stops all three.
run: export DEBUG ?= true
run: setup
	$(BIN)/python manage.py show_demo_sign_ins
	$(BIN)/honcho --procfile Procfile.dev start

system-packages:
	bash scripts/ensure-system-packages.sh

lint: install
	$(BIN)/ruff check .

# The pinned dependencies against the pinned advisory snapshot (deploy/advisories/, offline).
audit: install
	$(BIN)/python scripts/audit_dependencies.py

# The linter, the dependency audit, then the whole suite in parallel (scripts/pytest.sh).
test: export DEBUG ?= true
test: install system-packages lint audit
	$(BIN)/python manage.py compile_translations
	bash scripts/pytest.sh

# The date-sensitive tests (marker `dates`) at each moment of scripts/date-matrix.sh; also in .ci/run.
dates: export DEBUG ?= true
dates: install
	$(BIN)/python manage.py compile_translations
	bash scripts/date-matrix.sh

bench: install
	bash scripts/bench.sh

# Lighthouse's accessibility and best-practices audits of every page, both languages (issue 15): each
# must score 100. Also in .ci/run, after `make test`.
lighthouse: install
	bash scripts/lighthouse.sh

# The reliability drill alone (tests/test_drill.py, also part of `make test`): Redis and the worker
# killed mid-run, against a throwaway PostgreSQL and Redis as in .ci/run.
drill: export DEBUG ?= true
drill: install
	$(BIN)/python manage.py compile_translations
	bash scripts/drill.sh

# The slow-connection attack (issue 16) against gunicorn behind deploy/nginx/portal.conf on loopback,
# then against gunicorn alone for contrast (scripts/slow-clients-drill.sh; a shorter run, through the
# proxy only, is part of `make test`: tests/test_slow_clients_drill.py).
drill-slow-clients: install
	bash scripts/slow-clients-drill.sh

check-deploy: install
	bash scripts/check-deploy.sh

clean:
	rm -rf $(VENV) var staticfiles bench-results.json
