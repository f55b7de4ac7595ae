"""Two-line plates under a one-line recogniser, inside the graph.

PP-OCR reads one text line, and nvinfer hands the SGIE the whole plate crop, so a two-line plate
(motorcycles, many EU, Asian and Latin-American plates) comes out as a partial or garbled read.
`add_two_line` rewrites the exported recogniser so that it reads both:

- **Candidates** (after PaddleOCR's padding stage, alpr_gen.ocr.padding, so the padding is 0.0
  and each crop's content width is known): the full input, its top half (rows 0..H/2) and its
  bottom half (rows H/2..H), each half scaled x2 (bilinear, half-pixel centres, as cv2.resize)
  and cut back to HxW with PaddleOCR's zero padding after the scaled content. The recogniser
  runs once on the batch [full; top; bottom] (3B crops).
- **Choice, per crop**: the two halves are taken when the content is not wide (content width /
  content height <= `MAX_ASPECT`; an EU one-line plate is ~4.7:1, a two-line one <= ~2:1), each
  half emits at least `MIN_LINE_CHARS` characters (greedy CTC: a non-blank class that is not a
  repeat), and the lower of the halves' mean character scores beats the full crop's mean
  character score. US one-line plates are 2:1 too: there the full crop reads with the better
  confidence (docs/ocr.md gives the measurements behind these rules).
- **Output**, one static shape for both: `[T full, T + 1 blanks]` for a one-line crop or
  `[T top, 1 blank, T bottom]` for a two-line one (2T + 1 steps). The blank keeps the last
  character of the top line and the first of the bottom one apart, and blanks never count in
  the parser's confidence, so NvDsInferParseAlprOcr decodes it unchanged and a one-line crop's
  plate and confidence are exactly what the one-line graph gives.

Operators: Slice, Resize (constant scales), Greater, Where, Concat, Reshape, Gather, ArgMax,
ReduceMax, ReduceSum, Equal, Not, And, Cast, Mul, Add, Div, Max, Min, LessOrEqual, Tile (the
probabilities form only); static shapes apart from the batch axis (TensorRT 8.5+ imports them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from alpr_gen.errors import ExportError
from alpr_gen.ocr.padding import CONTENT_COLS, CONTENT_ROWS, PADDED_INPUT
from alpr_gen.ocr.presets import ARGMAX_INDICES_OUTPUT, ARGMAX_SCORES_OUTPUT

if TYPE_CHECKING:
    import onnx

PREFIX = "alpr_two_line"
# A crop is a two-line candidate only when its content is at most this wide (width / height):
# generated two-line plates measure 1.25-2.0 in the SGIE's input, EU one-line 3.5-4.5,
# Mercosur 2.25-2.9, dark 2.4-3.3, US 1.5-1.9 (confidence decides those).
MAX_ASPECT = 2.2
# Characters each half must emit: 1 lets a US plate's state name become a "top line" more often,
# and plate lines hold at least 2 characters.
MIN_LINE_CHARS = 2


@dataclass(frozen=True)
class TwoLineRecord:
    """What the sidecar records about the stage."""

    line_steps: int
    split_row: int
    max_aspect: float = MAX_ASPECT
    min_line_chars: int = MIN_LINE_CHARS
    outputs: dict[str, list[int]] = field(default_factory=dict)

    @property
    def steps(self) -> int:
        return 2 * self.line_steps + 1

    def describe(self, height: int) -> str:
        return (
            f"two-line plates: the recogniser also reads the top and bottom halves (rows "
            f"0..{self.split_row}, {self.split_row}..{height}, scaled x2) and outputs "
            f"{self.steps} steps: the {self.line_steps} of the full crop + blanks, or top + "
            "blank + bottom (alpr_gen.ocr.two_line)"
        )

    def sidecar(self) -> dict[str, int | float]:
        return {
            "line_steps": self.line_steps,
            "split_row": self.split_row,
            "max_aspect": self.max_aspect,
            "min_line_chars": self.min_line_chars,
        }


def two_line_wanted(kind: str, preset_default: bool, padded: bool, asked: bool | None) -> bool:
    """Whether an export gets the stage: `asked` (--two-line/--no-two-line) or the preset's
    default; it needs PaddleOCR's padding stage (`padded`)."""
    if asked is None:
        return preset_default and padded
    if asked and not padded:
        raise ExportError(
            f"--kind {kind}: the two-line stage needs PaddleOCR's padding in the graph "
            "(PP-OCR presets); this export has none",
            hint="drop --two-line",
        )
    return asked


