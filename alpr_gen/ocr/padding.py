"""PaddleOCR's padding under nvinfer, inside the recogniser's graph.

nvinfer scales a plate crop into a zeroed buffer (maintain-aspect-ratio=1, symmetric-padding=0:
the padding is on the right, and at the bottom for crops wider than the input's aspect) and then
computes `net-scale-factor * (x - offset)` on every pixel, padding included: with the PP-OCR
preset (offsets 127.5, scale 1/127.5) a padding pixel reaches the model as exactly -1.0
(float32(1/127.5) * -127.5 rounds to -1.0; nvdsinfer's conversion kernel computes
`scaleFactor * ((float) in - mean)` in float32), i.e. black. PaddleOCR's `resize_norm_img`
normalises first and pads with 0.0 afterwards, and PP-OCR was trained that way.

`add_paddle_padding` prepends a few nodes to the graph: the columns from the right (rows from the
bottom) in which every value of every channel equals the padding value are set to 0.0; all
other values pass through untouched. Only a trailing run counts, so black inside the plate is
never touched; a plate whose own last columns are pure black in every row is indistinguishable
from padding and gets 0.0 there too (as if PaddleOCR's crop had been a little narrower).
Operators: ReduceMax, LessOrEqual, Not, Cast, Mul, Greater, Or, Where (opset >= 12; TensorRT
imports them all).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from alpr_gen.errors import ExportError

if TYPE_CHECKING:
    import onnx

    from alpr_gen.ocr.presets import OcrPreset

PREFIX = "alpr_paddle_pad"
# Tensors later stages (alpr_gen.ocr.two_line) read: the input with the padding at 0.0, and the
# 1-based last content column / row of each crop, float [B, 1, 1, 1] (0 when all is padding).
PADDED_INPUT = f"{PREFIX}_input"
CONTENT_COLS = f"{PREFIX}_col_last"
CONTENT_ROWS = f"{PREFIX}_row_last"


def nvinfer_pad_value(preset: OcrPreset) -> float:
    """What a zero (padding) byte becomes after nvinfer's normalisation, in float32."""
    scale = np.float32(preset.net_scale_factor)
    return float(scale * (np.float32(0.0) - np.float32(preset.offsets[0])))


def add_paddle_padding(
    model: onnx.ModelProto, input_name: str, pad_value: float, height: int, width: int
) -> None:
    """Rewrite `model` in place so that nvinfer's padding (`pad_value`) becomes 0.0 before the
    first layer reads the input `input_name` [B, C, height, width]."""
    from onnx import TensorProto, helper, numpy_helper

    graph = model.graph
    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 0)
    if opset < 12:
        raise ExportError(f"opset {opset}: the padding fix needs opset >= 12 (LessOrEqual)")
    inner = PADDED_INPUT
    for node in graph.node:  # the model now reads the fixed tensor
        node.input[:] = [inner if name == input_name else name for name in node.input]

    def name(suffix: str) -> str:
        return f"{PREFIX}_{suffix}"

    inits = {
        name("pad"): np.array(pad_value, np.float32),
        name("zero"): np.array(0.0, np.float32),
        # 1-based positions: a max of position x "not padding" is the last non-padding index.
        name("cols"): np.arange(1, width + 1, dtype=np.float32).reshape(1, 1, 1, width),
        name("rows"): np.arange(1, height + 1, dtype=np.float32).reshape(1, 1, height, 1),
    }
    for key, value in inits.items():
        graph.initializer.append(numpy_helper.from_array(value, key))
    nodes = []

    def reduce_max(src: str, axes: list[int], out: str) -> None:
        if opset >= 18:
            ax = name(f"axes_{out}")
            graph.initializer.append(numpy_helper.from_array(np.array(axes, np.int64), ax))
            nodes.append(helper.make_node("ReduceMax", [src, ax], [out], keepdims=1))
        else:
            nodes.append(helper.make_node("ReduceMax", [src], [out], axes=axes, keepdims=1))

    # Columns: max over channels and rows [B, 1, 1, W], then the last kept one over W (axis 3);
    # rows: over channels and columns [B, 1, H, 1], then over H (axis 2).
    for axis, axes, along, idx in (("col", [1, 2], 3, "cols"), ("row", [1, 3], 2, "rows")):
        reduce_max(input_name, axes, name(f"{axis}_max"))
        nodes += [
            helper.make_node(
                "LessOrEqual", [name(f"{axis}_max"), name("pad")], [name(f"{axis}_p")]
            ),
            helper.make_node("Not", [name(f"{axis}_p")], [name(f"{axis}_kept_b")]),
            helper.make_node(
                "Cast", [name(f"{axis}_kept_b")], [name(f"{axis}_kept")], to=TensorProto.FLOAT
            ),
            helper.make_node("Mul", [name(f"{axis}_kept"), name(idx)], [name(f"{axis}_pos")]),
        ]
        reduce_max(name(f"{axis}_pos"), [along], name(f"{axis}_last"))
        nodes.append(
            helper.make_node("Greater", [name(idx), name(f"{axis}_last")], [name(f"{axis}_pad")])
        )
    nodes += [
        helper.make_node("Or", [name("col_pad"), name("row_pad")], [name("mask")]),
        helper.make_node("Where", [name("mask"), name("zero"), input_name], [inner]),
    ]
    # Before the first layer, so that the graph stays topologically sorted.
    rest = list(graph.node)
    del graph.node[:]
    graph.node.extend([*nodes, *rest])
