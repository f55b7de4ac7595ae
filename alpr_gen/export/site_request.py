"""`--site NAME` / `--config DIR`: the bundle's PGIE config supplies the export's settings.

Export reads the config set from disk through the one reader (alpr_gen.configset), as nvinfer
will: the PGIE's effective `onnx-file`, `model-engine-file`, `int8-calib-file`, `batch-size`,
`network-mode`, `scaling-filter`, `cluster-mode` and thresholds. `--site` renders the site into
its bundle first (validated, unchanged files left alone); the input size, which nvinfer reads from
the model rather than the config, comes from the profile there, or from `infer-dims` when a
config states it. Export writes exactly the
files the config names with matching settings, so an option that would make the engine disagree
with the config (another batch, precision, input size or head) is refused rather than silently
producing an engine nvinfer would rebuild at every start.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from alpr_gen.configset import ConfigSet, Gie
from alpr_gen.configset.values import glib_float, glib_int
from alpr_gen.deepstream.facts import PRECISION_OF_MODE, ClusterMode
from alpr_gen.deepstream.keyfile import split_list
from alpr_gen.errors import ExportError
from alpr_gen.export.request import ExportRequest
from alpr_gen.next_steps import bundle_arg

# Options the config pins, and the config key that pins each.
_PINNED = {
    "batch": "batch-size",
    "precision": "network-mode",
    "imgsz": "infer-dims (detector.input_size)",
    "head": "cluster-mode",
    "gpu_id": "gpu-id",
    "scaling_filter": "scaling-filter",
}
# The value an option may take (int, float or str): what the request's fields hold.
Value = int | float | str


@dataclass(frozen=True)
class _Pgie:
    cs: ConfigSet
    gie: Gie
    where: str  # the file named in messages

    def text(self, key: str) -> str | None:
        return self.gie.value(key)

    def int(self, key: str, default: int) -> int:
        value = glib_int(self.text(key))
        return default if value is None else value

    def relpath(self, key: str) -> str | None:
        """The key's path relative to the bundle directory (export writes inside it)."""
        path = self.gie.path(key)
        if path is None:
            return None
        rel = os.path.relpath(path, self.cs.logical_root)
        if rel.startswith(".."):
            raise ExportError(
                f"{self.where}: {key} points outside the bundle ({path})",
                hint="export writes into the bundle: name a path inside it",
            )
        return Path(rel).as_posix()


def request_from_site(
    site: str, weights: Path, out_dir: Path | None, overrides: dict[str, Value | None]
) -> ExportRequest:
    """Render `site` into its bundle (default out/<site>), then read the request from it."""
    from alpr_gen.configset import load
    from alpr_gen.writer import render_to_dir

    outcome = render_to_dir(site, out_dir)
    imgsz = outcome.rendered.plan.pgie.input_size
    return request_from_config(load(outcome.out_dir), weights, overrides, imgsz=imgsz)


def request_from_bundle(
    cs: ConfigSet, weights: Path, overrides: dict[str, Value | None]
) -> ExportRequest:
    """`--config DIR`: the set on disk decides the paths and settings. The input size, which the
    configs do not state (nvinfer reads it from the model), comes from `--imgsz`, else from the
    profile the manifest names when it can be loaded here, else the default (640)."""
    imgsz = overrides.get("imgsz")
    if imgsz is None and cs.site:
        imgsz = _profile_input_size(cs.site)
    return request_from_config(
        cs, weights, overrides, imgsz=imgsz if isinstance(imgsz, int) else None
    )


def _profile_input_size(site: str) -> int | None:
    """detector.input_size of a shipped profile, read without the environment it may need
    (only the input size is used): a variable without a default that is not set reads as a
    placeholder; one with a default keeps it."""
    from alpr_gen.errors import AlprGenError
    from alpr_gen.profile import load_profile
    from alpr_gen.profile.environment import profile_variables

    needed = {name: "placeholder" for name, required in profile_variables(site) if required}
    try:
        return load_profile(site, env={**needed, **os.environ}).detector.input_size
    except AlprGenError:
        return None