@dataclass
class _Builder:
    """Nodes and constants under PREFIX, appended to a graph."""

    model: onnx.ModelProto
    nodes: list[onnx.NodeProto] = field(default_factory=list)
    count: int = 0

    @property
    def opset(self) -> int:
        ops = self.model.opset_import
        return next((o.version for o in ops if o.domain in ("", "ai.onnx")), 0)

    def const(self, value: np.ndarray, hint: str) -> str:
        from onnx import numpy_helper

        name = self.fresh(hint)
        self.model.graph.initializer.append(numpy_helper.from_array(value, name))
        return name

    def fresh(self, hint: str) -> str:
        self.count += 1
        return f"{PREFIX}_{hint}_{self.count}"

    def op(self, op_type: str, inputs: list[str], hint: str, **attrs: object) -> str:
        from onnx import helper

        out = self.fresh(hint)
        node = helper.make_node(op_type, inputs, [out])
        node.attribute.extend(helper.make_attribute(k, v) for k, v in attrs.items())
        self.nodes.append(node)
        return out

    def reduce(self, op_type: str, src: str, axis: int, hint: str, keepdims: int = 1) -> str:
        """ReduceMax/ReduceSum over one axis (axes moved to an input: Sum at opset 13, Max
        at 18)."""
        if self.opset >= (13 if op_type == "ReduceSum" else 18):
            axes = self.const(np.array([axis], np.int64), "axes")
            return self.op(op_type, [src, axes], hint, keepdims=keepdims)
        return self.op(op_type, [src], hint, axes=[axis], keepdims=keepdims)

    def unsqueeze(self, src: str, axis: int, hint: str) -> str:
        if self.opset >= 13:
            return self.op("Unsqueeze", [src, self.const(np.array([axis], np.int64), "ax")], hint)
        return self.op("Unsqueeze", [src], hint, axes=[axis])

    def slice(self, src: str, axis: int, start: int, end: int, hint: str) -> str:
        ints = [self.const(np.array([v], np.int64), hint) for v in (start, end, axis)]
        return self.op("Slice", [src, *ints], hint)


