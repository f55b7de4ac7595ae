"""A short libFuzzer run (ASan + UBSan) over NvDsInferParseAlprOcr: the CI smoke of `make fuzz`."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from alpr_gen.nvinfer.bridge import have_fuzz_compiler, parsers_source_dir


@pytest.mark.slow
@pytest.mark.skipif(not have_fuzz_compiler(), reason="clang++-14 (libFuzzer) not installed")
def test_fuzz_ocr_smoke(tmp_path: Path) -> None:
    argv = [
        "nice", "make", "-s", "-C", str(parsers_source_dir()), f"BUILD={tmp_path}", "fuzz",
        "FUZZ_TARGETS=fuzz_ocr", "RUNS=5000", "FUZZ_FLAGS=-seed=1",
    ]  # fmt: skip
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=600, check=False)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    assert "Done 5000 runs" in log
    assert "ERROR: AddressSanitizer" not in log and "runtime error" not in log
    # Inputs reach the decode loops and the settings reader, not only the early checks.
    stats = re.search(r"fuzz_ocr: (\d+) calls, (\d+) accepted, (\d+) with a plate; "
                      r"(\d+) settings files, (\d+) usable; (\d+) calls with strict formats",
                      log)  # fmt: skip
    assert stats, log[-2000:]
    calls, accepted, plates, configs, usable, strict = map(int, stats.groups())
    assert calls >= 5000 and plates > 0 and configs > 0 and usable > 0, stats.group(0)
    assert strict > 0, stats.group(0)  # the plate-format correction is exercised too
    assert accepted < calls  # unusable settings files make the parser return false
    assert not list(tmp_path.glob("fuzz_ocr-crash-*"))