def request_from_config(
    cs: ConfigSet,
    weights: Path,
    overrides: dict[str, Value | None],
    *,
    imgsz: int | None = None,
) -> ExportRequest:
    """An ExportRequest writing what the set's PGIE names; `overrides` are command-line options."""
    if cs.pgie is None or cs.pgie.config is None:
        raise ExportError(
            f"{cs.app.rel}: no enabled [primary-gie] with a readable config-file",
            hint=f"check the set with `alpr-gen validate {bundle_arg(cs)}`",
        )
    pgie = _Pgie(cs, cs.pgie, cs.pgie.config.rel)
    from_config = _settings(pgie, imgsz)
    owner = f"site {cs.site!r}: its rendered" if cs.site else f"the config set {cs.logical_root}:"
    for name, key in _PINNED.items():
        option_value = overrides.get(name)
        if option_value is not None and name in from_config and option_value != from_config[name]:
            option = f"--{name.replace('_', '-')}"
            raise ExportError(
                f"{option} {option_value} conflicts with {owner} {pgie.where} uses "
                f"{key} = {from_config[name]} (model-engine-file={pgie.text('model-engine-file')})",
                hint=f"drop {option}, or change the profile and re-render",
            )
    given = {k: v for k, v in overrides.items() if v is not None}
    values: dict[str, Value] = {**from_config, **given}
    onnx_rel = pgie.relpath("onnx-file")
    if onnx_rel is None:
        raise ExportError(f"{pgie.where}: no onnx-file", hint="name the ONNX export should write")
    return ExportRequest(
        weights=weights,
        out_dir=Path(cs.logical_root),
        deepstream=cs.deepstream,
        onnx_name=onnx_rel,
        engine_name=pgie.relpath("model-engine-file"),
        # The bundle's own labels.txt is rendered from the profile; ours sits beside the ONNX.
        labels_name=f"{onnx_rel}.labels.txt",
        calib_cache=pgie.relpath("int8-calib-file"),
        site=cs.site,
        expected_labels=_labels(cs, pgie.gie),
        sources={k: ("cli" if overrides.get(k) is not None else "profile") for k in from_config},
        **values,  # type: ignore[arg-type]  # each option keeps the type of its request field
    )


def _settings(pgie: _Pgie, imgsz: int | None) -> dict[str, Value]:
    mode = pgie.int("network-mode", 0)
    if mode not in PRECISION_OF_MODE:
        raise ExportError(f"{pgie.where}: network-mode={mode} has no engine precision to export")
    if (text := pgie.text("infer-dims")) is not None:
        dims = [glib_int(d) for d in split_list(text)]
        if len(dims) != 3 or dims[1] != dims[2] or dims[1] is None:
            raise ExportError(
                f"{pgie.where}: infer-dims={text}: a YOLO11 input is 3;N;N (square)",
                hint="drop infer-dims (nvinfer reads the size from the model) or fix it",
            )
        imgsz = dims[1]
    attrs = pgie.gie.class_attrs()
    thresholds = [
        t
        for group in attrs.values()
        if (t := glib_float(group.get("pre-cluster-threshold"))) is not None
    ]
    everyone = attrs.get("class-attrs-all", {})
    # The end2end graph drops boxes under its baked threshold before nvinfer sees them: bake the
    # lowest threshold any class uses so the per-class pre-cluster-thresholds still decide.
    settings: dict[str, Value] = {
        "batch": pgie.int("batch-size", 1),
        "precision": PRECISION_OF_MODE[mode],
        "head": "end2end" if pgie.int("cluster-mode", 2) == ClusterMode.NONE else "deepstream",
        "gpu_id": pgie.int("gpu-id", 0),
        "workspace_mb": pgie.int("workspace-size", 2048),
        "topk": glib_int(everyone.get("topk")) or 100,
        "conf": min(thresholds) if thresholds else 0.25,
        "iou": glib_float(everyone.get("nms-iou-threshold")) or 0.45,
        # nvinfer's own default when the config does not say (what the INT8 calibrator mimics).
        "scaling_filter": pgie.gie.infer_settings().scaling_filter,
    }
    if imgsz is not None:
        settings["imgsz"] = imgsz
    return settings


def _labels(cs: ConfigSet, gie: Gie) -> tuple[str, ...] | None:
    if gie.labels is None or gie.labels.text is None:
        return None
    return tuple(line.strip() for line in gie.labels.text.splitlines() if line.strip())
