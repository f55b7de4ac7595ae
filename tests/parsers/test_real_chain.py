"""The real chain, as DeepStream runs it, against Ultralytics' own predictions.

YOLO11n (yolo11n.yaml, seeded weights made image-dependent by `lift_model`) is exported with
Ultralytics' exporter to ONNX twice: raw [1, 84, 8400] and nms=True [1, 300, 6]; the
`deepstream` [8400, 6] head is computed from the raw output in numpy. Each image is letterboxed
as nvinfer does (alpr_gen.nvinfer.preprocess, the rendered PGIE's settings) and run by
onnxruntime (alpr_gen.nvinfer.session); the output goes through NvDsInferParseAlprYolo (via the
nvinfer ABI bridge), nvinfer's cluster-mode=2 NMS (cluster-mode=4 for end2end, which is NMSed in
the graph; alpr_gen.nvinfer.cluster) and the inverse of nvinfer's letterbox. Ultralytics' `predict` on the same network input, with its
own decode, NMS and `scale_boxes`, must give the same detections: same classes, boxes within
1 px. Thresholds are picked where neither pipeline's rounding, nor DeepStream's clamping of
boxes to the network input before NMS, can flip a decision (`chain.thresholds_well_defined`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from alpr_gen.deepstream.facts import ClusterMode
from alpr_gen.nvinfer.bridge import Layer, ParserBridge
from alpr_gen.nvinfer.cluster import cluster
from alpr_gen.nvinfer.geometry import boxes_to_frame
from alpr_gen.nvinfer.settings import ClassAttrs

from .chain import (
    NET,
    Letterbox,
    choose_conf,
    deepstream_head,
    lift_model,
    match_detections,
    nvinfer_letterbox,
    unletterbox_clipped,
)

pytestmark = pytest.mark.slow
FN = "NvDsInferParseAlprYolo"
IMAGES = ("bus.jpg", "zidane.jpg")
NC = 80


@dataclass
class Chain:
    conf: dict[str, float]  # per frame: where its detections are well defined
    iou: float
    frames: dict[str, np.ndarray]  # RGB
    geo: dict[str, Letterbox]
    raw: dict[str, np.ndarray]  # [84, 8400]
    end2end: dict[str, np.ndarray]  # [300, 6]
    ultralytics: dict[str, np.ndarray]  # [n, 6] x1, y1, x2, y2, conf, class in frame px


def _export(pt: Path, dest: Path, **kw: object) -> Path:
    from ultralytics import YOLO

    out = Path(YOLO(str(pt)).export(format="onnx", opset=17, simplify=True, imgsz=NET, **kw))
    return out.rename(dest)


def _run_onnx(path: Path, tensors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    from alpr_gen.nvinfer.session import CPU, InferSession

    sess = InferSession(path, providers=[CPU])
    return {k: sess.frame_layers(x)[0][0].array for k, x in tensors.items()}  # frame 0, output 0


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Chain:
    torch = pytest.importorskip("torch")
    cv2 = pytest.importorskip("cv2")
    ultralytics = pytest.importorskip("ultralytics")
    from ultralytics import YOLO
    from ultralytics.utils.ops import scale_boxes

    work = tmp_path_factory.mktemp("yolo11n-chain")
    assets = Path(ultralytics.__file__).parent / "assets"
    frames = {n: np.ascontiguousarray(cv2.imread(str(assets / n))[:, :, ::-1]) for n in IMAGES}
    boxed = {n: nvinfer_letterbox(f) for n, f in frames.items()}
    # 255 * float32(1/255) = 1.0000002, which Ultralytics' tensor loader takes for 0-255 data and
    # divides by 255 again: feed both pipelines min(x, 1) (a 2e-7 change).
    tensors = {n: np.minimum(t, np.float32(1.0)) for n, (t, _) in boxed.items()}

    torch.manual_seed(0)
    model = YOLO("yolo11n.yaml")
    lift_model(model, torch.from_numpy(tensors["bus.jpg"]))
    pt = work / "lifted.pt"
    model.save(str(pt))
    raw = _run_onnx(_export(pt, work / "raw.onnx"), tensors)

    # One IoU; per-frame conf. The end2end graph NMSes at the lowest conf: a box below a frame's
    # conf never suppresses one above it, so nvinfer's pre-cluster threshold (the frame's conf)
    # leaves exactly what an NMS at that conf keeps.
    iou = 0.45
    conf = {n: choose_conf(r, iou) for n, r in raw.items()}
    e2e = _run_onnx(
        _export(pt, work / "end2end.onnx", nms=True, conf=min(conf.values()) - 0.01, iou=iou),
        tensors,
    )

    predictor = YOLO(str(pt))
    preds = {}
    for n, x in tensors.items():
        r = predictor.predict(
            torch.from_numpy(x), conf=conf[n], iou=iou, max_det=300, verbose=False
        )
        b = r[0].boxes
        xyxy = scale_boxes((NET, NET), b.xyxy.clone(), frames[n].shape[:2]).numpy()
        preds[n] = np.concatenate([xyxy, b.conf.numpy()[:, None], b.cls.numpy()[:, None]], axis=1)
    return Chain(conf, iou, frames, {n: g for n, (_, g) in boxed.items()}, raw, e2e, preds)


def _deepstream_chain(
    harness: ParserBridge, chain: Chain, name: str, output: np.ndarray, nms: bool
) -> np.ndarray:
    thr = [chain.conf[name]] * NC
    res = harness.bbox(FN, [Layer(output)], num_classes=NC, pre_thresholds=thr, net=(NET, NET, 3))
    assert res.ok, res.error
    dets = res.dets
    print(f"{name}: parser -> {len(dets)} objects", end="; ")
    attrs = [ClassAttrs(pre_cluster_threshold=chain.conf[name], nms_iou_threshold=chain.iou)] * NC
    dets = cluster(dets, ClusterMode.NMS if nms else ClusterMode.NONE, attrs)
    return unletterbox_clipped(dets, chain.geo[name], chain.frames[name].shape[:2])


@pytest.mark.parametrize("name", IMAGES)
@pytest.mark.parametrize("head", ["raw", "deepstream", "end2end"])
def test_chain_matches_ultralytics_predict(
    harness: ParserBridge, chain: Chain, head: str, name: str
) -> None:
    if head == "raw":
        ours = _deepstream_chain(harness, chain, name, chain.raw[name], nms=True)
    elif head == "deepstream":
        ours = _deepstream_chain(harness, chain, name, deepstream_head(chain.raw[name]), nms=True)
    else:  # NMS ran in the graph: nvinfer's cluster-mode=4 (none)
        ours = _deepstream_chain(harness, chain, name, chain.end2end[name], nms=False)
    theirs = chain.ultralytics[name]
    assert 5 <= len(theirs) < 300, "too few predictions to compare, or truncated by max_det"
    assert match_detections(ours, theirs, tol=1.0) == []
    np.testing.assert_allclose(np.sort(ours[:, 4]), np.sort(theirs[:, 4]), atol=1e-4)
    a, b = ours[np.lexsort(ours.T[::-1])], theirs[np.lexsort(theirs.T[::-1])]
    print(
        f"{head} {name}: conf {chain.conf[name]} iou {chain.iou}: {len(ours)} detections, "
        f"{len(set(ours[:, 5]))} classes, max box diff {np.abs(a[:, :4] - b[:, :4]).max():.4f} px"
    )


@pytest.mark.parametrize("name", IMAGES)
def test_raw_and_deepstream_heads_parse_identically(
    harness: ParserBridge, chain: Chain, name: str
) -> None:
    thr = [chain.conf[name]] * NC
    a = harness.bbox(FN, [Layer(chain.raw[name])], num_classes=NC, pre_thresholds=thr)
    b = harness.bbox(
        FN, [Layer(deepstream_head(chain.raw[name]))], num_classes=NC, pre_thresholds=thr
    )
    assert a.ok and b.ok and len(a.dets) > 0
    np.testing.assert_array_equal(a.dets, b.dets)


@pytest.mark.parametrize("name", IMAGES)
def test_letterbox_undo_agrees_with_ultralytics(chain: Chain, name: str) -> None:
    """The scaled frame inside the network input maps back onto the whole frame under both
    nvinfer's undo (its arithmetic: alpr_gen.nvinfer.geometry.boxes_to_frame) and Ultralytics'
    scale_boxes (independent implementations)."""
    torch = pytest.importorskip("torch")
    from ultralytics.utils.ops import scale_boxes

    g = chain.geo[name]
    h, w = chain.frames[name].shape[:2]
    inner = np.array([[g.offset_left, g.offset_top, g.width, g.height, 1, 0]], np.float32)
    ours = boxes_to_frame(inner, g)[0, :4]  # left, top, width, height: here also x1, y1, x2, y2
    box = torch.tensor([[g.offset_left, g.offset_top, g.offset_left + g.width,
                         g.offset_top + g.height]], dtype=torch.float64)  # fmt: skip
    theirs = scale_boxes((NET, NET), box, (h, w)).numpy()[0]
    np.testing.assert_allclose(ours, [0, 0, w, h], atol=1e-6)
    np.testing.assert_allclose(theirs, [0, 0, w, h], atol=1.0)


def test_nvinfer_shifts_boxes_clamped_at_the_frame_edge(
    harness: ParserBridge, chain: Chain
) -> None:
    """What nvinfer really attaches (gstnvinfer_meta_utils.cpp attach_metadata_detector): a box
    reaching into the letterbox's left padding gets left = 0 with its width kept, so its right
    edge moves right by the part cut off; a box reaching into the bottom padding ends below the
    frame and is dropped (roi-bottom-offset check). The parser cannot prevent it: it only knows
    the network input. Ultralytics clips instead (unletterbox_clipped)."""
    name = "bus.jpg"  # 810x1080 into 640x640: 80 px of padding left and right
    thr = [chain.conf[name]] * NC
    res = harness.bbox(FN, [Layer(chain.raw[name])], num_classes=NC, pre_thresholds=thr)
    attrs = [ClassAttrs(pre_cluster_threshold=chain.conf[name], nms_iou_threshold=chain.iou)] * NC
    dets = cluster(res.dets, ClusterMode.NMS, attrs)
    g, (h, w) = chain.geo[name], chain.frames[name].shape[:2]
    nvinfer = boxes_to_frame(dets, g)
    ideal = unletterbox_clipped(dets, g, (h, w))
    into_left = dets[:, 0] < g.offset_left
    assert into_left.sum() >= 1  # this frame has one: see test_chain_matches_ultralytics_predict
    cut = (g.offset_left - dets[into_left, 0]) / g.ratio_x
    shift = nvinfer[into_left, 0] + nvinfer[into_left, 2] - ideal[into_left, 2]
    np.testing.assert_allclose(shift, np.minimum(cut, cut + (w - ideal[into_left, 2])), atol=0.01)
    assert np.all(shift > 1)
    inside = ~into_left & (dets[:, 1] >= g.offset_top)
    np.testing.assert_allclose(nvinfer[inside, 0], ideal[inside, 0], atol=1e-3)


def test_nvinfer_drops_boxes_reaching_into_the_bottom_padding(
    harness: ParserBridge, chain: Chain
) -> None:
    """zidane.jpg (1280x720 into 640x640: 140 px of padding above and below): the boxes whose
    bottom ends in the lower padding end below the frame once mapped back, and nvinfer drops
    them (top + height > frame height - roi-bottom-offset) instead of clipping them."""
    from alpr_gen.nvinfer.geometry import frame_filter

    name = "zidane.jpg"
    thr = [chain.conf[name]] * NC
    res = harness.bbox(FN, [Layer(chain.raw[name])], num_classes=NC, pre_thresholds=thr)
    attrs = [ClassAttrs(pre_cluster_threshold=chain.conf[name], nms_iou_threshold=chain.iou)] * NC
    dets = cluster(res.dets, ClusterMode.NMS, attrs)
    g, (h, w) = chain.geo[name], chain.frames[name].shape[:2]
    nvinfer = boxes_to_frame(dets, g)
    below = nvinfer[:, 1] + nvinfer[:, 3] > h
    assert below.sum() >= 1
    attached = frame_filter(nvinfer, lambda _c: ClassAttrs(), (w, h))
    np.testing.assert_array_equal(attached, nvinfer[~below])
    # with crop-objects-to-roi-boundary=1 nvinfer keeps them, cropped to the frame
    cropped = frame_filter(
        nvinfer, lambda _c: ClassAttrs(), (w, h), crop_objects_to_roi_boundary=True
    )
    assert len(cropped) == len(nvinfer) and np.all(cropped[:, 1] + cropped[:, 3] <= h)
