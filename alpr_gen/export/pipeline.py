"""`export_model`: weights -> ONNX + labels + sidecar -> engine, each step skipped when current.

Files appear atomically: the ONNX, labels and sidecar are produced under temporary names in
their final directories and renamed into place only once all three exist; the engine is built to
a temporary name and renamed. A failure leaves the previous files as they were.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from alpr_gen.errors import ExportError
from alpr_gen.export.progress import QuietReporter, Reporter
from alpr_gen.export.request import (
    PAD_FILL_LEVEL,
    EngineOutcome,
    ExportRequest,
    ExportResult,
    check_request,
)
from alpr_gen.export.sidecar import (
    build_sidecar,
    labels_text,
    read_sidecar,
    sidecar_matches,
    tool_versions,
)
from alpr_gen.fsutil import default_mode, sha256_file, write_text_atomic

if TYPE_CHECKING:
    from alpr_gen.export.calibrator import CalibrationSource


def export_model(req: ExportRequest, reporter: Reporter | None = None) -> ExportResult:
    reporter = reporter or QuietReporter()
    start = time.perf_counter()
    check_request(req)
    _check_writable(req.out_dir)
    weights_sha = _weights_sha(req.weights)

    sidecar = read_sidecar(req.sidecar_path)
    reused = sidecar_matches(sidecar, req, weights_sha, req.onnx_path) and req.labels_path.is_file()
    if reused and sidecar is not None:
        names = tuple(sidecar["classes"])
        _check_expected_labels(req, names)
        shape = tuple(sidecar["output"]["shape"])
        onnx_sha = sidecar["onnx"]["sha256"]
        reporter.info(f"{req.onnx_path} is up to date (same weights and options)")
    else:
        names, shape, onnx_sha = _export_onnx_files(req, weights_sha, reporter)

    calib_path = req.out_dir / req.calib_relpath if req.precision == "int8" else None
    engine = _engine(req, onnx_sha, calib_path, reporter, onnx_rewritten=not reused)
    reporter.info(engine.message)
    return ExportResult(
        onnx=req.onnx_path,
        labels=req.labels_path,
        sidecar=req.sidecar_path,
        engine=engine,
        calib_cache=calib_path,
        classes=names,
        head=req.head,
        opset=req.resolved_opset,
        output_shape=shape,
        onnx_reused=reused,
        seconds=time.perf_counter() - start,
    )


def _export_onnx_files(
    req: ExportRequest, weights_sha: str, reporter: Reporter
) -> tuple[tuple[str, ...], tuple[int | str, ...], str]:
    from alpr_gen.export.onnx_export import build_head, export_onnx, load_detection_model
    from alpr_gen.export.onnx_export import output_shape as read_output_shape

    with reporter.step(f"Loading {req.weights}"):
        loaded = load_detection_model(req.weights)
    names = loaded.names
    _check_expected_labels(req, names)
    metadata = {
        "alpr_gen.head": req.head,
        "alpr_gen.layout": "x1,y1,x2,y2,score,class",
        "alpr_gen.classes": json.dumps(list(names)),
        "alpr_gen.imgsz": str(req.imgsz),
        # Which padding the graph expects: nvinfer's zeros, filled in the graph with 114/255.
        "alpr_gen.pad_fill": str(PAD_FILL_LEVEL) if req.pad_fill else "none",
    }
    req.onnx_path.parent.mkdir(parents=True, exist_ok=True)
    tmp_onnx = _temp_name(req.onnx_path)
    try:
        with reporter.step(f"Exporting ONNX ({req.head} head, opset {req.resolved_opset})"):
            wrapper = build_head(loaded, req)
            export_onnx(wrapper, req, tmp_onnx, metadata)
        shape = read_output_shape(tmp_onnx)
        onnx_sha = sha256_file(tmp_onnx)
        sidecar = build_sidecar(
            req,
            weights_sha256=weights_sha,
            onnx_sha256=onnx_sha,
            names=names,
            output_shape=shape,
            versions=tool_versions(),
        )
        # Labels and sidecar are small: written atomically after the ONNX is in place. A crash
        # in between leaves a sidecar that no longer matches, so the next run exports again.
        os.chmod(tmp_onnx, default_mode())
        os.replace(tmp_onnx, req.onnx_path)
    finally:
        tmp_onnx.unlink(missing_ok=True)
    write_text_atomic(req.labels_path, labels_text(names))
    write_text_atomic(req.sidecar_path, json.dumps(sidecar, indent=2) + "\n")
    reporter.info(f"wrote {req.onnx_path} (output boxes {list(shape)}), {req.labels_path.name}")
    return names, shape, onnx_sha


def _engine(
    req: ExportRequest,
    onnx_sha: str,
    calib_path: Path | None,
    reporter: Reporter,
    *,
    onnx_rewritten: bool = False,
) -> EngineOutcome:
    from alpr_gen.export.cache import stamp_path
    from alpr_gen.export.engine import (
        EngineSpec,
        build_engine,
        choose_builder,
        find_trtexec,
        tensorrt_available,
    )

    engine_path = req.out_dir / req.engine_relpath
    if req.engine == "skip":
        return EngineOutcome("skipped", engine_path, "engine build skipped (--no-engine)")
    spec = EngineSpec(
        onnx=req.onnx_path,
        engine=engine_path,
        batch=req.batch,
        dynamic=req.dynamic,
        imgsz=req.imgsz,
        precision=req.precision,
        workspace_mb=req.workspace_mb,
        gpu_id=req.gpu_id,
        calib_cache=calib_path,
        deepstream=req.deepstream,
    )
    if choose_builder(tensorrt_available(), find_trtexec()) == "nvinfer":
        outcome = build_engine(spec, onnx_sha)  # nothing to build here: says who builds it, when
        if onnx_rewritten and engine_path.is_file():
            # nvinfer loads model-engine-file whenever it exists, whatever ONNX it came from: an
            # engine of the previous ONNX (other weights, --no-pad-fill) must not stay there.
            stale = engine_path.with_name(engine_path.name + ".stale")
            os.replace(engine_path, stale)
            stamp_path(engine_path).unlink(missing_ok=True)
            moved = f" The engine of the previous ONNX was moved to {stale.name}."
            return EngineOutcome(outcome.status, outcome.path, outcome.message + moved)
        return outcome
    calib_id = _calib_id(req) if req.precision == "int8" else ""
    batches = _calibration_batches(req) if req.precision == "int8" else None
    total = len(batches) if batches is not None and len(batches) else None
    label = "Building TensorRT engine" + (" with int8 calibration" if total else "")
    with reporter.step(f"{label}: {engine_path.name}", total=total) as step:

        def calibrate() -> object:
            from alpr_gen.export.calibrator import (
                CalibrationFeeder,
                make_trt_calibrator,
                torch_to_device,
            )

            if calib_path is None or batches is None:
                raise ExportError("int8 calibration was asked for without a calibration cache path")
            if req.calib_images is not None:
                calib_path.unlink(missing_ok=True)  # new images: never reuse an old cache
            feeder = CalibrationFeeder(batches, calib_path, torch_to_device, step.advance)
            return make_trt_calibrator(feeder)

        return build_engine(spec, onnx_sha, calibrate=calibrate, calib_id=calib_id)


def _calibration_batches(req: ExportRequest) -> CalibrationSource:
    from alpr_gen.export.calibrator import CacheOnly, CalibrationBatches
    from alpr_gen.export.request import list_images

    if req.calib_images is None:  # check_request ensured the cache exists: TensorRT reads it
        return CacheOnly(req.batch)
    files = list_images(req.calib_images, req.calib_max_images)
    return CalibrationBatches(files, req.batch, req.imgsz, req.scaling_filter)


def _calib_id(req: ExportRequest) -> str:
    """Identifies the calibration data: the image list (names, sizes) or the cache bytes."""
    h = hashlib.sha256()
    if req.calib_images is not None:
        from alpr_gen.export.request import list_images

        for p in list_images(req.calib_images, req.calib_max_images):
            h.update(f"{p.relative_to(req.calib_images)}:{p.stat().st_size}\n".encode())
        h.update(f"filter={req.scaling_filter}".encode())
    else:
        cache = req.out_dir / req.calib_relpath
        h.update(cache.read_bytes() if cache.is_file() else b"")
    return h.hexdigest()


def _check_expected_labels(req: ExportRequest, names: tuple[str, ...]) -> None:
    """The model's classes must be the rendered configs' labels, in the same order: nvinfer
    numbers classes by position, so a swapped order makes the OCR read vehicles."""
    expected = req.expected_labels
    if expected is None or tuple(names) == tuple(expected):
        return
    owner = f"site {req.site!r}" if req.site else "the config set"
    what = (
        f"{len(names)} classes, the configs {len(expected)}"
        if len(names) != len(expected)
        else "the same classes in another order"
        if sorted(names) == sorted(expected)
        else "other class names"
    )
    raise ExportError(
        f"--weights {req.weights} was trained with classes {list(names)} (in class-id order), "
        f"but {owner} expects detector.labels = {list(expected)}: the model has {what}",
        hint="export the model trained for this site, or set detector.labels (and "
        "vehicle_class_ids / plate_class_ids) to the model's order and render again",
    )


def _weights_sha(weights: Path) -> str:
    if not weights.is_file():
        raise ExportError(f"--weights {weights}: no such file")
    try:
        return sha256_file(weights)
    except OSError as e:
        raise ExportError(f"--weights {weights}: cannot read it: {e.strerror}") from e


def _check_writable(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".alpr-gen-probe-", dir=out_dir)
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        raise ExportError(
            f"output directory {out_dir} is not writable: {e.strerror}",
            hint="choose another --out, or fix the directory's permissions",
        ) from e


def _temp_name(path: Path) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    return Path(tmp)
