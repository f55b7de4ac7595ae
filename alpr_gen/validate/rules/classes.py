"""DS323: the detector's labels against the classes its ONNX was exported with.

nvinfer numbers classes by position: labels [plate, vehicle] on a model trained [vehicle, plate]
draws plates as vehicles and sends vehicles to the OCR. `alpr-gen export` records the model's
classes beside the ONNX (`<onnx>.json`, `<onnx>.labels.txt`); when that record is there, the
labels file the PGIE uses must list the same names in the same order.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from alpr_gen.configset import ConfigSet
from alpr_gen.configset.files import read_bounded
from alpr_gen.deepstream.keyfile import split_list
from alpr_gen.validate.findings import Severity
from alpr_gen.validate.rules import Hit, hit, rule, setting_location

# A labels record is tiny; anything bigger is not one of ours.
_MAX_RECORD_BYTES = 1024 * 1024


def _labels_text(text: str) -> list[str]:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if len(lines) == 1 and ";" in lines[0]:
        return [item.strip() for item in split_list(lines[0])]
    return lines


def exported_classes(onnx: Path) -> tuple[list[str], str] | None:
    """The classes `export` recorded for `onnx` and the file that says so; None without one."""
    sidecar = onnx.with_name(onnx.name + ".json")
    try:
        data = json.loads(read_bounded(sidecar, _MAX_RECORD_BYTES))
    except (OSError, ValueError):
        data = None
    if isinstance(data, dict) and isinstance(data.get("classes"), list):
        classes = data["classes"]
        if all(isinstance(c, str) for c in classes):
            return classes, sidecar.name
    labels = onnx.with_name(onnx.name + ".labels.txt")
    try:
        text = read_bounded(labels, _MAX_RECORD_BYTES).decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return _labels_text(text), labels.name


@rule("DS323", Severity.ERROR, "detector labels differ from the classes its ONNX was exported with")
def labels_match_model(cs: ConfigSet) -> Iterator[Hit]:
    for gie in cs.enabled_gies:
        onnx = gie.path("onnx-file")
        labels = gie.labels
        if onnx is None or labels is None or labels.text is None or not onnx.is_file():
            continue
        found = exported_classes(onnx)
        if found is None:
            continue
        model, record = found
        ours = _labels_text(labels.text)
        if model == ours:
            continue
        order = " (the same names in another order)" if sorted(model) == sorted(ours) else ""
        src, line, group = setting_location(cs, gie, "labelfile-path")
        yield hit(
            src,
            line,
            group,
            "labelfile-path",
            f"{labels.rel} lists {ours} but {onnx.name} was exported with classes {model} "
            f"(per {record}){order}: nvinfer numbers classes by position; set "
            "detector.labels (and vehicle_class_ids / plate_class_ids) to the model's order and "
            "render again, or export the model trained for these labels",
        )
