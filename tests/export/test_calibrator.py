"""INT8 calibration: the rendered PGIE's preprocessing, and the calibrator's batch feeding.

nvinfer's preprocessing itself (letterbox geometry, nearest/bilinear, channel order, scale) is
tested in tests/nvinfer/test_preprocess.py and test_geometry.py.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from alpr_gen.errors import ExportError
from alpr_gen.export.calibrator import CalibrationBatches, CalibrationFeeder, calibration_spec


def test_calibration_uses_the_rendered_pgie_preprocessing() -> None:
    """The spec matches the rendered PGIE config (tests/golden/lot7/pgie_yolo11.txt), read back
    by alpr_gen.nvinfer: nvinfer's letterbox, RGB, 1/255, the config's scaling filter."""
    from alpr_gen.deepstream.keyfile import read_keyfile
    from alpr_gen.nvinfer.settings import InferSettings

    golden = Path(__file__).resolve().parents[1] / "golden" / "lot7" / "pgie_yolo11.txt"
    rendered = InferSettings.from_keyfile(read_keyfile(golden))
    assert calibration_spec(640, rendered.scaling_filter) == rendered.preprocess_spec((640, 640))


def _frames(folder: Path, n: int) -> list[Path]:
    folder.mkdir()
    paths = []
    for i in range(n):
        img = np.full((48, 80, 3), 40 * i, dtype=np.uint8)
        p = folder / f"f{i}.png"
        cv2.imwrite(str(p), img)
        paths.append(p)
    return paths


def test_batches_are_full_and_in_order(tmp_path: Path) -> None:
    files = _frames(tmp_path / "frames", 5)
    batches = CalibrationBatches(files, batch=2, imgsz=64)
    got = list(batches)
    assert len(batches) == 2 and len(got) == 2  # the fifth image would be a short batch: dropped
    assert all(b.shape == (2, 3, 64, 64) and b.dtype == np.float32 for b in got)
    # image i is grey level 40*i; inside the letterbox (80x48 -> 64x38, top 13) that is 40*i/255
    for k, b in enumerate(got):
        for j in range(2):
            i = 2 * k + j
            np.testing.assert_allclose(b[j, :, 13:51, :], 40 * i * np.float32(1 / 255))
    with pytest.raises(ExportError, match="at least 4 images"):
        CalibrationBatches(files[:3], batch=4, imgsz=64)


def test_undecodable_image_is_named(tmp_path: Path) -> None:
    files = _frames(tmp_path / "frames", 2)
    files[1].write_bytes(b"not a png")
    with pytest.raises(ExportError, match=r"f1\.png: cannot be decoded"):
        list(CalibrationBatches(files, batch=2, imgsz=64))


def test_feeder_protocol(tmp_path: Path) -> None:
    """What TensorRT calls: get_batch_size, get_batch until None, read/write cache."""
    files = _frames(tmp_path / "frames", 6)
    seen: list[np.ndarray] = []
    progress: list[tuple[int, int]] = []

    def to_device(host: np.ndarray) -> tuple[int, object]:
        seen.append(host)
        return 1000 + len(seen), host

    cache = tmp_path / "out" / "m.onnx.calib"
    feeder = CalibrationFeeder(
        CalibrationBatches(files, 3, 64), cache, to_device, lambda d, t: progress.append((d, t))
    )
    assert feeder.get_batch_size() == 3
    assert feeder.read_calibration_cache() is None
    assert feeder.get_batch(["images"]) == [1001]
    assert feeder.get_batch(["images"]) == [1002]
    assert feeder.get_batch(["images"]) is None  # exhausted: calibration ends
    assert progress == [(1, 2), (2, 2)] and [s.shape for s in seen] == [(3, 3, 64, 64)] * 2
    feeder.write_calibration_cache(
        memoryview(b"TRT-100300-EntropyCalibration2\nimages: 3c010a14\n")
    )
    assert cache.read_bytes().startswith(b"TRT-100300-EntropyCalibration2")
    assert feeder.read_calibration_cache() == cache.read_bytes()
    assert [p.name for p in cache.parent.iterdir()] == ["m.onnx.calib"]  # no temp file left
