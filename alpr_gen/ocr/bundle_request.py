"""`export-ocr --config DIR` / `--site NAME`: the bundle's OCR configs decide what is written.

The OCR SGIE names the model (`onnx-file`), its input (`infer-dims`), preprocessing and output
layers (`output-blob-names`); ocr_parser.cfg names the dictionary. The export writes exactly
there, with the input size and output form those files expect, so nothing is left for the
user to copy or rename. An option that would disagree with the configs is refused.
"""

from __future__ import annotations

import os
from pathlib import Path

from alpr_gen.configset import ConfigSet, Gie
from alpr_gen.configset.values import glib_float, glib_int
from alpr_gen.deepstream.keyfile import split_list
from alpr_gen.errors import ExportError
from alpr_gen.next_steps import render_advice
from alpr_gen.ocr.export import OcrExportRequest
from alpr_gen.ocr.presets import ARGMAX_INDICES_OUTPUT, ARGMAX_SCORES_OUTPUT, OCR_PRESETS


def _ocr_gie(cs: ConfigSet) -> Gie:
    for gie in cs.enabled_gies:
        if gie.is_ocr and gie.config is not None:
            return gie
    raise ExportError(
        f"{cs.logical_root}: no enabled OCR SGIE (parse-classifier-func-name="
        "NvDsInferParseAlprOcr) in this config set",
        hint="render a profile with ocr.enabled: true, or export with --out DIR instead",
    )


def _inside(cs: ConfigSet, path: Path, what: str) -> Path:
    rel = os.path.relpath(path, cs.logical_root)
    if rel.startswith(".."):
        raise ExportError(
            f"{what} {path} is outside the bundle {cs.logical_root}",
            hint="export writes into the bundle: name a path inside it",
        )
    return path


def _kind(gie: Gie, where: str) -> str:
    """The preset whose preprocessing the SGIE uses (net-scale-factor, model-color-format)."""
    scale = glib_float(gie.value("net-scale-factor"))
    color = glib_int(gie.value("model-color-format"))
    for name, preset in OCR_PRESETS.items():
        if (
            scale is not None
            and abs(scale - preset.net_scale_factor) < 1e-9
            and color == preset.model_color_format
        ):
            return name
    raise ExportError(
        f"{where}: net-scale-factor={gie.value('net-scale-factor')} and "
        f"model-color-format={gie.value('model-color-format')} match no recogniser preset "
        f"({', '.join(OCR_PRESETS)})",
        hint="pass --kind, or render the bundle again from its profile",
    )


def ocr_request_from_config(
    cs: ConfigSet,
    *,
    model: Path | None,
    kind: str | None,
    dict_file: Path | None,
    height: int | None,
    width: int | None,
    argmax: bool | None,
    two_line: bool | None = None,
) -> OcrExportRequest:
    """The request that writes what the bundle's OCR SGIE and ocr_parser.cfg name."""
    gie = _ocr_gie(cs)
    assert gie.config is not None  # _ocr_gie picks SGIEs with a config
    where = gie.config.rel
    onnx = gie.path("onnx-file")
    if onnx is None:
        raise ExportError(f"{where}: no onnx-file", hint="name the ONNX export-ocr should write")
    parser = cs.ocr_parser
    if parser is None or parser.dictionary is None:
        raise ExportError(
            f"{cs.logical_root}: ocr_parser.cfg has no [ocr-parser] dictionary",
            hint=f"render the bundle again: {render_advice(cs.site, cs.logical_root)}",
        )
    dims = [glib_int(d) for d in split_list(gie.value("infer-dims") or "")]
    if len(dims) != 3 or any(d is None or d <= 0 for d in dims):
        raise ExportError(
            f"{where}: infer-dims={gie.value('infer-dims')}: expected c;h;w",
            hint="render the bundle again from its profile",
        )
    height_px, width_px = int(dims[1] or 0), int(dims[2] or 0)
    preset = _kind(gie, where)
    outputs = split_list(gie.value("output-blob-names") or "")
    argmax_out = outputs == [ARGMAX_INDICES_OUTPUT, ARGMAX_SCORES_OUTPUT] if outputs else None
    pinned: dict[str, int | str | bool | None] = {
        "height": height_px,
        "width": width_px,
        "kind": preset,
        "argmax": argmax_out,
    }
    given = {"height": height, "width": width, "kind": kind, "argmax": argmax}
    for name, value in given.items():
        want = pinned[name]
        if value is not None and want is not None and value != want:
            option = "--no-argmax" if name == "argmax" and not value else f"--{name}"
            shown = "" if isinstance(value, bool) else f" {value}"
            raise ExportError(
                f"{option}{shown} conflicts with {where} (it expects {name} {want})",
                hint=f"drop {option}, or change the profile's ocr section and render again",
            )
    return OcrExportRequest(
        model=model,
        kind=preset,
        dict_file=dict_file,
        height=height_px,
        width=width_px,
        argmax=argmax_out if argmax_out is not None else (True if argmax is None else argmax),
        # The SGIE config names no time-step count (the parser takes T from the layer's dims),
        # so either output length fits the bundle.
        two_line=two_line,
        out_dir=onnx.parent,
        onnx_path=_inside(cs, onnx, "onnx-file"),
        dict_path=_inside(cs, parser.dictionary, "dictionary"),
    )
