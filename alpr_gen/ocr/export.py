"""`export-ocr`: make a CTC text recogniser ready for an nvinfer classifier SGIE.

What nvinfer needs and the source models lack:
- a fixed 3xHxW input with only the batch axis dynamic (PP-OCR's H and W are dynamic);
- [B, T, C] probabilities (a softmax is appended when the graph ends in logits, and [B, C, T]
  outputs are transposed);
- optionally ArgMax/ReduceMax over C in the graph, so the host copies 2*T values per plate
  instead of T*C (PP-OCRv4: 40 x 6625 floats = 1 MiB per plate);
- the dictionary as a file (PP-OCR keeps it in the model's `character` metadata);
- the preprocessing, recorded in a sidecar JSON that the SGIE config is rendered from.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alpr_gen.errors import ExportError
from alpr_gen.fsutil import sha256_file
from alpr_gen.ocr import dictionary as dct
from alpr_gen.ocr.files import write_all
from alpr_gen.ocr.padding import add_paddle_padding, nvinfer_pad_value
from alpr_gen.ocr.presets import (
    ARGMAX_INDICES_OUTPUT,
    ARGMAX_SCORES_OUTPUT,
    BLANK_LAST,
    OCR_PRESETS,
    OcrPreset,
)
from alpr_gen.ocr.two_line import TwoLineRecord, add_two_line, two_line_wanted

if TYPE_CHECKING:
    import onnx

ONNX_NAME = "ocr_rec.onnx"
DICT_NAME = "ocr_dict.txt"
SIDECAR_NAME = "ocr_rec.json"
PROBS_OUTPUT = "ocr_probs"
BATCH_DIM = "batch"


@dataclass(frozen=True)
class OcrExportRequest:
    """What to export. `model=None` means rapidocr's bundled PP-OCRv4 recogniser (kind ppocr)."""

    model: Path | None = None
    kind: str = "ppocr"
    dict_file: Path | None = None
    height: int | None = None
    width: int | None = None
    argmax: bool = True
    out_dir: Path = Path("models")
    # Where a bundle's configs want the files (sgie onnx-file, ocr_parser.cfg dictionary);
    # default: ocr_rec.onnx and ocr_dict.txt in out_dir. The sidecar goes next to the ONNX.
    # Presets with paddle_padding (PP-OCR): nvinfer's padding set to PaddleOCR's 0.0 in the graph.
    paddle_padding: bool = True
    # Presets with two_line (PP-OCR): read two-line plates too (alpr_gen.ocr.two_line); None =
    # the preset's default. Needs paddle_padding.
    two_line: bool | None = None
    onnx_path: Path | None = None
    dict_path: Path | None = None

    @property
    def onnx_target(self) -> Path:
        return self.onnx_path or self.out_dir / ONNX_NAME

    @property
    def dict_target(self) -> Path:
        return self.dict_path or self.out_dir / DICT_NAME

    @property
    def sidecar_target(self) -> Path:
        return self.onnx_target.with_suffix(".json")


@dataclass(frozen=True)
class OcrExportResult:
    onnx_path: Path
    dict_path: Path
    sidecar_path: Path
    sidecar: dict[str, Any] = field(default_factory=dict)


