"""ExportRequest checks: bad combinations are refused before anything is imported or written."""

from __future__ import annotations

from pathlib import Path

import pytest

from alpr_gen.deepstream.engine_naming import parse_engine_name
from alpr_gen.errors import ExportError
from alpr_gen.export.request import ExportRequest, check_request, opset_for


def req(tmp_path: Path, **kw: object) -> ExportRequest:
    weights = tmp_path / "best.pt"
    weights.touch()  # check_request only looks for the file; loading it is export's job
    kw.setdefault("weights", weights)
    return ExportRequest(out_dir=tmp_path / "out", **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("imgsz", [0, 31, 630, 641, -32])
def test_imgsz_must_be_multiple_of_32(tmp_path: Path, imgsz: int) -> None:
    with pytest.raises(ExportError, match=f"input size {imgsz} is not a positive multiple of 32"):
        check_request(req(tmp_path, imgsz=imgsz))


def test_valid_request_passes(tmp_path: Path) -> None:
    check_request(req(tmp_path, imgsz=960, batch=8, dynamic=True, head="end2end"))


def test_int8_needs_images_or_cache(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="int8 needs calibration images"):
        check_request(req(tmp_path, precision="int8"))
    # an existing cache at the int8-calib-file path is enough
    r = req(tmp_path, precision="int8")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / r.calib_relpath).write_bytes(b"TRT-8601-EntropyCalibration2\n")
    check_request(r)


def test_calibration_folder_checks(tmp_path: Path) -> None:
    folder = tmp_path / "frames"
    with pytest.raises(ExportError, match="not a directory"):
        check_request(req(tmp_path, precision="int8", calib_images=folder))
    folder.mkdir()
    (folder / "notes.txt").write_text("no images here")
    with pytest.raises(ExportError, match="0 images"):
        check_request(req(tmp_path, precision="int8", calib_images=folder, batch=2))
    for i in range(2):
        (folder / f"f{i}.JPG").write_bytes(b"")
    check_request(req(tmp_path, precision="int8", calib_images=folder, batch=2))


def test_end2end_refused_on_deepstream_63(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r"not supported on DeepStream 6\.3") as e:
        check_request(req(tmp_path, head="end2end", deepstream="6.3"))
    assert "--head deepstream" in (e.value.hint or "")
    check_request(req(tmp_path, head="deepstream", deepstream="6.3"))
    check_request(req(tmp_path, head="end2end", deepstream="7.0"))


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("batch", 0, "batch 0 must be >= 1"),
        ("dynamic", True, "--dynamic with batch 1"),
        ("weights", Path("/nonexistent/best.pt"), "no such file"),
        ("topk", 0, "--topk 0"),
        ("topk", 4000, r"--topk 4000 must be within 1\.\.3840"),
        ("conf", 1.5, "--conf 1.5"),
        ("iou", float("nan"), "--iou nan"),
        ("precision", "int4", "precision 'int4'"),
        ("head", "yolo", "head 'yolo'"),
        ("deepstream", "6.0", "DeepStream '6.0'"),
        ("scaling_filter", 7, "scaling-filter 7"),  # nvinfer has 0..6
        ("opset", 9, "opset 9"),
        ("onnx_name", "../x.onnx", "inside the output directory"),
        ("onnx_name", "/abs/x.onnx", "inside the output directory"),
    ],
)
def test_bad_values(tmp_path: Path, field: str, value: object, match: str) -> None:
    with pytest.raises(ExportError, match=match):
        check_request(req(tmp_path, **{field: value}))


def test_opset_per_target() -> None:
    # TensorRT 8.5/8.6 (DeepStream 6.3/7.0) parse up to opset 17
    assert opset_for("6.3") == opset_for("7.0") == opset_for(None) == 17
    assert opset_for("7.1") == opset_for("8.0") == 19


def test_paths_and_engine_name(tmp_path: Path) -> None:
    r = req(tmp_path, batch=4, gpu_id=1, precision="fp16")
    assert r.onnx_path == tmp_path / "out" / "best.onnx"
    assert r.labels_path == tmp_path / "out" / "labels.txt"
    assert r.sidecar_path.name == "best.onnx.json"
    assert r.calib_relpath == "best.onnx.calib"
    # exactly nvinfer's name for the engine it would build from onnx-file=best.onnx
    assert r.engine_relpath == "best.onnx_b4_gpu1_fp16.engine"
    parsed = parse_engine_name(r.engine_relpath)
    assert parsed is not None and (parsed.model, parsed.batch, parsed.gpu_id, parsed.precision) == (
        "best.onnx",
        4,
        1,
        "fp16",
    )
    site = req(tmp_path, onnx_name="models/yolo11n.onnx", batch=2, precision="int8")
    assert site.engine_relpath == "models/yolo11n.onnx_b2_gpu0_int8.engine"


def test_end2end_needs_a_positive_threshold(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="needs --conf > 0"):
        check_request(req(tmp_path, head="end2end", conf=0.0))
    check_request(req(tmp_path, head="deepstream", conf=0.0))  # not baked into that head
