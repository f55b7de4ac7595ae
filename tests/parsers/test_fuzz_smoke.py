"""A short libFuzzer run (ASan + UBSan) over the parser: the CI smoke of `make fuzz`."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from alpr_gen.nvinfer.bridge import have_fuzz_compiler, parsers_source_dir


@pytest.mark.slow
@pytest.mark.skipif(not have_fuzz_compiler(), reason="clang++-14 (libFuzzer) not installed")
def test_fuzz_yolo_smoke(tmp_path: Path) -> None:
    argv = [
        "make", "-s", "-C", str(parsers_source_dir()), f"BUILD={tmp_path}", "fuzz",
        "FUZZ_TARGETS=fuzz_yolo", "RUNS=20000", "FUZZ_FLAGS=-seed=1",
    ]  # fmt: skip
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=600, check=False)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    assert "Done 20000 runs" in log
    assert "ERROR: AddressSanitizer" not in log and "runtime error" not in log
    # The inputs reach the parse loops: some calls produce objects (counted by the target).
    stats = next(line for line in log.splitlines() if line.startswith("fuzz_yolo: "))
    assert " 0 with objects" not in stats, stats
    assert not list(tmp_path.glob("fuzz_yolo-crash-*"))
