"""`alpr-gen export`: YOLO11 .pt -> ONNX with a DeepStream-ready head -> TensorRT engine.

Importing this package is cheap (standard library only); torch, onnx and tensorrt are imported
inside the functions that need them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from alpr_gen.export.request import ExportRequest, ExportResult, check_request

if TYPE_CHECKING:
    from alpr_gen.export.progress import Reporter

__all__ = ["ExportRequest", "ExportResult", "check_request", "export_model"]


def export_model(req: ExportRequest, reporter: Reporter | None = None) -> ExportResult:
    """Run one export (see `alpr_gen.export.pipeline`)."""
    from alpr_gen.export.pipeline import export_model as run

    return run(req, reporter)
