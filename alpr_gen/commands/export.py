"""`alpr-gen export`: YOLO11 .pt -> ONNX (DeepStream-ready head) -> TensorRT engine."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from alpr_gen.commands.style import config_option, default, examples, out_option, site_option

if TYPE_CHECKING:
    from alpr_gen.export.request import ExportRequest

EXPORT_EXAMPLES = examples(
    "alpr-gen export --config out/demo --weights models/demo/alpr_demo_yolo11n.pt",
    "alpr-gen export -s lot7 -w runs/detect/train/weights/best.pt",
    "alpr-gen export -w best.pt --batch 4 -o models   # without a bundle",
)


class HeadChoice(str, Enum):
    deepstream = "deepstream"
    end2end = "end2end"


class PrecisionChoice(str, Enum):
    fp32 = "fp32"
    fp16 = "fp16"
    int8 = "int8"


def export(
    weights: Annotated[
        Path,
        typer.Option("--weights", "-w", metavar="FILE", help="Trained Ultralytics .pt file."),
    ],
    site: Annotated[
        str | None,
        site_option("Render this profile into its bundle, then write what its configs name."),
    ] = None,
    config: Annotated[
        Path | None,
        config_option("Write what this bundle's configs name (onnx-file, engine, labels)."),
    ] = None,
    out: Annotated[
        Path | None,
        out_option(
            "Output directory; with --site the bundle."
            + default("next to the weights; out/SITE with --site")
        ),
    ] = None,
    imgsz: Annotated[
        int | None,
        typer.Option(
            "--imgsz", metavar="N", help="Square input size, a multiple of 32." + default("640")
        ),
    ] = None,
    batch: Annotated[
        int | None,
        typer.Option(
            "--batch", metavar="N", help="Batch (the largest with --dynamic)." + default("1")
        ),
    ] = None,
    dynamic: Annotated[
        bool, typer.Option("--dynamic", help="Dynamic batch axis (engine profile 1..batch).")
    ] = False,
    head: Annotated[
        HeadChoice | None,
        typer.Option(
            "--head",
            help="deepstream: [B,anchors,6] and NMS in nvinfer; end2end: NMS in the graph."
            + default("deepstream"),
            show_default=False,
        ),
    ] = None,
    topk: Annotated[
        int | None,
        typer.Option("--topk", metavar="N", help="end2end: rows kept." + default("100")),
    ] = None,
    conf: Annotated[
        float | None,
        typer.Option(
            "--conf", metavar="SCORE", help="end2end: score threshold baked in." + default("0.25")
        ),
    ] = None,
    iou: Annotated[
        float | None,
        typer.Option("--iou", metavar="IOU", help="end2end: NMS IoU." + default("0.45")),
    ] = None,
    precision: Annotated[
        PrecisionChoice | None,
        typer.Option("--precision", help="Engine precision." + default("fp16"), show_default=False),
    ] = None,
    calib_images: Annotated[
        Path | None,
        typer.Option("--calib-images", metavar="DIR", help="int8: folder of calibration frames."),
    ] = None,
    calib_max: Annotated[
        int, typer.Option("--calib-max", metavar="N", help="int8: at most this many images.")
    ] = 512,
    workspace: Annotated[
        int | None,
        typer.Option("--workspace", metavar="MB", help="TensorRT workspace." + default("2048")),
    ] = None,
    scaling_filter: Annotated[
        int | None,
        typer.Option(
            "--scaling-filter",
            metavar="N",
            help="int8: nvinfer's scaling-filter, 0 nearest, 1 bilinear." + default("1"),
        ),
    ] = None,
    gpu_id: Annotated[
        int | None,
        typer.Option("--gpu-id", metavar="N", help="GPU to build on." + default("0")),
    ] = None,
    deepstream: Annotated[
        str | None,
        typer.Option(
            "--deepstream",
            metavar="VERSION",
            help="Target DeepStream release (picks the opset), e.g. 7.1."
            + default("the bundle's; else the newest"),
        ),
    ] = None,
    opset: Annotated[
        int | None,
        typer.Option("--opset", metavar="N", help="ONNX opset." + default("the release's")),
    ] = None,
    no_engine: Annotated[
        bool, typer.Option("--no-engine", help="Write the ONNX only; build no engine.")
    ] = False,
    pad_fill: Annotated[
        bool,
        typer.Option(
            "--pad-fill/--no-pad-fill",
            help="Fill nvinfer's black letterbox with Ultralytics' grey and clip boxes to the "
            "image, in the graph (docs/export.md)." + default("on"),
            show_default=False,
        ),
    ] = True,
) -> None:
    """Export a YOLO11 detector to ONNX and a TensorRT engine.

    Writes an ONNX with a head nvinfer reads as is, its labels and a record of the export; then
    the TensorRT engine under the name nvinfer gives it, where TensorRT is (elsewhere nvinfer
    builds it at first start). With --config or --site the bundle's configs decide the paths,
    batch, precision and head, and the model's classes must be the configs' labels.
    """
    from alpr_gen.errors import ExportError
    from alpr_gen.export import export_model
    from alpr_gen.export.progress import Reporter
    from alpr_gen.export.request import ExportRequest

    given = {
        "imgsz": imgsz,
        "batch": batch,
        "head": head.value if head else None,
        "topk": topk,
        "conf": conf,
        "iou": iou,
        "precision": precision.value if precision else None,
        "workspace_mb": workspace,
        "gpu_id": gpu_id,
        "scaling_filter": scaling_filter,
    }
    common = {
        "dynamic": dynamic,
        "calib_images": calib_images,
        "calib_max_images": calib_max,
        "opset": opset,
        "engine": "skip" if no_engine else "auto",
        "pad_fill": pad_fill,
    }
    if site is not None and config is not None:
        raise ExportError("give --site NAME or --config DIR, not both")
    if dynamic and batch is None and site is None and config is None:
        raise ExportError(
            "--dynamic needs --batch N: the largest batch the engine must take "
            "(its optimization profile is 1..N, and nvinfer's batch-size must be N)"
        )
    if site is not None or config is not None:
        req = _bundle_request(site, config, out, weights, given)
        if deepstream is not None and deepstream != req.deepstream:
            raise ExportError(
                f"--deepstream {deepstream} conflicts with the bundle's target "
                f"(DeepStream {req.deepstream})",
                hint="drop --deepstream: the bundle's manifest.json decides",
            )
        req = req.replace(**common)
    else:
        chosen = {k: v for k, v in given.items() if v is not None}
        req = ExportRequest(
            weights=weights,
            out_dir=out if out is not None else weights.parent,
            deepstream=deepstream,
            sources={k: "cli" for k in chosen},
        ).replace(**chosen, **common)
    result = export_model(req, Reporter())
    typer.echo(f"onnx:   {result.onnx}")
    typer.echo(f"labels: {result.labels}")
    typer.echo(f"engine: {result.engine.path} ({result.engine.status})")


def _bundle_request(
    site: str | None,
    config: Path | None,
    out: Path | None,
    weights: Path,
    given: dict[str, int | float | str | None],
) -> ExportRequest:
    from alpr_gen.export.site_request import request_from_bundle, request_from_site

    if site is not None:
        return request_from_site(site, weights, out, given)
    from alpr_gen.bundle import open_bundle

    cs = open_bundle(None, config, out)
    assert cs is not None  # --config was given
    return request_from_bundle(cs, weights, given)
