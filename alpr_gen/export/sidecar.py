"""labels.txt and the sidecar JSON written next to the ONNX, and hashing helpers.

The sidecar records what the ONNX is (head, layout, input size, classes, opset, tool versions,
hashes) so that `validate`, the parser build and a later export can check it without opening the
graph, and so that re-running the same export is recognised as a no-op.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from alpr_gen.export.request import PAD_FILL_LEVEL, ExportRequest
from alpr_gen.fsutil import read_bounded, sha256_file

SIDECAR_FORMAT = 1


def labels_text(names: tuple[str, ...]) -> str:
    """One class name per line, in class-index order (nvinfer's labelfile-path)."""
    return "".join(f"{name}\n" for name in names)


def export_params(req: ExportRequest) -> dict[str, Any]:
    """The request fields that change the ONNX bytes; equal params + equal weights = same ONNX."""
    params: dict[str, Any] = {
        "imgsz": req.imgsz,
        "batch": "dynamic" if req.dynamic else req.batch,
        "head": req.head,
        "opset": req.resolved_opset,
        "pad_fill": req.pad_fill,
    }
    if req.head == "end2end":
        params.update(topk=req.topk, conf=req.conf, iou=req.iou)
    return params


def tool_versions() -> dict[str, str]:
    import onnx
    import torch
    import ultralytics

    from alpr_gen import __version__

    return {
        "alpr_gen": __version__,
        "ultralytics": ultralytics.__version__,
        "torch": torch.__version__,
        "onnx": onnx.__version__,
    }


def build_sidecar(
    req: ExportRequest,
    *,
    weights_sha256: str,
    onnx_sha256: str,
    names: tuple[str, ...],
    output_shape: tuple[int | str, ...],
    versions: dict[str, str],
) -> dict[str, Any]:
    rows = output_shape[1] if len(output_shape) == 3 else None
    return {
        "format": SIDECAR_FORMAT,
        "weights": {"path": str(req.weights), "sha256": weights_sha256},
        "onnx": {"path": req.onnx_relpath, "sha256": onnx_sha256},
        "params": export_params(req),
        "input": {
            "name": "images",
            "shape": ["batch" if req.dynamic else req.batch, 3, req.imgsz, req.imgsz],
            "color": "RGB",
            "scale": 1 / 255,
            "letterbox": "maintain-aspect-ratio=1, symmetric-padding=1",
            # In-graph: nvinfer's zero padding -> 114/255, boxes clipped to the image.
            "pad_fill": PAD_FILL_LEVEL if req.pad_fill else None,
        },
        "output": {
            "name": "boxes",
            "shape": ["batch" if req.dynamic else req.batch, rows, 6],
            "row": ["x1", "y1", "x2", "y2", "score", "class"],
            "units": "network-input pixels",
            "cluster_mode": 4 if req.head == "end2end" else 2,
        },
        "head": req.head,
        "classes": list(names),
        "num_classes": len(names),
        "opset": req.resolved_opset,
        "versions": versions,
    }


def read_sidecar(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(read_bounded(path, 1024 * 1024))  # a FIFO or /dev/zero: not a sidecar
    except (OSError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) and data.get("format") == SIDECAR_FORMAT else None


def sidecar_matches(
    sidecar: dict[str, Any] | None, req: ExportRequest, weights_sha256: str, onnx_path: Path
) -> bool:
    """True when `onnx_path` is what this request would write again (same weights and params)."""
    if not sidecar or not onnx_path.is_file():
        return False
    try:
        return (
            sidecar["weights"]["sha256"] == weights_sha256
            and sidecar["params"] == json.loads(json.dumps(export_params(req)))
            and sidecar["onnx"]["sha256"] == sha256_file(onnx_path)
        )
    except (KeyError, TypeError):
        return False
