# alpr-gen's make targets (`make help` lists them). On a fresh machine:
#   make render   installs alpr-gen into .venv and renders the lot7 site into out/lot7/
#   make test     installs the test dependencies and runs the whole test suite
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: help render demo test install install-demo install-test lint bench bench-gpu-carry fuzz clean
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

lint: install-test ## ruff check, format check and mypy
	$(BIN)/ruff check alpr_gen alpr_synth tests bench tools
	$(BIN)/ruff format --check alpr_gen alpr_synth tests bench tools
	$(BIN)/mypy

test: lint ## ruff and mypy, then every test
	$(BIN)/python -m pytest -q

bench: install-test ## the benchmarks in bench/ (printed figures)
	for b in bench/bench_*.py; do $(BIN)/python $$b || exit 1; done

fuzz: ## the parser fuzzers (clang/libFuzzer)
	$(MAKE) -C custom_parsers fuzz

clean: ## remove out/, build outputs and caches
	rm -rf out build dist .pytest_cache custom_parsers/build

# The preview backend on the demo site: prepares out/demo (render, export the committed demo
# detector to ONNX, export the PP-OCRv4 recogniser, build the parser library, copy the clip) and
# runs it once through, printing the plates it reads. Needs the export, ocr and preview extras.
install-demo: $(BIN)/python
	$(BIN)/pip install -q torch==2.14.1 torchvision==0.29.1
	$(BIN)/pip install -q -e ".[export,ocr,preview]"

demo: install-demo ## install, prepare the demo models and run the demo site, printing its plates
	$(BIN)/python bench/demo_bundle.py --out out/demo
	$(BIN)/alpr-gen run --config out/demo --backend preview --frames 240 --no-network-checks

# What the GPU benchmark needs on the lent GPU machine (nothing can be installed there): the demo
# bundle without the detector's ONNX (PyTorch runs the checkpoint) in .bench_gpu/, and the wheels
# the machine lacks, for its Python 3.12, in .whl/. Both are git-ignored through .git/info/exclude.
bench-gpu-carry: install-test ## stage what the GPU benchmark needs on the lent GPU machine
	$(BIN)/python bench/demo_bundle.py --out out/demo
	rm -rf .bench_gpu && mkdir -p .bench_gpu && cp -rL out/demo .bench_gpu/demo
	rm -f .bench_gpu/demo/models/alpr_demo_yolo11n.onnx
	x=$$(git rev-parse --git-path info/exclude); mkdir -p "$$(dirname $$x)"; \
	  for p in /.bench_gpu/ /.whl/; do grep -qx "$$p" "$$x" 2>/dev/null || echo "$$p" >> "$$x"; done
	$(BIN)/python -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 \
	  --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
	  --platform manylinux2014_x86_64 -d .whl av==18.1.0 trackers==2.6.1 supervision==0.31.2 \
	  defusedxml==0.7.1 pydeprecate==0.13.0 ultralytics==8.4.190 ultralytics-thop==2.2.3 \
	  ultralytics-platform==0.1.99
	du -sh .bench_gpu .whl