def bundled_ppocr_model() -> Path:
    """rapidocr-onnxruntime's PP-OCRv4 rec model, located without importing rapidocr (cv2)."""
    spec = importlib.util.find_spec("rapidocr_onnxruntime")
    if spec is None or not spec.submodule_search_locations:
        raise ExportError(
            "no --model given and rapidocr-onnxruntime is not installed",
            hint="pip install 'alpr-gen[ocr]', or pass --model path/to/rec.onnx",
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "models/ch_PP-OCRv4_rec_infer.onnx"
    if not path.is_file():
        raise ExportError(f"{path}: rapidocr's PP-OCRv4 recogniser is missing from its package")
    return path


def export_ocr(req: OcrExportRequest) -> OcrExportResult:
    """Write the ONNX, the dictionary and a JSON record of the export (default `ocr_rec.onnx`,
    `ocr_dict.txt`, `ocr_rec.json` in `req.out_dir`; a bundle's paths when the request names
    them)."""
    import onnx

    if req.kind not in OCR_PRESETS:
        raise ExportError(f"--kind {req.kind!r}: unknown; use one of {', '.join(OCR_PRESETS)}")
    preset = OCR_PRESETS[req.kind]
    height = req.height or preset.height
    width = req.width or preset.width
    if height <= 0 or width <= 0:
        raise ExportError(f"--height {height} --width {width}: both must be positive")
    if req.model is None and req.kind != "ppocr":
        raise ExportError(f"--kind {req.kind} needs --model (only ppocr has a bundled model)")
    src = req.model or bundled_ppocr_model()
    try:
        model = onnx.load(str(src))
    except Exception as exc:  # onnx raises DecodeError, OSError, ValidationError...
        raise ExportError(f"{src}: cannot load the ONNX model: {exc}") from None

    entries = _dictionary_for(req, preset, model, src)
    graph = model.graph
    inp = _single_input(graph, src)
    _fix_input(inp, preset.channels, height, width, src)
    two_line = two_line_wanted(
        req.kind, preset.two_line, preset.paddle_padding and req.paddle_padding, req.two_line
    )
    padding = "nvinfer"
    if preset.paddle_padding and req.paddle_padding:
        pad_value = nvinfer_pad_value(preset)
        add_paddle_padding(model, inp.name, pad_value, height, width)
        padding = f"paddleocr: trailing columns/rows equal to {pad_value} set to 0.0 in the graph"
    # Drop stale intermediate shapes (they name the old dynamic dims) before inferring again.
    del graph.value_info[:]
    chw = (preset.channels, height, width)
    pre_argmaxed = _argmax_outputs(model)
    if pre_argmaxed is not None:
        # NVIDIA's LPRNet and similar ONNX models already end in ArgMax/Max: keep their heads.
        if not req.argmax:
            raise ExportError(
                f"{src}: the model already ends in ArgMax/Max; its probabilities are gone",
                hint="drop --no-argmax",
            )
        probs = ""
        steps, classes = _probe_steps(model, pre_argmaxed[0], chw, src), len(entries) + 1
        changes = ["model already outputs indices + scores; C taken from the dictionary"]
    else:
        probs, steps, classes, changes = _normalise_output(model, len(entries), chw, src)
    if padding != "nvinfer":
        changes.insert(0, "input: nvinfer's padding set to PaddleOCR's 0.0 (alpr_gen.ocr.padding)")

    blank = preset.blank_index if preset.blank_index != BLANK_LAST else classes - 1
    space_added = False
    if classes == len(entries) + 2 and req.kind == "ppocr":
        # PaddleOCR's use_space_char: the space is the class after the listed characters.
        entries = [*entries, " "]
        space_added = True
    if classes != len(entries) + 1:
        raise ExportError(
            f"{src}: the model has {classes} classes but the dictionary lists {len(entries)} "
            f"characters (+1 blank = {len(entries) + 1})",
            hint="pass the dictionary the model was trained with (--dict)",
        )

    lines: TwoLineRecord | None = None
    if two_line:
        lines = add_two_line(
            model,
            height=height,
            width=width,
            steps=steps,
            classes=classes,
            blank=blank,
            probs=probs or None,
            indices=pre_argmaxed[0] if pre_argmaxed else None,
            scores=pre_argmaxed[1] if pre_argmaxed else None,
            argmax=req.argmax,
        )
        shapes = lines.outputs
        changes.append(lines.describe(height))
    elif pre_argmaxed is not None:
        indices, scores = _int32_indices(model, *pre_argmaxed)
        shapes = {indices: [steps], scores: [steps]}
    elif req.argmax:
        _append_argmax(model, probs)
        shapes = {ARGMAX_INDICES_OUTPUT: [steps], ARGMAX_SCORES_OUTPUT: [steps]}
    else:
        shapes = {probs: [steps, classes]}
    outputs = list(shapes)
    _set_output_shapes(model, shapes)
    onnx.checker.check_model(model)
    _check_runs(model, shapes, chw, src)

    sidecar = {
        "kind": req.kind,
        "source_model": str(src),
        "source_sha256": sha256_file(src),
        "onnx_file": req.onnx_target.name,
        "dictionary_file": req.dict_target.name,
        "input_name": inp.name,
        "infer_dims": [preset.channels, height, width],
        "output_form": "argmax" if pre_argmaxed is not None or req.argmax else "probs",
        "output_blob_names": outputs,
        "num_classes": classes,
        "time_steps": lines.steps if lines else steps,
        "blank_index": blank,
        "space_class_added": space_added,
        "graph_changes": changes,
        "padding": padding,
        "two_line": lines.sidecar() if lines else None,
        "preprocess": {
            "net_scale_factor": preset.net_scale_factor,
            "offsets": list(preset.offsets),
            "model_color_format": preset.model_color_format,
            "maintain_aspect_ratio": preset.maintain_aspect_ratio,
            "symmetric_padding": preset.symmetric_padding,
        },
        "preset": asdict(preset),
    }
    files = {
        req.onnx_target: model.SerializeToString(),
        req.dict_target: dct.dictionary_text(entries).encode("utf-8"),
        req.sidecar_target: (json.dumps(sidecar, indent=2, ensure_ascii=False) + "\n").encode(),
    }
    write_all(files)
    return OcrExportResult(req.onnx_target, req.dict_target, req.sidecar_target, sidecar)


def _dictionary_for(
    req: OcrExportRequest, preset: OcrPreset, model: onnx.ModelProto, src: Path
) -> list[str]:
    if req.dict_file is not None:
        return dct.read_dictionary(req.dict_file)
    meta = {p.key: p.value for p in model.metadata_props}
    if "character" in meta:
        # PaddleOCR's paddle2onnx export stores ppocr_keys as newline-joined metadata.
        entries = meta["character"].split("\n")
        if entries and entries[-1] == "":
            entries.pop()
        dct.validate_entries(entries, f"{src}: metadata 'character'")
        return entries
    raise ExportError(
        f"{src}: the model carries no 'character' metadata, so --dict is needed",
        hint=f"--kind {preset.kind} --dict path/to/dict.txt (one character per line, no blank)",
    )


def _single_input(graph: onnx.GraphProto, src: Path) -> onnx.ValueInfoProto:
    inits = {i.name for i in graph.initializer}
    inputs = [i for i in graph.input if i.name not in inits]
    if len(inputs) != 1:
        names = ", ".join(i.name for i in inputs)
        raise ExportError(f"{src}: expected one image input, found {len(inputs)} ({names})")
    return inputs[0]


def _fix_input(inp: onnx.ValueInfoProto, c: int, h: int, w: int, src: Path) -> None:
    dims = inp.type.tensor_type.shape.dim
    if len(dims) != 4:
        raise ExportError(f"{src}: input {inp.name!r} has rank {len(dims)}, expected NCHW (4)")
    if dims[1].HasField("dim_value") and dims[1].dim_value != c:
        raise ExportError(f"{src}: input {inp.name!r} has {dims[1].dim_value} channels, not {c}")
    for dim, value in zip(dims[1:], (c, h, w), strict=True):
        if dim.HasField("dim_value") and dim.dim_value not in (value, 0):
            raise ExportError(
                f"{src}: input {inp.name!r} is fixed at {dim.dim_value} where {value} was asked",
                hint="match --height/--width to the model's fixed input size",
            )
        dim.Clear()
        dim.dim_value = value
    dims[0].Clear()
    dims[0].dim_param = BATCH_DIM


def _argmax_outputs(model: onnx.ModelProto) -> tuple[str, str] | None:
    """(indices, scores) output names when the graph already ends in ArgMax/Max, else None."""
    from onnx import TensorProto

    outs = model.graph.output
    if len(outs) != 2:
        return None
    ints = [o.type.tensor_type.elem_type in (TensorProto.INT32, TensorProto.INT64) for o in outs]
    if sorted(ints) != [False, True]:
        return None
    return (outs[0].name, outs[1].name) if ints[0] else (outs[1].name, outs[0].name)


def _probe_steps(model: onnx.ModelProto, indices: str, chw: tuple[int, int, int], src: Path) -> int:
    import numpy as np

    out = _run(model, [indices], np.zeros((1, *chw), np.float32), src)[0]
    if out.ndim != 2 or out.shape[0] != 1:
        raise ExportError(f"{src}: indices output {indices!r} is {out.shape}, expected [1, T]")
    return int(out.shape[1])


def _int32_indices(model: onnx.ModelProto, indices: str, scores: str) -> tuple[str, str]:
    """Cast int64 indices to int32 (DeepStream before 8.0 has no INT64 layers)."""
    from onnx import TensorProto, helper

    graph = model.graph
    out = next(o for o in graph.output if o.name == indices)
    if out.type.tensor_type.elem_type == TensorProto.INT32:
        return indices, scores
    graph.node.append(
        helper.make_node("Cast", [indices], [ARGMAX_INDICES_OUTPUT], to=TensorProto.INT32)
    )
    kept = [o for o in graph.output if o.name != indices]
    del graph.output[:]
    graph.output.append(
        helper.make_tensor_value_info(ARGMAX_INDICES_OUTPUT, TensorProto.INT32, None)
    )
    graph.output.extend(kept)
    return ARGMAX_INDICES_OUTPUT, scores


def _normalise_output(
    model: onnx.ModelProto, n_entries: int, chw: tuple[int, int, int], src: Path
) -> tuple[str, int, int, list[str]]:
    """Leave one output holding [B, T, C] probabilities; return its name, T, C, what changed.

    C is recognised as the dictionary size + 1 (blank) or + 2 (PaddleOCR's appended space).
    """
    import numpy as np
    from onnx import helper

    graph = model.graph
    if len(graph.output) != 1:
        names = ", ".join(o.name for o in graph.output)
        raise ExportError(
            f"{src}: expected one [B, T, C] output, found {len(graph.output)} ({names})",
            hint="export the recogniser without its own ArgMax/Max heads",
        )
    name = graph.output[0].name
    # Shape inference misses Paddle's reshapes, so run the fixed-size model once instead.
    raw = _run(model, [name], np.zeros((1, *chw), np.float32), src)[0]
    if raw.ndim != 3 or raw.shape[0] != 1:
        raise ExportError(f"{src}: output {name!r} has shape {raw.shape}, expected [1, T, C]")
    class_counts = (n_entries + 1, n_entries + 2)
    changes: list[str] = []
    producer = next((n for n in graph.node if name in n.output), None)
    softmaxed = producer is not None and producer.op_type == "Softmax"
    if raw.shape[2] in class_counts:
        steps, classes = int(raw.shape[1]), int(raw.shape[2])
    elif raw.shape[1] in class_counts:
        steps, classes = int(raw.shape[2]), int(raw.shape[1])
        graph.node.append(helper.make_node("Transpose", [name], [name + "_btc"], perm=[0, 2, 1]))
        name = name + "_btc"
        changes.append("output transposed from [B, C, T] to [B, T, C]")
    else:
        raise ExportError(
            f"{src}: output shape {list(raw.shape)} has no class axis of {class_counts[0]} "
            f"(dictionary of {n_entries} + blank)",
            hint="pass the dictionary the model was trained with (--dict)",
        )
    if not softmaxed:
        # CTC heads that end in logits: the confidence needs probabilities.
        graph.node.append(helper.make_node("Softmax", [name], [PROBS_OUTPUT], axis=-1))
        name = PROBS_OUTPUT
        changes.append("softmax appended over the classes")
    if name != graph.output[0].name:
        del graph.output[:]
        graph.output.append(helper.make_tensor_value_info(name, 1, None))
    return name, steps, classes, changes


def _append_argmax(model: onnx.ModelProto, probs: str) -> None:
    from onnx import TensorProto, helper

    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 0)
    graph = model.graph
    raw_idx = ARGMAX_INDICES_OUTPUT + "_i64"
    graph.node.append(helper.make_node("ArgMax", [probs], [raw_idx], axis=2, keepdims=0))
    # int32 indices: TensorRT's TopK gives int32, and DeepStream before 8.0 has no INT64 type.
    graph.node.append(
        helper.make_node("Cast", [raw_idx], [ARGMAX_INDICES_OUTPUT], to=TensorProto.INT32)
    )
    if opset >= 18:
        axes = ARGMAX_SCORES_OUTPUT + "_axes"
        graph.initializer.append(helper.make_tensor(axes, TensorProto.INT64, [1], [2]))
        node = helper.make_node("ReduceMax", [probs, axes], [ARGMAX_SCORES_OUTPUT], keepdims=0)
    else:
        node = helper.make_node("ReduceMax", [probs], [ARGMAX_SCORES_OUTPUT], axes=[2], keepdims=0)
    graph.node.append(node)
    del graph.output[:]
    graph.output.append(
        helper.make_tensor_value_info(ARGMAX_INDICES_OUTPUT, TensorProto.INT32, None)
    )
    graph.output.append(
        helper.make_tensor_value_info(ARGMAX_SCORES_OUTPUT, TensorProto.FLOAT, None)
    )


