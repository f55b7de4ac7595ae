"""An FP16 copy of an ONNX graph, for TensorRT's strongly typed builds (TensorRT 11).

A strongly typed network runs each tensor in the type the ONNX gives it, so "fp16" means an ONNX
whose weights and activations are float16. The conversion is onnxruntime's own converter
(`onnxruntime.transformers.float16`, shipped with onnxruntime, which the export already needs):

- inputs and outputs stay float32 (`keep_io_types`): nvinfer feeds float32 and the parsers read
  the same output layout as before;
- the converter's block list keeps NonMaxSuppression, TopK, Range, CumSum, Min/Max and RoiAlign in
  float32 behind Cast nodes: ONNX's NonMaxSuppression takes float32 only, and TopK/NMS scores keep
  their order exactly;
- values beyond float16's range are clamped to +-65504 (the converter's default).

The converter appends its Cast nodes at the end of the node list; the result is re-sorted so it is
a valid ONNX (`onnx.checker` requires topological order) and not only one TensorRT tolerates.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from alpr_gen.errors import ExportError

if TYPE_CHECKING:
    from onnx import ModelProto, NodeProto


def convert_to_fp16(src: Path, dst: Path) -> None:
    """Write an FP16 copy of the ONNX `src` to `dst` (float32 inputs and outputs kept)."""
    try:
        import onnx
        from onnxruntime.transformers.float16 import convert_float_to_float16
    except ImportError as e:
        raise ExportError(
            f"converting {src.name} to FP16 for a strongly typed TensorRT build needs onnx and "
            f"onnxruntime ({e.name} is missing)",
            hint="pip install 'alpr-gen[export]'",
        ) from e
    model = onnx.load(str(src))
    converted: ModelProto = convert_float_to_float16(model, keep_io_types=True)
    sort_nodes(converted)
    try:
        onnx.checker.check_model(converted)
    except onnx.checker.ValidationError as e:
        raise ExportError(f"the FP16 copy of {src.name} is not a valid ONNX: {e}") from e
    onnx.save(converted, str(dst))


def sort_nodes(model: ModelProto) -> None:
    """Order the graph's nodes so each comes after the producers of its inputs (stable)."""
    graph = model.graph
    ready = {i.name for i in graph.input} | {t.name for t in graph.initializer} | {""}
    pending: list[NodeProto] = list(graph.node)
    ordered: list[NodeProto] = []
    while pending:
        rest = []
        for node in pending:
            if all(name in ready for name in node.input):
                ordered.append(node)
                ready.update(node.output)
            else:
                rest.append(node)
        if len(rest) == len(pending):  # a cycle or a dangling input: leave the rest as it was
            ordered.extend(rest)
            break
        pending = rest
    del graph.node[:]
    graph.node.extend(ordered)
