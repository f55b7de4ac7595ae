"""Helpers for the validate corpus: a clean base set copied to tmp, plus one-defect mutations."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

BASE = Path(__file__).parent / "fixtures" / "base"
NVIDIA_STYLE = Path(__file__).parent / "fixtures" / "nvidia_style"
# Model artifacts the base set names; created empty (they are deployed, not rendered).
ARTIFACTS = (
    "models/yolo11n.onnx",
    "models/yolo11n.onnx_b2_gpu0_fp16.engine",
    "models/ocr_rec.onnx",
    "models/ocr_rec.onnx_b16_gpu0_fp16.engine",
    "models/ocr_dict.txt",
    "lib/libnvdsinfer_alpr.so",
)


def make_base(dest: Path) -> Path:
    shutil.copytree(BASE, dest)
    for rel in ARTIFACTS:
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        (dest / rel).write_bytes(b"")
    return dest


@pytest.fixture
def base_set(tmp_path: Path) -> Path:
    return make_base(tmp_path / "set")
