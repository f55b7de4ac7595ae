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
from alpr_gen.ocr.graph_outputs import (
    BATCH_DIM,
    append_argmax,
    argmax_outputs,
    check_runs,
    int32_indices,
    normalise_output,
    probe_steps,
    set_output_shapes,
)
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
    pre_argmaxed = argmax_outputs(model)
    if pre_argmaxed is not None:
        # NVIDIA's LPRNet and similar ONNX models already end in ArgMax/Max: keep their heads.
        if not req.argmax:
            raise ExportError(
                f"{src}: the model already ends in ArgMax/Max; its probabilities are gone",
                hint="drop --no-argmax",
            )
        probs = ""
        steps, classes = probe_steps(model, pre_argmaxed[0], chw, src), len(entries) + 1
        changes = ["model already outputs indices + scores; C taken from the dictionary"]
    else:
        probs, steps, classes, changes = normalise_output(model, len(entries), chw, src)
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
        indices, scores = int32_indices(model, *pre_argmaxed)
        shapes = {indices: [steps], scores: [steps]}
    elif req.argmax:
        append_argmax(model, probs)
        shapes = {ARGMAX_INDICES_OUTPUT: [steps], ARGMAX_SCORES_OUTPUT: [steps]}
    else:
        shapes = {probs: [steps, classes]}
    outputs = list(shapes)
    set_output_shapes(model, shapes)
    onnx.checker.check_model(model)
    check_runs(model, shapes, chw, src)

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
