"""`--site NAME`: the profile and its plan supply the export's defaults and its output paths.

The rendered nvinfer config names `onnx-file`, `model-engine-file`, `int8-calib-file`,
`batch-size`, `network-mode`, `infer-dims` and `cluster-mode`. Export writes exactly those files,
so an option that would make the engine disagree with the rendered config (another batch,
precision, input size or head) is refused rather than silently producing an engine nvinfer
would rebuild at every start.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alpr_gen.errors import ExportError
from alpr_gen.export.request import ExportRequest

# CLI option -> (plan value, what the rendered config calls it)
_PINNED = {
    "batch": "batch-size",
    "precision": "network-mode",
    "imgsz": "infer-dims",
    "head": "cluster-mode",
    "gpu_id": "gpu-id",
}


def default_bundle_dir(site: str) -> Path:
    return Path("out") / site


def request_from_site(
    site: str, weights: Path, out_dir: Path | None, overrides: dict[str, Any]
) -> ExportRequest:
    """An ExportRequest for `site`; `overrides` are the options given on the command line."""
    from alpr_gen.plan import build_plan
    from alpr_gen.profile import load_profile

    profile = load_profile(site)
    plan = build_plan(profile)
    pgie = plan.pgie
    head = "end2end" if pgie.cluster_mode == 4 else "deepstream"
    # The end2end graph drops boxes under its baked threshold before nvinfer sees them: bake the
    # lowest threshold any class uses so the per-class pre-cluster-thresholds still decide.
    conf = min([pgie.threshold, *(c.threshold for c in pgie.class_attrs)])
    from_profile: dict[str, Any] = {
        "batch": pgie.batch_size,
        "precision": pgie.precision,
        "imgsz": pgie.input_size,
        "head": head,
        "gpu_id": plan.gpu_id,
        "workspace_mb": pgie.workspace_mb,
        "topk": pgie.topk,
        "conf": conf,
        "iou": pgie.nms_iou,
    }
    for key, what in _PINNED.items():
        given = overrides.get(key)
        if given is not None and given != from_profile[key]:
            raise ExportError(
                f"--{key.replace('_', '-')} {given} conflicts with site {profile.name!r}: its "
                f"rendered configs use {what} for {key} = {from_profile[key]} "
                f"(engine {pgie.engine_file})",
                hint=f"drop --{key.replace('_', '-')}, or change the profile and re-render",
            )
    values = {**from_profile, **{k: v for k, v in overrides.items() if v is not None}}
    sources = {k: ("cli" if overrides.get(k) is not None else "profile") for k in from_profile}
    onnx_rel = str(pgie.onnx_file)
    return ExportRequest(
        weights=weights,
        out_dir=out_dir or default_bundle_dir(profile.name),
        deepstream=plan.deepstream,
        onnx_name=onnx_rel,
        engine_name=str(pgie.engine_file),
        # The bundle's own labels.txt is rendered from the profile; ours sits beside the ONNX.
        labels_name=f"{onnx_rel}.labels.txt",
        calib_cache=str(pgie.int8_calib_file) if pgie.int8_calib_file else None,
        site=profile.name,
        expected_labels=tuple(pgie.labels),
        sources=sources,
        **values,
    )
