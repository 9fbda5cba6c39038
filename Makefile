# Two commands on a fresh machine: `make demo` and `make test`; `make lab` for students.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test lint lab site release verify clean system-packages

# Debian packages beyond PyPI: the grader's sandbox, prlimit, a PostgreSQL server for its
# test, Chromium for the browser tests (Playwright drives it; it never downloads one), and
# Node.js for JupyterHub's proxy.
SYSTEM_PACKAGES := bubblewrap util-linux postgresql chromium chromium-driver nodejs

# JupyterHub's proxy, from npm (JupyterHub itself is a PyPI dependency): the course hub of
# tests/test_hub.py, and of an instructor who runs one (README, "Running the course").
PROXY := $(VENV)/proxy/node_modules/.bin/configurable-http-proxy

# Create the virtual environment if missing and install the pinned dependencies
# and the project (editable). Re-runs only when pyproject.toml changes.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

system-packages:
	@tools/system-packages $(SYSTEM_PACKAGES)

demo: $(STAMP) system-packages
	$(PY) -m autograder demo

# The suite in two parts: every test but those marked `alone`, spread over a process per core
# (pytest-xdist; a test file stays on one process, so its module fixtures are built once), then
# the `alone` ones (they check that no process of theirs outlives them: nothing else may run).
TEST_PROCESSES ?= auto

test: lint system-packages $(PROXY)
	$(PY) -m pytest -n $(TEST_PROCESSES) --dist loadfile --no-loadscope-reorder -m "not alone"
	$(PY) -m pytest -m alone

$(PROXY): | system-packages
	npm install --silent --prefix $(VENV)/proxy configurable-http-proxy@5.3.0

# The layers of autograder/ (pyproject.toml's [tool.importlinter], docs/architecture.md).
lint: $(STAMP)
	$(VENV)/bin/lint-imports

# --allow-root only where the user is root (jupyter refuses to start as root without it).
lab: $(STAMP)
	$(VENV)/bin/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) labs/

# The static walk-through site (build/site/index.html), built offline.
site: $(STAMP)
	$(PY) -m autograder site

release: $(STAMP)
	$(PY) -m autograder release

verify: $(STAMP)
	$(PY) -m autograder verify

clean:
	rm -rf .scratch build .pytest_cache .hypothesis
