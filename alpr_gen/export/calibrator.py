"""INT8 calibration: images preprocessed exactly as nvinfer preprocesses frames, fed to TensorRT.

The preprocessing is alpr_gen.nvinfer.preprocess with the rendered PGIE's settings
(`calibration_spec`): maintain-aspect-ratio=1, symmetric-padding=1, model-color-format=0 (RGB),
net-scale-factor 1/255, no offsets, and the config's scaling-filter. What the common mistake gets
wrong (a centre crop, a top-left pad, BGR, /255 missing) is matched; the GPU/VIC resamplers are
not bit-exact with OpenCV's, which moves a few pixel values by a grey level, and calibration
statistics do not notice.

Calibrate with frames at the resolution nvinfer sees: the streammux output size.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from alpr_gen.deepstream.facts import NET_SCALE_1_255, ColorFormat
from alpr_gen.errors import ExportError, NvinferError
from alpr_gen.nvinfer.settings import PreprocessSpec


def calibration_spec(imgsz: int, scaling_filter: int = 0) -> PreprocessSpec:
    """The PGIE's preprocessing as templates/pgie_yolo11.txt.j2 renders it, for an imgsz input."""
    return PreprocessSpec(
        net_width=imgsz,
        net_height=imgsz,
        channels=3,
        color_format=ColorFormat.RGB,
        net_scale_factor=float(NET_SCALE_1_255),
        maintain_aspect_ratio=True,
        symmetric_padding=True,
        scaling_filter=scaling_filter,
    )


class CalibrationBatches:
    """Full batches [batch, 3, H, W] of preprocessed images; a short last batch is dropped."""

    def __init__(
        self, files: Sequence[Path], batch: int, imgsz: int, scaling_filter: int = 0
    ) -> None:
        if len(files) < batch:
            raise ExportError(
                f"calibration needs at least {batch} images (one batch), found {len(files)}",
                hint="point --calib-images at a folder of a few hundred frames from the cameras",
            )
        self.files = list(files)
        self.batch = batch
        self.imgsz = imgsz
        self.scaling_filter = scaling_filter

    def __len__(self) -> int:
        return len(self.files) // self.batch

    def __iter__(self) -> Iterator[np.ndarray]:
        import cv2

        from alpr_gen.nvinfer.preprocess import preprocess

        spec = calibration_spec(self.imgsz, self.scaling_filter)
        for i in range(len(self)):
            chunk = self.files[i * self.batch : (i + 1) * self.batch]
            out = np.empty((self.batch, 3, self.imgsz, self.imgsz), dtype=np.float32)
            for j, path in enumerate(chunk):
                img = cv2.imread(str(path), cv2.IMREAD_COLOR)
                if img is None:
                    raise ExportError(f"calibration image {path}: cannot be decoded")
                try:
                    out[j] = preprocess(img, spec, channel_order="BGR").tensor
                except NvinferError as exc:
                    raise ExportError(f"calibration image {path}: {exc.message}") from None
            yield out


class CalibrationSource(Protocol):
    batch: int

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[np.ndarray]: ...


class CacheOnly:
    """No images, an existing cache: TensorRT reads the cache and never asks for a batch."""

    def __init__(self, batch: int) -> None:
        self.batch = batch

    def __len__(self) -> int:
        return 0

    def __iter__(self) -> Iterator[np.ndarray]:
        return iter(())


class CalibrationFeeder:
    """TensorRT's calibrator protocol without TensorRT: batches in, device pointers out.

    `to_device` copies a host batch to the GPU and returns (pointer, keep-alive object); the object
    is held until the next batch so the memory stays valid while TensorRT reads it.
    """

    def __init__(
        self,
        batches: CalibrationSource,
        cache_path: Path,
        to_device: Callable[[np.ndarray], tuple[int, object]],
        on_batch: Callable[[int, int], None] | None = None,
    ) -> None:
        self.batches = batches
        self.cache_path = cache_path
        self.to_device = to_device
        self.on_batch = on_batch
        self._iter: Iterator[np.ndarray] = iter(batches)
        self._alive: object = None
        self.fed = 0

    def get_batch_size(self) -> int:
        return self.batches.batch

    def get_batch(self, names: Sequence[str]) -> list[int] | None:
        try:
            host = next(self._iter)
        except StopIteration:
            self._alive = None
            return None
        pointer, self._alive = self.to_device(host)
        self.fed += 1
        if self.on_batch:
            self.on_batch(self.fed, len(self.batches))
        return [pointer] * len(names)

    def read_calibration_cache(self) -> bytes | None:
        # Only a cache written for this same ONNX is reused; the pipeline deletes stale ones.
        return self.cache_path.read_bytes() if self.cache_path.is_file() else None

    def write_calibration_cache(self, cache: bytes | memoryview) -> None:
        from alpr_gen.fsutil import write_bytes_atomic

        write_bytes_atomic(self.cache_path, bytes(cache))


def torch_to_device(host: np.ndarray) -> tuple[int, object]:
    """Copy a batch to the current CUDA device with torch (no pycuda needed)."""
    import torch

    dev = torch.from_numpy(host).cuda().contiguous()
    return int(dev.data_ptr()), dev


def make_trt_calibrator(feeder: CalibrationFeeder) -> object:
    """An IInt8EntropyCalibrator2 that delegates to `feeder` (needs tensorrt 8.5 .. 10.x).

    TensorRT 10.1 deprecated the calibrator (it still works there: nvinfer 7.1-9.x uses it for
    int8-calib-file); TensorRT 11 removed it, which the engine step refuses before getting here.
    TensorRT writes the cache through `write_calibration_cache` once calibration ends; the
    rendered config names that file as int8-calib-file, so nvinfer reads it and never calibrates.
    """
    import tensorrt as trt

    if not hasattr(trt, "IInt8EntropyCalibrator2"):
        raise ExportError(
            f"TensorRT {getattr(trt, '__version__', '?')} has no INT8 entropy calibrator",
            hint="pip install 'tensorrt>=10,<11'; or export --precision fp16",
        )

    class EntropyCalibrator(trt.IInt8EntropyCalibrator2):
        def __init__(self) -> None:
            trt.IInt8EntropyCalibrator2.__init__(self)

        def get_batch_size(self) -> int:
            return feeder.get_batch_size()

        def get_batch(self, names: list[str]) -> list[int] | None:
            return feeder.get_batch(names)

        def read_calibration_cache(self) -> bytes | None:
            return feeder.read_calibration_cache()

        def write_calibration_cache(self, cache: memoryview) -> None:
            feeder.write_calibration_cache(cache)

    return EntropyCalibrator()
