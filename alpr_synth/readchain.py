"""Detector + recogniser on the CPU with onnxruntime: the reference chain for the demo model.

``PlateDetector`` runs an Ultralytics YOLO11 ONNX export (raw head, output [1, 4+nc, anchors]),
``PlateReader`` runs the PP-OCRv4 recogniser that rapidocr-onnxruntime ships, with greedy CTC
decoding restricted to the plate alphabet (A-Z, 0-9). This is a Python stand-in for what the
DeepStream pipeline does with nvinfer + the custom parsers; it exists to measure the demo model.
The letterbox is Ultralytics' (grey 114, the model's training preprocessing); the NMS is nvinfer's
(alpr_gen.nvinfer.cluster).
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from alpr_synth import PLATE_CLASS_ID

PLATE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


@dataclass(frozen=True)
class Detection:
    cls: int
    score: float
    xyxy: tuple[float, float, float, float]  # pixels of the input image


@dataclass(frozen=True)
class PlateRead:
    box: Detection
    text: str
    confidence: float


def _session(path: Path):  # onnxruntime imported lazily
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    opts.intra_op_num_threads = int(os.environ.get("ALPR_ORT_THREADS", "1"))  # small batches
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def letterbox(img: np.ndarray, size: int) -> tuple[np.ndarray, float, tuple[int, int]]:
    """Resize keeping aspect, pad to size x size with grey 114 (as Ultralytics does)."""
    h, w = img.shape[:2]
    r = min(size / h, size / w)
    nw, nh = round(w * r), round(h * r)
    out = np.full((size, size, 3), 114, np.uint8)
    px, py = (size - nw) // 2, (size - nh) // 2
    out[py : py + nh, px : px + nw] = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_LINEAR)
    return out, r, (px, py)


class PlateDetector:
    """YOLO11 ONNX (Ultralytics export, raw head) on RGB images."""

    def __init__(self, onnx_path: Path, conf: float = 0.25, iou: float = 0.5) -> None:
        self.session = _session(onnx_path)
        inp = self.session.get_inputs()[0]
        self.input_name = inp.name
        self.size = int(inp.shape[2]) if isinstance(inp.shape[2], int) else 640
        self.conf, self.iou = conf, iou

    def __call__(self, rgb: np.ndarray) -> list[Detection]:
        from alpr_gen.deepstream.facts import ClusterMode
        from alpr_gen.nvinfer.cluster import cluster
        from alpr_gen.nvinfer.settings import ClassAttrs

        boxed, r, (px, py) = letterbox(rgb, self.size)
        x = boxed.transpose(2, 0, 1)[None].astype(np.float32) / 255.0
        pred = self.session.run(None, {self.input_name: x})[0][0]  # [4+nc, A]
        scores = pred[4:]
        cls = scores.argmax(axis=0)
        best = scores.max(axis=0)
        keep = best >= self.conf
        if not keep.any():
            return []
        cx, cy, bw, bh = pred[:4, keep]
        rows = np.stack(
            [cx - bw / 2, cy - bh / 2, bw, bh, best[keep], cls[keep].astype(np.float32)], axis=1
        ).astype(np.float32)
        # Per-class NMS in network pixels, as nvinfer's cluster-mode=2 does it.
        attrs = [ClassAttrs(pre_cluster_threshold=self.conf, nms_iou_threshold=self.iou)]
        kept = cluster(rows, ClusterMode.NMS, attrs * scores.shape[0])
        h, w = rgb.shape[:2]
        out = []
        for left, top, bw_, bh_, score, c in kept:
            x0, y0 = (left - px) / r, (top - py) / r
            x1, y1 = x0 + bw_ / r, y0 + bh_ / r
            box = (
                max(0.0, float(x0)), max(0.0, float(y0)), min(float(w), float(x1)),
                min(float(h), float(y1)),
            )  # fmt: skip
            out.append(Detection(int(c), float(score), box))
        return sorted(out, key=lambda d: -d.score)


def ppocr_rec_model() -> Path:
    """The PP-OCRv4 recogniser ONNX inside the installed rapidocr-onnxruntime package."""
    spec = importlib.util.find_spec("rapidocr_onnxruntime")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("rapidocr-onnxruntime is not installed (pip install alpr-gen[ocr])")
    path = Path(spec.origin).parent / "models" / "ch_PP-OCRv4_rec_infer.onnx"
    if not path.is_file():
        raise FileNotFoundError(f"{path} missing from rapidocr-onnxruntime")
    return path


class PlateReader:
    """PP-OCRv4 line recogniser, CTC decoded over blank + PLATE_ALPHABET only."""

    height = 48

    def __init__(self, onnx_path: Path | None = None) -> None:
        self.session = _session(onnx_path or ppocr_rec_model())
        meta = self.session.get_modelmeta().custom_metadata_map
        chars = ["<blank>", *meta["character"].splitlines(), " "]
        self.allowed = np.array([0] + [chars.index(c) for c in PLATE_ALPHABET], dtype=np.int64)
        self.labels = ["", *PLATE_ALPHABET]
        self.input_name = self.session.get_inputs()[0].name

    def _prep(self, rgb: np.ndarray, width: int) -> np.ndarray:
        h, w = rgb.shape[:2]
        nw = min(width, max(1, int(np.ceil(self.height * w / h))))
        img = cv2.resize(rgb[..., ::-1], (nw, self.height)).astype(np.float32)  # model wants BGR
        img = (img.transpose(2, 0, 1) / 255.0 - 0.5) / 0.5
        out = np.zeros((3, self.height, width), np.float32)
        out[:, :, :nw] = img
        return out

    def read_lines(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        """Text and confidence (mean of the kept characters' probabilities) of each crop."""
        if not crops:
            return []
        ratio = max(320 / 48, *(c.shape[1] / max(1, c.shape[0]) for c in crops))
        width = int(self.height * ratio)
        batch = np.stack([self._prep(c, width) for c in crops])
        probs = self.session.run(None, {self.input_name: batch})[0][:, :, self.allowed]
        out = []
        for p in probs:
            idx, conf = p.argmax(axis=1), p.max(axis=1)
            chars, scores, prev = [], [], 0
            for i, s in zip(idx, conf, strict=True):
                if i != 0 and i != prev:
                    chars.append(self.labels[i])
                    scores.append(float(s))
                prev = i
            out.append(("".join(chars), float(np.mean(scores)) if scores else 0.0))
        return out

    def read_plate(self, crop: np.ndarray) -> tuple[str, float]:
        """Read a plate crop; the most confident of a few line layouts wins.

        Wide crops are one line. Squarish crops may be two lines (read each half, join; also
        without a country band on the left) or one line under a small header such as a US state
        name (read the lower three quarters).
        """
        h, w = crop.shape[:2]
        whole = self.read_lines([crop])[0]
        if w / max(1, h) >= 2.6 or h < 16:
            return whole
        top, bottom = crop[: h // 2], crop[h // 2 :]
        band = w // 7
        (t1, c1), (t2, c2), (b1, d1), (b2, d2), lower = self.read_lines(
            [top, bottom, top[:, band:], bottom[:, band:], crop[h // 4 :]]
        )
        candidates = [whole, (t1 + t2, min(c1, c2)), (b1 + b2, min(d1, d2)), lower]
        return max(candidates, key=lambda c: c[1])


def crop_box(rgb: np.ndarray, xyxy: tuple[float, float, float, float], pad: float = 0.06):
    x0, y0, x1, y1 = xyxy
    px, py = (x1 - x0) * pad, (y1 - y0) * pad
    h, w = rgb.shape[:2]
    a, b = int(max(0, x0 - px)), int(max(0, y0 - py))
    c, d = int(min(w, x1 + px + 1)), int(min(h, y1 + py + 1))
    return rgb[b:d, a:c]


def read_plates(rgb: np.ndarray, detector: PlateDetector, reader: PlateReader) -> list[PlateRead]:
    """Detect, keep plates, read each."""
    reads = []
    for det in detector(rgb):
        if det.cls != PLATE_CLASS_ID:
            continue
        crop = crop_box(rgb, det.xyxy)
        if crop.shape[0] < 4 or crop.shape[1] < 8:
            continue
        text, conf = reader.read_plate(crop)
        reads.append(PlateRead(det, text, conf))
    return reads


def iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0