def _set_output_shapes(model: onnx.ModelProto, shapes: dict[str, list[int]]) -> None:
    for out in model.graph.output:
        shape = out.type.tensor_type.shape
        shape.Clear()
        shape.dim.add().dim_param = BATCH_DIM
        for d in shapes[out.name]:
            shape.dim.add().dim_value = d


def _check_runs(
    model: onnx.ModelProto, shapes: dict[str, list[int]], chw: tuple[int, int, int], src: Path
) -> None:
    """Prove the dynamic batch axis: a batch of 2 must give [2, T(, C)] outputs."""
    import numpy as np

    got = _run(model, list(shapes), np.zeros((2, *chw), np.float32), src)
    for (name, dims), arr in zip(shapes.items(), got, strict=True):
        if list(arr.shape) != [2, *dims]:
            raise ExportError(f"{src}: exported output {name!r} is {arr.shape}, expected {dims}")


def _run(model: onnx.ModelProto, outputs: list[str], x: Any, src: Path) -> list[Any]:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    try:
        sess = ort.InferenceSession(
            model.SerializeToString(), opts, providers=["CPUExecutionProvider"]
        )
        return sess.run(outputs, {sess.get_inputs()[0].name: x})
    except Exception as exc:  # onnxruntime raises its own untyped errors
        raise ExportError(f"{src}: onnxruntime cannot run the fixed-size model: {exc}") from None