def add_two_line(
    model: onnx.ModelProto,
    *,
    height: int,
    width: int,
    steps: int,
    classes: int,
    blank: int,
    probs: str | None,
    indices: str | None = None,
    scores: str | None = None,
    argmax: bool = True,
) -> TwoLineRecord:
    """Rewrite `model` in place (see the module docstring) and set its outputs.

    The padding stage must already be in the graph. `probs` names the [3B, T, C] probabilities
    (then `argmax` picks the indices + scores form or the probabilities form); without them,
    `indices`/`scores` name a model's own [3B, T] ArgMax/Max outputs (indices form only).
    """
    from onnx import TensorProto, helper

    graph = model.graph
    produced = {out for node in graph.node for out in node.output}
    if PADDED_INPUT not in produced or CONTENT_COLS not in produced:
        raise ExportError("the two-line stage needs PaddleOCR's padding stage in the graph")
    if height % 2 or width % 2:
        raise ExportError(
            f"--height {height} --width {width}: the two-line stage needs an even input size",
            hint="use an even --height/--width, or --no-two-line",
        )
    b = _Builder(model)
    _candidates(b, height, width)
    # The recogniser now reads the [full; top; bottom] batch instead of the padded input.
    batch = f"{PREFIX}_batch"
    for node in graph.node:
        node.input[:] = [batch if name == PADDED_INPUT else name for name in node.input]
    b.nodes[-1].output[0] = batch
    first_reader = next(i for i, n in enumerate(graph.node) if PADDED_INPUT in n.output) + 1
    for offset, node in enumerate(b.nodes):
        graph.node.insert(first_reader + offset, node)
    b.nodes = []

    if probs is not None:
        probs = _rename_output(graph, probs, f"{probs}_candidates")
        idx_all = b.op("Cast", [b.op("ArgMax", [probs], "argmax", axis=2, keepdims=0)], "idx",
                       to=TensorProto.INT32)  # fmt: skip
        # The same ops as the one-line graph's head (graph_outputs.append_argmax): same values.
        sc_all = b.reduce("ReduceMax", probs, 2, "score", keepdims=0)
    elif indices is not None and scores is not None:
        idx_all = b.op("Cast", [indices], "idx", to=TensorProto.INT32)
        sc_all = scores
    else:
        raise ExportError("the two-line stage needs the probabilities or indices + scores")
    by_line = b.const(np.array([3, -1, steps], np.int64), "shape")
    idx3 = b.op("Reshape", [idx_all, by_line], "idx3")
    sc3 = b.op("Reshape", [sc_all, by_line], "sc3")
    two = _choose_two_lines(b, idx3, sc3, steps, blank)

    def pick(src: str, k: int) -> str:
        return b.op("Gather", [src, b.const(np.array(k, np.int64), "k")], "pick", axis=0)

    idx = [pick(idx3, k) for k in range(3)]  # full, top, bottom: [B, T] each
    sc = [pick(sc3, k) for k in range(3)]
    # [B, 1] zeros from the data (the batch axis is dynamic; no Shape/Expand needed).
    zero = b.op("Mul", [b.slice(idx[0], 1, 0, 1, "col"), b.const(np.array(0, np.int32), "z")],
                "zero")  # fmt: skip
    fzero = b.op("Cast", [zero], "fzero", to=TensorProto.FLOAT)
    outputs: dict[str, list[int]]
    types: tuple[int, ...]
    if probs is None or argmax:
        blank_col = b.op("Add", [zero, b.const(np.full((1, 1), blank, np.int32), "b")], "sep")
        pad = b.op("Add", [zero, b.const(np.full((1, steps + 1), blank, np.int32), "b")], "pad")
        one_col = b.op("Add", [fzero, b.const(np.ones((1, 1), np.float32), "one")], "sep_s")
        pad_s = b.op("Add", [fzero, b.const(np.ones((1, steps + 1), np.float32), "one")], "pad_s")
        names = (ARGMAX_INDICES_OUTPUT, ARGMAX_SCORES_OUTPUT)
        for out, (full, top, bottom), (sep, rest) in zip(
            names, (idx, sc), ((blank_col, pad), (one_col, pad_s)), strict=True
        ):
            one_line = b.op("Concat", [full, rest], "one_line", axis=1)
            two_lines = b.op("Concat", [top, sep, bottom], "two_lines", axis=1)
            b.nodes.append(helper.make_node("Where", [two, two_lines, one_line], [out]))
        outputs = {names[0]: [2 * steps + 1], names[1]: [2 * steps + 1]}
        types = (TensorProto.INT32, TensorProto.FLOAT)
    else:
        p3 = b.op("Reshape", [probs, b.const(np.array([3, -1, steps, classes], np.int64), "s")],
                  "p3")  # fmt: skip
        full, top, bottom = (pick(p3, k) for k in range(3))
        onehot = np.zeros((1, 1, classes), np.float32)
        onehot[0, 0, blank] = 1.0
        fzero3 = b.unsqueeze(fzero, 2, "fzero3")
        sep = b.op("Add", [fzero3, b.const(onehot, "onehot")], "sep_p")
        pad = b.op("Tile", [sep, b.const(np.array([1, steps + 1, 1], np.int64), "r")], "pad_p")
        one_line = b.op("Concat", [full, pad], "one_line", axis=1)
        two_lines = b.op("Concat", [top, sep, bottom], "two_lines", axis=1)
        two3 = b.unsqueeze(two, 2, "two3")
        name = probs.removesuffix("_candidates")
        b.nodes.append(helper.make_node("Where", [two3, two_lines, one_line], [name]))
        outputs = {name: [2 * steps + 1, classes]}
        types = (TensorProto.FLOAT,)
    graph.node.extend(b.nodes)
    del graph.output[:]
    for out_name, elem in zip(outputs, types, strict=True):
        graph.output.append(helper.make_tensor_value_info(out_name, elem, None))
    return TwoLineRecord(line_steps=steps, split_row=height // 2, outputs=outputs)


def _candidates(b: _Builder, height: int, width: int) -> None:
    """[full; top x2; bottom x2] of the padded input; the last node's output is renamed to the
    batch by the caller."""
    half_h, half_w = height // 2, width // 2
    cols = b.const(np.arange(1, width + 1, dtype=np.float32).reshape(1, 1, 1, width), "cols")
    # Content columns after scaling x2: 2 x the last content column (1-based).
    scaled_last = b.op("Mul", [CONTENT_COLS, b.const(np.array(2.0, np.float32), "two")], "last")
    beyond = b.op("Greater", [cols, scaled_last], "beyond")
    zero = b.const(np.array(0.0, np.float32), "zero")
    roi = b.const(np.zeros(0, np.float32), "roi")
    scales = b.const(np.array([1.0, 1.0, 2.0, 2.0], np.float32), "scales")
    halves = []
    for start in (0, half_h):
        # Only the left half of the columns can hold content that fits x2; rows start..+H/2.
        rows = b.slice(PADDED_INPUT, 2, start, start + half_h, "rows")
        part = b.slice(rows, 3, 0, half_w, "cols")
        up = b.op("Resize", [part, roi, scales], "up", mode="linear",
                  coordinate_transformation_mode="half_pixel")  # fmt: skip
        # Zero beyond the scaled content: the bilinear edge bleeds the content into the padding.
        halves.append(b.op("Where", [beyond, zero, up], "half"))
    b.op("Concat", [PADDED_INPUT, *halves], "batch", axis=0)


def _choose_two_lines(b: _Builder, idx3: str, sc3: str, steps: int, blank: int) -> str:
    """bool [B, 1]: read this crop as two lines (module docstring)."""
    from onnx import TensorProto

    blank_c = b.const(np.array(blank, np.int32), "blank")
    not_blank = b.op("Not", [b.op("Equal", [idx3, blank_c], "isblank")], "notblank")
    cur = b.slice(idx3, 2, 1, steps, "cur")
    prev = b.slice(idx3, 2, 0, steps - 1, "prev")
    changed = b.op("Not", [b.op("Equal", [cur, prev], "same")], "changed")
    first = b.slice(not_blank, 2, 0, 1, "first")
    new = b.op("Concat", [first, changed], "new", axis=2)
    emitted = b.op("Cast", [b.op("And", [not_blank, new], "emit_b")], "emit", to=TensorProto.FLOAT)
    n = b.reduce("ReduceSum", emitted, 2, "n")  # [3, B, 1]
    total = b.reduce("ReduceSum", b.op("Mul", [emitted, sc3], "emit_sc"), 2, "sum")
    one = b.const(np.array(1.0, np.float32), "one")
    mean = b.op("Div", [total, b.op("Max", [n, one], "n1")], "mean")

    def pick(src: str, k: int) -> str:
        return b.op("Gather", [src, b.const(np.array(k, np.int64), "k")], "pick", axis=0)

    n_top, n_bottom = pick(n, 1), pick(n, 2)
    lines = b.op("Min", [pick(mean, 1), pick(mean, 2)], "lines_mean")
    better = b.op("Greater", [lines, pick(mean, 0)], "better")
    min_chars = b.const(np.array(MIN_LINE_CHARS - 0.5, np.float32), "min_chars")
    enough = b.op("And", [b.op("Greater", [n_top, min_chars], "nt"),
                          b.op("Greater", [n_bottom, min_chars], "nb")], "enough")  # fmt: skip
    flat = b.const(np.array([-1, 1], np.int64), "flat")
    content_w = b.op("Reshape", [CONTENT_COLS, flat], "content_w")
    content_h = b.op("Reshape", [CONTENT_ROWS, flat], "content_h")
    limit = b.op("Mul", [content_h, b.const(np.array(MAX_ASPECT, np.float32), "aspect")], "lim")
    narrow = b.op("LessOrEqual", [content_w, limit], "narrow")
    return b.op("And", [narrow, b.op("And", [enough, better], "reads")], "two_lines_b")


def _rename_output(graph: onnx.GraphProto, old: str, new: str) -> str:
    """Rename the tensor `old` (an output) to `new` everywhere; the output list is rebuilt by
    the caller."""
    for node in graph.node:
        node.output[:] = [new if name == old else name for name in node.output]
        node.input[:] = [new if name == old else name for name in node.input]
    return new
