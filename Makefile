# Two commands do everything (see README "Quick start"):
#   make run    create .venv, install parallel-corpus, align every pair in corpus/ into align/
#   make test   install the test dependencies (torch CPU build pinned) and run the whole test suite
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip install -q --disable-pip-version-check -c constraints.txt

.PHONY: setup run test test-setup bench clean

$(BIN)/parallel-corpus: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(PIP) -e .
	touch $@

setup: $(BIN)/parallel-corpus

run: setup
	$(BIN)/parallel-corpus run corpus/manifest.tsv -o align/

test-setup: setup
	# torch first, pinned to the CPU build (constraints.txt), so sentence-transformers never pulls CUDA
	$(PIP) torch==2.13.0
	$(PIP) -e '.[test,st,e5,review,ray]'
	bash scripts/install-test-system-deps.sh

test: test-setup
	$(BIN)/python -m pytest

bench: setup
	for b in bench/*_bench.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache
