"""What an export is asked to do (`ExportRequest`) and what it produced (`ExportResult`).

The request is plain data: the CLI fills it from options, `--site` fills it from the profile and
plan, tests fill it directly. `check_request` rejects bad combinations before anything heavy is
imported or anything is written. Standard library only: the CLI imports this module.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from alpr_gen.deepstream.versions import (
    END2END_MIN_VERSION,
    VERSIONS,
    at_least,
    opset_for,
    tensorrt_for,
)
from alpr_gen.errors import ExportError

Head = Literal["deepstream", "end2end"]
Precision = Literal["fp32", "fp16", "int8"]
EngineMode = Literal["auto", "skip"]

HEADS: tuple[str, ...] = ("deepstream", "end2end")
PRECISIONS: tuple[str, ...] = ("fp32", "fp16", "int8")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp")
TOPK_MAX = 3840  # TensorRT's TopK layer takes K <= 3840
# Ultralytics' LetterBox padding_value: what `pad_fill` puts where nvinfer padded with zeros.
PAD_FILL_LEVEL = 114


@dataclass(frozen=True)
class ExportRequest:
    """One export. Paths may be relative to the current directory."""

    weights: Path
    out_dir: Path
    imgsz: int = 640
    batch: int = 1
    dynamic: bool = False
    head: Head = "deepstream"
    topk: int = 100
    # Baked into the end2end graph; nvinfer's pre-cluster-threshold still filters on top of it.
    conf: float = 0.25
    iou: float = 0.45
    # Ultralytics' letterbox under nvinfer: the padding filled with 114/255 and the boxes clipped
    # to the image, in the graph (alpr_gen.export.letterbox). --no-pad-fill turns it off.
    pad_fill: bool = True
    precision: Precision = "fp16"
    calib_images: Path | None = None
    calib_max_images: int = 512
    # int8-calib-file, relative to out_dir (default `<onnx name>.calib`).
    calib_cache: str | None = None
    # nvinfer's scaling-filter for the calibration letterbox: 1 bilinear (what alpr-gen's configs
    # set), 0 nearest (nvinfer's default when the key is absent).
    scaling_filter: int = 1
    workspace_mb: int = 2048
    gpu_id: int = 0
    deepstream: str | None = None
    opset: int | None = None
    # ONNX path relative to out_dir, as the nvinfer config names it (`onnx-file=`).
    onnx_name: str | None = None
    # Engine path relative to out_dir; default: the name nvinfer gives the engine it builds.
    engine_name: str | None = None
    # labels.txt relative to out_dir; default: labels.txt next to the ONNX.
    labels_name: str | None = None
    engine: EngineMode = "auto"
    site: str | None = None
    # The labels the rendered configs use (--site): the model must have as many classes.
    expected_labels: tuple[str, ...] | None = None
    # Where each value came from ("cli", "profile", "default"), for --verbose and the sidecar.
    sources: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def onnx_relpath(self) -> str:
        return self.onnx_name or f"{self.weights.stem}.onnx"

    @property
    def onnx_path(self) -> Path:
        return self.out_dir / self.onnx_relpath

    @property
    def labels_path(self) -> Path:
        if self.labels_name:
            return self.out_dir / self.labels_name
        return self.onnx_path.parent / "labels.txt"

    @property
    def engine_relpath(self) -> str:
        from alpr_gen.deepstream.engine_naming import engine_name

        return self.engine_name or engine_name(
            self.onnx_relpath, self.batch, self.gpu_id, self.precision
        )

    @property
    def sidecar_path(self) -> Path:
        return self.onnx_path.with_name(self.onnx_path.name + ".json")

    @property
    def calib_relpath(self) -> str:
        return self.calib_cache or f"{self.onnx_relpath}.calib"

    @property
    def resolved_opset(self) -> int:
        return self.opset if self.opset is not None else opset_for(self.deepstream)

    def replace(self, **changes: object) -> ExportRequest:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class EngineOutcome:
    """What happened to the TensorRT engine."""

    # built-tensorrt | built-trtexec | cached | deferred | skipped
    status: str
    path: Path
    message: str
    seconds: float = 0.0


@dataclass(frozen=True)
class ExportResult:
    onnx: Path
    labels: Path
    sidecar: Path
    engine: EngineOutcome
    calib_cache: Path | None
    classes: tuple[str, ...]
    head: Head
    opset: int
    output_shape: tuple[int | str, ...]
    onnx_reused: bool
    seconds: float


def check_request(req: ExportRequest) -> None:
    """Reject a request that cannot work, before touching torch or the file system."""
    where = f"--site {req.site}" if req.site else "options"
    if req.imgsz < 32 or req.imgsz % 32:
        raise ExportError(
            f"{where}: input size {req.imgsz} is not a positive multiple of 32",
            hint="YOLO11 downsamples by 32; use e.g. --imgsz 640 or 960",
        )
    if req.batch < 1:
        raise ExportError(f"{where}: batch {req.batch} must be >= 1")
    if req.dynamic and req.batch < 2:
        raise ExportError(
            f"{where}: --dynamic with batch {req.batch}: the engine's profile is 1..batch, so a "
            "dynamic axis needs the largest batch it must take",
            hint="give --batch N (N >= 2, e.g. the number of cameras), or drop --dynamic",
        )
    if not req.weights.is_file():
        raise ExportError(f"--weights {req.weights}: no such file")
    if req.head not in HEADS:
        raise ExportError(f"{where}: head {req.head!r} is not one of {', '.join(HEADS)}")
    if req.precision not in PRECISIONS:
        raise ExportError(f"{where}: precision {req.precision!r} is not one of {PRECISIONS}")
    if req.deepstream is not None and req.deepstream not in VERSIONS:
        raise ExportError(
            f"{where}: DeepStream {req.deepstream!r} is not one of {', '.join(VERSIONS)}"
        )
    if not 1 <= req.topk <= TOPK_MAX:
        raise ExportError(
            f"{where}: --topk {req.topk} must be within 1..{TOPK_MAX} (TensorRT's TopK limit)"
        )
    for name, value in (("conf", req.conf), ("iou", req.iou)):
        if not (math.isfinite(value) and 0.0 <= value <= 1.0):
            raise ExportError(f"{where}: --{name} {value} must be within [0, 1]")
    if req.head == "end2end" and req.conf <= 0:
        raise ExportError(
            f"{where}: the end2end head needs --conf > 0 (its NMS keeps scores above it; 0 would "
            "keep every class of every anchor)"
        )
    if req.workspace_mb < 1:
        raise ExportError(f"{where}: workspace {req.workspace_mb} MB must be >= 1")
    if req.gpu_id < 0:
        raise ExportError(f"{where}: gpu id {req.gpu_id} must be >= 0")
    if req.scaling_filter not in range(7):
        raise ExportError(
            f"{where}: scaling-filter {req.scaling_filter} is not one of nvinfer's filters",
            hint="use 0 nearest, 1 bilinear, 2-5 the GPU algorithms or 6 nvinfer's default",
        )
    if req.opset is not None and not 11 <= req.opset <= 20:
        raise ExportError(f"{where}: opset {req.opset} must be within 11..20")
    if (
        req.head == "end2end"
        and req.deepstream is not None
        and not at_least(req.deepstream, END2END_MIN_VERSION)
    ):
        raise ExportError(
            f"{where}: the end2end head (ONNX NonMaxSuppression) is not supported on DeepStream "
            f"{req.deepstream} (TensorRT {tensorrt_for(req.deepstream)})",
            hint="use --head deepstream (nvinfer clusters with cluster-mode=2) on DeepStream 6.3",
        )
    if req.precision == "int8" and req.calib_images is None and not _has_cache(req):
        raise ExportError(
            f"{where}: int8 needs calibration images (--calib-images DIR) or an existing "
            f"calibration cache at {req.out_dir / req.calib_relpath}",
            hint="use a few hundred frames from the site's cameras; or export fp16",
        )
    if req.calib_images is not None:
        if not req.calib_images.is_dir():
            raise ExportError(f"--calib-images {req.calib_images}: not a directory")
        found = len(list_images(req.calib_images, req.calib_max_images))
        if found < req.batch:
            raise ExportError(
                f"--calib-images {req.calib_images}: {found} images ({', '.join(IMAGE_SUFFIXES)});"
                f" calibration needs at least one batch ({req.batch})",
                hint="use a few hundred frames from the site's cameras",
            )
    for rel in (req.onnx_relpath, req.calib_relpath, req.engine_relpath, req.labels_name or "."):
        if Path(rel).is_absolute() or ".." in Path(rel).parts:
            raise ExportError(f"{where}: {rel!r} must be a path inside the output directory")


def list_images(folder: Path, limit: int) -> list[Path]:
    """Image files under `folder` (recursively), sorted, at most `limit`."""
    files = sorted(
        p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
    )
    return files[:limit]


def _has_cache(req: ExportRequest) -> bool:
    return (req.out_dir / req.calib_relpath).is_file()
