# Two commands for a fresh machine:
#   make render   installs alpr-gen and renders the lot7 site into out/lot7/
#   make test     installs the test dependencies and runs the whole test suite
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: render test install install-test lint bench fuzz clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -q -e .

render: install
	$(BIN)/alpr-gen render --site lot7

# torch is pinned to the CUDA build this workplace serves from disk (see README, "Installing").
install-test: $(BIN)/python
	./scripts/install-system-deps
	$(BIN)/pip install -q torch==2.14.1 torchvision==0.29.1
	$(BIN)/pip install -q -e ".[test]"

lint: install-test
	$(BIN)/ruff check alpr_gen alpr_synth tests bench tools
	$(BIN)/ruff format --check alpr_gen alpr_synth tests bench tools

test: install-test
	$(BIN)/ruff check alpr_gen alpr_synth tests bench tools
	$(BIN)/python -m pytest -q

bench: install-test
	for b in bench/bench_*.py; do $(BIN)/python $$b || exit 1; done

fuzz:
	$(MAKE) -C custom_parsers fuzz

clean:
	rm -rf out build dist .pytest_cache custom_parsers/build
