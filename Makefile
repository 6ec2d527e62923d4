# Two commands do everything (see README "Quick start"):
#   make run    create .venv, install parallel-corpus (with Flask for review), align every pair in corpus/ into align/
#   make test   install the test dependencies (torch's CPU build, see TORCH_INDEX) and run the test suite
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip install -q --disable-pip-version-check -c constraints.txt

# Where torch comes from. torch on PyPI is the CUDA build on Linux (20 nvidia-*/cuda-* packages and
# triton, several GB); PyTorch's CPU index has the CPU build of the same version (2.13.0+cpu, which
# satisfies constraints.txt). Default: that index, unless pip's own sources (a local wheelhouse,
# `find-links`) already hold a CPU build of the pinned version, as on the machine this was made on,
# which cannot reach download.pytorch.org. Override: `make test TORCH_INDEX=URL`, or `TORCH_INDEX=`
# for pip's configured indexes only. Evaluated only by test-setup (the probe asks pip, offline).
TORCH_CPU_INDEX := https://download.pytorch.org/whl/cpu
TORCH_INDEX ?= $(shell $(BIN)/python -m pip install --dry-run --no-deps --no-index --ignore-installed \
	torch==2.13.0 2>/dev/null | grep -q '+cpu' || echo $(TORCH_CPU_INDEX))

.PHONY: setup run test test-setup bench clean

$(BIN)/parallel-corpus: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(PIP) -e '.[review]'
	touch $@

setup: $(BIN)/parallel-corpus

run: setup
	$(BIN)/parallel-corpus run corpus/manifest.tsv -o align/

test-setup: setup
	# torch first, the CPU build (see TORCH_INDEX), so sentence-transformers never pulls CUDA
	@echo "torch 2.13.0 from $(if $(TORCH_INDEX),$(TORCH_INDEX),pip's configured sources)"
	$(PIP) $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX)) torch==2.13.0
	$(BIN)/python -c "import torch; torch.version.cuda and print('warning: torch is a CUDA build (see TORCH_INDEX in the Makefile)')"
	$(PIP) -e '.[all]' -r tests/requirements.txt
	bash scripts/install-test-system-deps.sh

test: test-setup
	$(BIN)/python -m pytest

bench: setup
	for b in bench/*_bench.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache
