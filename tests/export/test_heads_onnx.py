"""Real ONNX exports of YOLO11n run with onnxruntime, against PyTorch and Ultralytics' NMS."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from .conftest import BATCH, IMGSZ, IOU, TOPK

pytestmark = pytest.mark.slow


def assert_rows_close(
    actual: np.ndarray, desired: np.ndarray, raw: np.ndarray | None = None
) -> None:
    """Rows x1,y1,x2,y2,score,class: coordinates within 1e-4 of the input size (0.064 px at 640;
    ONNX Runtime's and PyTorch's float32 convolutions round differently, ~0.006 px at 500 px),
    scores within 1e-4 absolute and 1 % relative, classes equal.

    With `raw` ([B, 4+nc, A] for per-anchor rows), a class may differ only where the reference
    scores of both classes tie to within twice that 1 %: random weights give near-equal class
    scores, and their logits (~-11) come out of a badly conditioned random network.
    """
    assert actual.shape == desired.shape
    np.testing.assert_allclose(actual[..., :4] / IMGSZ, desired[..., :4] / IMGSZ, atol=1e-4, rtol=0)
    np.testing.assert_allclose(actual[..., 4], desired[..., 4], atol=1e-4, rtol=0)
    np.testing.assert_allclose(actual[..., 4], desired[..., 4], atol=1e-7, rtol=1e-2)
    flips = np.argwhere(actual[..., 5] != desired[..., 5])
    if raw is None:
        assert len(flips) == 0, flips[:5]
        return
    assert len(flips) < 0.05 * actual[..., 5].size
    for b, a in flips:
        chosen = raw[b, 4 + int(actual[b, a, 5]), a]
        best = raw[b, 4:, a].max()
        # each of the two scores may be off by the 1 % allowed above
        assert chosen >= best * (1 - 2e-2), (b, a, chosen, best)


def assert_detections_match(actual: np.ndarray, desired: np.ndarray) -> None:
    """end2end rows [K, 6] (or [B, K, 6]): the same detections, zero padding after them.

    Two detections whose scores tie to within float noise may come out in either order, so rows
    are paired by position (one-to-one, nearest box) before comparing them.
    """
    if actual.ndim == 3:
        assert actual.shape == desired.shape
        for a, d in zip(actual, desired, strict=True):
            assert_detections_match(a, d)
        return
    a_rows, d_rows = actual[actual[:, 4] > 0], desired[desired[:, 4] > 0]
    assert len(a_rows) == len(d_rows), (len(a_rows), len(d_rows))
    assert not actual[len(a_rows) :].any() and not desired[len(d_rows) :].any()
    assert (np.diff(a_rows[:, 4]) <= 0).all(), "best first"
    dist = np.abs(a_rows[:, None, :4] - d_rows[None, :, :4]).max(axis=-1)
    pair = dist.argmin(axis=1)
    assert len(set(pair.tolist())) == len(pair), "each detection pairs with a different one"
    assert_rows_close(a_rows, d_rows[pair])


def _run(onnx_path: Path, batch: np.ndarray) -> np.ndarray:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 2
    sess = ort.InferenceSession(str(onnx_path), opts, providers=["CPUExecutionProvider"])
    return sess.run(["boxes"], {"images": batch})[0]


@pytest.fixture(scope="module")
def ort_out(exports: dict, inputs: np.ndarray) -> dict[str, np.ndarray]:
    return {head: _run(res.onnx, inputs) for head, (_req, res) in exports.items()}


def clip_rows(rows: np.ndarray, areas: np.ndarray) -> np.ndarray:
    """x1, y1, x2, y2 of [B, N, >=4] rows clipped to each image's area (Ultralytics' clip_boxes
    in input pixels)."""
    out = rows.copy()
    for b, (x1, y1, x2, y2) in enumerate(areas):
        out[b, :, [0, 2]] = np.clip(out[b, :, [0, 2]], x1, x2)
        out[b, :, [1, 3]] = np.clip(out[b, :, [1, 3]], y1, y2)
    return out


def test_fill_gives_ultralytics_letterbox(inputs: np.ndarray, letterboxed: tuple) -> None:
    """nvinfer's black letterbox of bus.jpg (portrait), zidane.jpg (16:9) and a flipped bus,
    filled by the graph's first step, is Ultralytics' own LetterBox tensor, and the area it
    finds is where Ultralytics put the image."""
    import torch

    from alpr_gen.export.letterbox import PaddingFill

    filled, area = PaddingFill()(torch.from_numpy(inputs))
    expect, areas = letterboxed
    # nvinfer multiplies by float32(1/255), Ultralytics divides by 255: at most an ulp apart
    np.testing.assert_allclose(filled.numpy(), expect, rtol=0, atol=1.2e-7)
    assert (filled.numpy() != inputs).sum() > 0.2 * inputs.size  # the padding really changed
    np.testing.assert_array_equal(area.numpy(), areas)


def test_deepstream_layout_from_ultralytics_raw(
    ort_out: dict, raw_torch: np.ndarray, letterboxed: tuple
) -> None:
    """[B, A, 6] = x1,y1,x2,y2,score,class derived here from Ultralytics' raw [B, 4+nc, A] on
    its own letterbox, boxes clipped to the image as Ultralytics clips them."""
    out = ort_out["deepstream"]
    assert out.shape == (BATCH, raw_torch.shape[2], 6) == (BATCH, 8400, 6)
    cx, cy, w, h = raw_torch[:, 0], raw_torch[:, 1], raw_torch[:, 2], raw_torch[:, 3]
    expect = np.stack(
        [
            cx - w / 2,
            cy - h / 2,
            cx + w / 2,
            cy + h / 2,
            raw_torch[:, 4:].max(axis=1),
            raw_torch[:, 4:].argmax(axis=1).astype(np.float32),
        ],
        axis=-1,
    )
    areas = letterboxed[1]
    assert_rows_close(out, clip_rows(expect, areas), raw_torch)
    # boxes lie inside each image's area in the input
    for b, (x1, y1, x2, y2) in enumerate(areas):
        assert out[b, :, [0, 2]].min() >= x1 and out[b, :, [0, 2]].max() <= x2
        assert out[b, :, [1, 3]].min() >= y1 and out[b, :, [1, 3]].max() <= y2
    assert (out[..., 2] >= out[..., 0]).all() and (out[..., 3] >= out[..., 1]).all()


@pytest.mark.parametrize("head", ["deepstream", "end2end"])
def test_onnx_equals_pytorch_wrapper(
    head: str, exports: dict, inputs: np.ndarray, ort_out: dict, raw_torch: np.ndarray
) -> None:
    """The exported graph computes what the PyTorch module it was traced from computes."""
    import torch

    from alpr_gen.export.onnx_export import build_head, load_detection_model

    req, _res = exports[head]
    wrapper = build_head(load_detection_model(req.weights), req)
    with torch.no_grad():
        ref = wrapper(torch.from_numpy(inputs)).numpy()
    if head == "end2end":
        assert_detections_match(ort_out[head], ref)
    else:
        assert_rows_close(ort_out[head], ref, raw_torch)


def test_end2end_equals_ultralytics_nms(
    ort_out: dict, raw_torch: np.ndarray, e2e_conf: float, letterboxed: tuple
) -> None:
    """Ultralytics' NMS on its raw output, then its clip to the image (scale_boxes clips after
    NMS): what the end2end graph computes from nvinfer's black-padded input."""
    import torch
    from ultralytics.utils.nms import non_max_suppression

    out = ort_out["end2end"]
    assert out.shape == (BATCH, TOPK, 6)
    ref = non_max_suppression(
        torch.from_numpy(raw_torch), conf_thres=e2e_conf, iou_thres=IOU, max_det=TOPK
    )
    candidates = (raw_torch[:, 4:].max(axis=1) > e2e_conf).sum(axis=1)
    for i in range(BATCH):
        expect = ref[i].numpy()
        # NMS did real work: many candidates, a fraction kept, and more than a handful
        assert candidates[i] >= 300 and 10 <= len(expect) < candidates[i] / 2
        padded = np.zeros((TOPK, 6), dtype=np.float32)
        padded[: len(expect)] = clip_rows(expect[None], letterboxed[1][i : i + 1])[0]
        assert_detections_match(out[i], padded)


@pytest.mark.parametrize("head", ["deepstream", "end2end"])
def test_dynamic_batch(
    head: str, exports: dict, inputs: np.ndarray, ort_out: dict, raw_torch: np.ndarray
) -> None:
    """Every batch size 1..N runs, and an image's rows do not depend on its batch mates."""

    def check(a: np.ndarray, d: np.ndarray, raw: np.ndarray) -> None:
        if head == "end2end":
            assert_detections_match(a, d)
        else:
            assert_rows_close(a, d, raw)

    _req, res = exports[head]
    for n in range(1, BATCH + 1):
        part = _run(res.onnx, np.ascontiguousarray(inputs[:n]))
        assert part.shape[0] == n
        check(part, ort_out[head][:n], raw_torch[:n])
    single = _run(res.onnx, np.ascontiguousarray(inputs[2:3]))
    check(single, ort_out[head][2:3], raw_torch[2:3])


@pytest.mark.parametrize("head", ["deepstream", "end2end"])
def test_graph_interface(head: str, exports: dict) -> None:
    import onnx

    req, res = exports[head]
    model = onnx.load(str(res.onnx))
    (inp,) = model.graph.input
    (out,) = model.graph.output
    dims = lambda v: [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]  # noqa: E731
    assert inp.name == "images" and dims(inp) == ["batch", 3, IMGSZ, IMGSZ]
    rows = TOPK if head == "end2end" else 8400
    assert out.name == "boxes" and dims(out) == ["batch", rows, 6]
    ops = {n.op_type for n in model.graph.node}
    assert ("NonMaxSuppression" in ops) == (head == "end2end")
    assert model.opset_import[0].version == req.resolved_opset == 17
    meta = {p.key: p.value for p in model.metadata_props}
    assert meta["alpr_gen.head"] == head and len(json.loads(meta["alpr_gen.classes"])) == 80
    assert meta["alpr_gen.pad_fill"] == "114"
    # the fill's operators, all of which TensorRT imports (tests/export/test_trt_rtx.py)
    assert {"ReduceMax", "Where", "Min", "Max"} <= ops


def test_labels_and_sidecar(exports: dict, yolo_pt: Path) -> None:
    from ultralytics import YOLO

    from alpr_gen.fsutil import sha256_file

    names = YOLO(str(yolo_pt)).names
    _req, res = exports["end2end"]
    assert res.labels.read_text().splitlines() == [names[i] for i in range(len(names))]
    side = json.loads(res.sidecar.read_text())
    assert side["weights"]["sha256"] == sha256_file(yolo_pt)
    assert side["onnx"]["sha256"] == sha256_file(res.onnx)
    assert side["head"] == "end2end" and side["output"]["cluster_mode"] == 4
    assert side["input"]["shape"] == ["batch", 3, IMGSZ, IMGSZ]
    assert side["num_classes"] == 80 and side["opset"] == 17
    assert set(side["versions"]) >= {"ultralytics", "torch", "onnx"}
    # no Ultralytics .engine (or anything else) next to what we wrote
    files = {p.name for p in res.onnx.parent.iterdir()}
    assert files == {res.onnx.name, res.labels.name, res.sidecar.name}
    assert oct(res.onnx.stat().st_mode & 0o777) == oct(0o666 & ~_umask())


def test_repeat_export_is_a_no_op(exports: dict) -> None:
    from alpr_gen.export import export_model

    req, res = exports["deepstream"]
    before = res.onnx.stat().st_mtime_ns
    again = export_model(req)
    assert again.onnx_reused and res.onnx.stat().st_mtime_ns == before
    assert again.seconds < 2.0
    # a changed option or changed weights are not "the same export"
    from alpr_gen.export.sidecar import read_sidecar, sidecar_matches
    from alpr_gen.fsutil import sha256_file

    side = read_sidecar(res.sidecar)
    sha = sha256_file(req.weights)
    assert sidecar_matches(side, req, sha, res.onnx)
    for changed in (req.replace(opset=18), req.replace(imgsz=320), req.replace(head="end2end")):
        assert not sidecar_matches(side, changed, sha, res.onnx)
    assert not sidecar_matches(side, req, "0" * 64, res.onnx)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_pad_fill_off_is_another_onnx_and_moves_the_old_engine(
    exports: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--no-pad-fill writes a different graph (no fill, no clip): the sidecar's params differ so
    the export is redone, and with no TensorRT here the engine nvinfer would otherwise load
    (built from the previous ONNX) is moved aside."""
    import shutil

    import onnx

    from alpr_gen.export import export_model

    monkeypatch.setenv("PATH", str(tmp_path / "no-trtexec"))
    req, res = exports["deepstream"]
    out = tmp_path / "bundle"
    shutil.copytree(res.onnx.parent, out)
    first = req.replace(out_dir=out)
    engine = out / first.engine_relpath
    engine.write_bytes(b"an engine nvinfer built from the filled ONNX")
    again = export_model(first)
    assert again.onnx_reused and engine.is_file()  # same request: nothing to do
    off = export_model(first.replace(pad_fill=False))
    assert not off.onnx_reused and off.engine.status == "deferred"
    assert not engine.exists() and engine.with_name(engine.name + ".stale").is_file()
    assert "moved to" in off.engine.message
    model = onnx.load(str(off.onnx))
    meta = {p.key: p.value for p in model.metadata_props}
    assert meta["alpr_gen.pad_fill"] == "none"
    assert "Where" not in {n.op_type for n in model.graph.node}
    assert json.loads(off.sidecar.read_text())["params"]["pad_fill"] is False
