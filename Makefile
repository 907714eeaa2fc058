# The two commands of the README: `make report` builds the whole report, `make test` runs the tests.
# Both create the virtual environment (.venv) with the pinned dependencies when it is missing.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: report test test-fast lint bench venv sysdeps clean

venv: $(STAMP)

# Debian packages (chromium, poppler-utils, pango): installed only when missing.
sysdeps:
	bash scripts/system-deps

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

report: $(STAMP) sysdeps
	$(PY) -m analysis report

test: $(STAMP) sysdeps
	$(PY) -m ruff check .
	$(PY) -m pytest

# The edit loop: ruff and the tests that execute no notebook and build no book.
test-fast: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m pytest -m "not slow"

lint: $(STAMP)
	$(PY) -m ruff check .

bench: $(STAMP)
	$(PY) -m devtools.bench

clean:
	rm -rf data/processed _build book/_generated book/regions book/comparison book/over_time book/scenarios
