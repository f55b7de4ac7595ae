"""`alpr-gen export`: YOLO11 .pt -> ONNX (DeepStream-ready head) -> TensorRT engine."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer


class HeadChoice(str, Enum):
    deepstream = "deepstream"
    end2end = "end2end"


class PrecisionChoice(str, Enum):
    fp32 = "fp32"
    fp16 = "fp16"
    int8 = "int8"


def register(app: typer.Typer) -> None:
    @app.command("export")
    def export(
        weights: Annotated[Path, typer.Option("--weights", "-w", help="Ultralytics .pt file.")],
        site: Annotated[
            str | None,
            typer.Option(help="Site profile: supplies batch, precision, size, head, paths."),
        ] = None,
        imgsz: Annotated[
            int | None, typer.Option(help="Square input size, a multiple of 32 (default 640).")
        ] = None,
        batch: Annotated[
            int | None, typer.Option(help="Batch (max batch with --dynamic) (default 1).")
        ] = None,
        dynamic: Annotated[
            bool, typer.Option("--dynamic", help="Dynamic batch axis (engine profile 1..batch).")
        ] = False,
        head: Annotated[
            HeadChoice | None,
            typer.Option(
                help="deepstream: [B,anchors,6]; end2end: NMS in the graph (default deepstream)."
            ),
        ] = None,
        topk: Annotated[int | None, typer.Option(help="end2end: rows kept (default 100).")] = None,
        conf: Annotated[
            float | None, typer.Option(help="end2end: score threshold baked in (default 0.25).")
        ] = None,
        iou: Annotated[float | None, typer.Option(help="end2end: NMS IoU (default 0.45).")] = None,
        precision: Annotated[
            PrecisionChoice | None, typer.Option(help="Engine precision (default fp16).")
        ] = None,
        calib_images: Annotated[
            Path | None, typer.Option(help="int8: folder of calibration frames.")
        ] = None,
        calib_max: Annotated[int, typer.Option(help="int8: at most this many images.")] = 512,
        workspace: Annotated[
            int | None, typer.Option(help="TensorRT workspace in MB (default 2048).")
        ] = None,
        scaling_filter: Annotated[
            int | None,
            typer.Option(help="int8: nvinfer's scaling-filter, 0 nearest, 1 bilinear (default 1)."),
        ] = None,
        gpu_id: Annotated[int | None, typer.Option(help="GPU to build on (default 0).")] = None,
        deepstream: Annotated[
            str | None,
            typer.Option(help="Target DeepStream (6.3, 7.0, 7.1, 8.0): picks the opset."),
        ] = None,
        opset: Annotated[int | None, typer.Option(help="Override the ONNX opset.")] = None,
        out: Annotated[
            Path | None,
            typer.Option(
                help="Output directory (default next to the weights; out/SITE with --site)."
            ),
        ] = None,
        no_engine: Annotated[
            bool, typer.Option("--no-engine", help="Write the ONNX only; build no engine.")
        ] = False,
        pad_fill: Annotated[
            bool,
            typer.Option(
                "--pad-fill/--no-pad-fill",
                help="Fill nvinfer's black letterbox with Ultralytics' grey and clip boxes to the "
                "image, in the graph (default on; docs/export.md).",
            ),
        ] = True,
    ) -> None:
        """Export a YOLO11 detector to an ONNX DeepStream reads as is, and its TensorRT engine."""
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
        if dynamic and batch is None and site is None:
            from alpr_gen.errors import ExportError

            raise ExportError(
                "--dynamic needs --batch N: the largest batch the engine must take "
                "(its optimization profile is 1..N, and nvinfer's batch-size must be N)"
            )
        if site is not None:
            from alpr_gen.export.site_request import request_from_site

            req = request_from_site(site, weights, out, given)
            if deepstream is not None and deepstream != req.deepstream:
                from alpr_gen.errors import ExportError

                raise ExportError(
                    f"--deepstream {deepstream} conflicts with site {site!r} "
                    f"(target.deepstream {req.deepstream})"
                )
            req = req.replace(**common)
        else:
            chosen = {k: v for k, v in given.items() if v is not None}
            req = ExportRequest(
                weights=weights,
                out_dir=out if out is not None else weights.parent,
                deepstream=deepstream,
                sources={k: "cli" for k in chosen},
                **chosen,
                **common,
            )
        result = export_model(req, Reporter())
        typer.echo(f"onnx:   {result.onnx}")
        typer.echo(f"labels: {result.labels}")
        typer.echo(f"engine: {result.engine.path} ({result.engine.status})")
