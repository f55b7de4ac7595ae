"""`--site NAME`: the profile supplies the export's defaults, the rendered configs its outputs.

The site's nvinfer PGIE config (rendered in memory, exactly as `alpr-gen render` writes it) names
`onnx-file`, `model-engine-file`, `int8-calib-file`, `batch-size`, `network-mode`,
`scaling-filter` and `cluster-mode`. Export writes exactly those files with matching settings, so
an option that would make the engine disagree with the config (another batch, precision, input
size or head) is refused rather than silently producing an engine nvinfer would rebuild at every
start.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alpr_gen.errors import ExportError
from alpr_gen.export.request import ExportRequest

# Options the rendered config pins, and the config key that pins each.
_PINNED = {
    "batch": "batch-size",
    "precision": "network-mode",
    "imgsz": "infer-dims (detector.input_size)",
    "head": "cluster-mode (detector.head)",
    "gpu_id": "gpu-id",
    "scaling_filter": "scaling-filter",
}


def default_bundle_dir(site: str) -> Path:
    return Path("out") / site


def request_from_site(
    site: str, weights: Path, out_dir: Path | None, overrides: dict[str, Any]
) -> ExportRequest:
    """An ExportRequest for `site`; `overrides` are the options given on the command line."""
    from alpr_gen.deepstream.keyfile import parse_keyfile
    from alpr_gen.deepstream.layout import PGIE_CONFIG
    from alpr_gen.plan import build_plan
    from alpr_gen.profile import load_profile
    from alpr_gen.render import render_site

    profile = load_profile(site)
    plan = build_plan(profile)
    pgie = plan.pgie
    prop = parse_keyfile(render_site(profile)[PGIE_CONFIG], PGIE_CONFIG).groups["property"]

    def key(name: str, default: str | None = None) -> str | None:
        entry = prop.entries.get(name)
        return entry.value if entry is not None else default

    head = "end2end" if key("cluster-mode") == "4" else "deepstream"
    # The end2end graph drops boxes under its baked threshold before nvinfer sees them: bake the
    # lowest threshold any class uses so the per-class pre-cluster-thresholds still decide.
    conf = min([pgie.threshold, *(c.threshold for c in pgie.class_attrs)])
    from_profile: dict[str, Any] = {
        "batch": int(key("batch-size") or pgie.batch_size),
        "precision": pgie.precision,
        "imgsz": pgie.input_size,
        "head": head,
        "gpu_id": int(key("gpu-id") or plan.gpu_id),
        "workspace_mb": int(key("workspace-size") or pgie.workspace_mb),
        "topk": pgie.topk,
        "conf": conf,
        "iou": pgie.nms_iou,
        "scaling_filter": int(key("scaling-filter", "0") or 0),
    }
    for name, what in _PINNED.items():
        given = overrides.get(name)
        if given is not None and given != from_profile[name]:
            option = f"--{name.replace('_', '-')}"
            raise ExportError(
                f"{option} {given} conflicts with site {profile.name!r}: its rendered "
                f"{PGIE_CONFIG} uses {what} = {from_profile[name]} "
                f"(model-engine-file={key('model-engine-file')})",
                hint=f"drop {option}, or change the profile and re-render",
            )
    values = {**from_profile, **{k: v for k, v in overrides.items() if v is not None}}
    onnx_rel = key("onnx-file") or str(pgie.onnx_file)
    return ExportRequest(
        weights=weights,
        out_dir=out_dir or default_bundle_dir(profile.name),
        deepstream=plan.deepstream,
        onnx_name=onnx_rel,
        engine_name=key("model-engine-file") or str(pgie.engine_file),
        # The bundle's own labels.txt is rendered from the profile; ours sits beside the ONNX.
        labels_name=f"{onnx_rel}.labels.txt",
        calib_cache=key("int8-calib-file"),
        site=profile.name,
        expected_labels=tuple(pgie.labels),
        sources={k: ("cli" if overrides.get(k) is not None else "profile") for k in from_profile},
        **values,
    )
