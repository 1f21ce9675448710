# The two front doors: `make run` serves the app on the embedded defaults, `make test` passes every test.
PYTHON ?= python3
VENV ?= .venv
PORT ?= 5000
# Test processes (pytest-xdist, one test module per process at a time); each has its own
# PostgreSQL database and Redis databases. TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 2
# More pytest arguments, e.g. PYTEST_ARGS='-m "not any_database"' (CI's second database).
PYTEST_ARGS ?=
BIN := $(VENV)/bin
export FLASK_APP := wsgi

.PHONY: run test install install-test browser lint format screenshots bench clean

run: $(VENV)/.installed ## Set up everything and serve on http://127.0.0.1:$(PORT) (SQLite + sandbox)
	$(BIN)/flask db upgrade
	$(BIN)/flask demo
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

test: $(VENV)/.installed-test browser ## Set up and run the whole suite (TEST_DATABASE_URL for PostgreSQL)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# Browser tests drive Debian's Chromium; Playwright never downloads a browser here.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Chromium for the browser tests (apt-get)..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

bench: $(VENV)/.installed ## Benchmark: seed, gunicorn + PostgreSQL, load; prints the table, rewrites bench/RESULTS.md
	$(BIN)/python -m bench.run

screenshots: $(VENV)/.installed-test browser ## Regenerate docs/screenshots/ from a seeded app in Chromium
	$(BIN)/python -m tests.e2e.screenshots

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
