# Mon dossier — the two commands: `make run` and `make test` (see README).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)

.PHONY: run test setup install migrate demo bench system-packages clean check-deploy drill

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check ".[dev]"
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

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

test: export DEBUG ?= true
test: install system-packages
	$(BIN)/python manage.py compile_translations
	bash scripts/pytest.sh

bench: install
	bash scripts/bench.sh

# The reliability drill alone (tests/test_drill.py, also part of `make test`): Redis and the worker
# killed mid-run, against a throwaway PostgreSQL and Redis as in .ci/run.
drill: export DEBUG ?= true
drill: install
	$(BIN)/python manage.py compile_translations
	bash scripts/drill.sh

check-deploy: install
	bash scripts/check-deploy.sh

clean:
	rm -rf $(VENV) var staticfiles bench-results.json
