"""A hand-written set in the layout of NVIDIA's sample configs gets only the findings it deserves."""

from __future__ import annotations

from pathlib import Path

from alpr_gen.deepstream.versions import LATEST
from alpr_gen.validate import lint_path

SET = Path(__file__).parent / "fixtures" / "nvidia_style"
APP = "source4_1080p_dec_infer_tracker_tiled.txt"
PGIE = "config_infer_primary.txt"


def line_of(file: str, marker: str) -> int:
    for n, line in enumerate((SET / file).read_text().splitlines(), start=1):
        if line.startswith(marker):
            return n
    raise AssertionError(f"{marker!r} not in {file}")


# Deserved on every version: the models are not in the repository (../../models), the display
# sink runs with sync=1, and the tracker group still carries a key that was retired.
COMMON = {
    ("DS202", PGIE, line_of(PGIE, "tlt-encoded-model=")),
    ("DS202", PGIE, line_of(PGIE, "int8-calib-file=")),
    ("DS202", APP, line_of(APP, "model-engine-file=")),
    ("DS318", APP, line_of(APP, "sync=1")),
    ("DS108", APP, line_of(APP, "enable-batch-process=")),
}
# TensorRT 10 (DeepStream 7.1+) has no UFF parser and no implicit batch.
TRT10 = {
    ("DS109", PGIE, line_of(PGIE, "force-implicit-batch-dim=")),
    ("DS109", PGIE, line_of(PGIE, "uff-input-blob-name=")),
}


def found(deepstream: str, platform: str) -> set[tuple[str, str, int]]:
    report = lint_path(SET, deepstream=deepstream, platform=platform)
    assert report.app_config == APP
    return {(f.rule_id, f.file, f.line) for f in report.findings}


def test_deserved_findings_on_63_dgpu() -> None:
    assert found("6.3", "dgpu") == COMMON


def test_deserved_findings_on_71_dgpu() -> None:
    assert found("7.1", "dgpu") == COMMON | TRT10


def test_jetson_rejects_dgpu_only_decoder_memory() -> None:
    assert found("7.0", "jetson") == COMMON | {("DS110", APP, line_of(APP, "cudadec-memtype="))}


def test_no_manifest_is_reported_as_info() -> None:
    report = lint_path(SET / APP)
    infos = [f for f in report.findings if f.rule_id == "DS001"]
    assert len(infos) == 1 and infos[0].severity.value == "info"
    assert (report.deepstream, report.platform) == (LATEST, "dgpu")  # the newest release
