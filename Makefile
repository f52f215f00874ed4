# coopmatch: `make run` serves the demo, `make test` runs every test. Both set everything up.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# The suite also runs on PostgreSQL; under CI=true that pass is mandatory.
TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
export TEST_DATABASE_URL
# ../shared holds the real open data; override to point elsewhere.
COOPMATCH_DATA_DIR ?= $(abspath ../shared)
export COOPMATCH_DATA_DIR

.PHONY: install run test lint bench chromium clean

install: $(VENV)/.installed

# A virtualenv left half-made (by an interrupted first run) is made again.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/pip || $(PYTHON) -m venv --clear $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

run: install
	$(BIN)/coopmatch db upgrade
	$(BIN)/coopmatch demo
	$(BIN)/coopmatch serve --host $(HOST) --port $(PORT)

# Browser tests drive Debian's Chromium (never `playwright install`).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium package for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get install -y -q chromium >/dev/null 2>&1 || \
	  { $$SUDO apt-get update -q && $$SUDO apt-get install -y -q chromium; }; }

test: install chromium
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

bench: install
	$(BIN)/python bench/match_quality.py
	$(BIN)/python bench/match_speed.py

clean:
	rm -rf $(VENV) instance/*.db instance/cache .pytest_cache
