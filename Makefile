# alpr-gen's make targets (`make help` lists them). On a fresh machine:
#   make render   installs alpr-gen into .venv and renders the lot7 site into out/lot7/
#   make test     installs the test dependencies and runs the whole test suite
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: help render test install install-test lint bench fuzz clean
.DEFAULT_GOAL := help

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-14s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/python ## install alpr-gen's core into .venv (render, validate, run, build-parser)
	$(BIN)/pip install -q -e .

render: install ## install, render the lot7 site into out/lot7/ and print its next steps
	$(BIN)/alpr-gen render --site lot7

# torch is pinned to the CUDA build this workplace serves from its own wheel mirror; on your own
# CPU-only machine take PyTorch's CPU build instead (README, "Install").
install-test: $(BIN)/python ## install everything the tests need (Debian packages too, as root)
	./scripts/install-system-deps
	$(BIN)/pip install -q torch==2.14.1 torchvision==0.29.1
	$(BIN)/pip install -q -e ".[test]"

lint: install-test ## ruff check and format check
	$(BIN)/ruff check alpr_gen alpr_synth tests bench tools
	$(BIN)/ruff format --check alpr_gen alpr_synth tests bench tools

test: install-test ## ruff, then every test
	$(BIN)/ruff check alpr_gen alpr_synth tests bench tools
	$(BIN)/python -m pytest -q

bench: install-test ## the benchmarks in bench/ (printed figures)
	for b in bench/bench_*.py; do $(BIN)/python $$b || exit 1; done

fuzz: ## the parser fuzzers (clang/libFuzzer)
	$(MAKE) -C custom_parsers fuzz

clean: ## remove out/, build outputs and caches
	rm -rf out build dist .pytest_cache custom_parsers/build
