"""Call the parsers in libnvdsinfer_alpr.so through nvinfer's own C++ ABI, from Python.

nvinfer dlopen()s `custom-lib-path`, dlsym()s the parse function by name and calls it with a
`std::vector<NvDsInferLayerInfo>`, `NvDsInferNetworkInfo` and `NvDsInferParseDetectionParams`
(bbox parsers) or a float threshold (classifier parsers). ctypes cannot build std::vector, so a
small C++ harness (`custom_parsers/harness/harness.cpp`, built into `libalpr_harness.so`) does
exactly that and hands plain C structs back.

API::

    lib_path = build_library(build_dir)           # make -C custom_parsers BUILD=build_dir
    harness = ParserHarness(lib_path, build_harness(build_dir))
    res = harness.bbox("NvDsInferParseAlprYolo", [Layer(out)], num_classes=80,
                       pre_thresholds=[0.25] * 80, net=(640, 640, 3))
    res.ok          # what the parser returned
    res.dets        # float32 array [n, 6]: left, top, width, height, confidence, class_id
    res.error       # AlprParserLastError() after the call ("" if none)
    kept = harness.nms(res.dets, num_classes=80, pre_thresholds=..., iou_thresholds=...)
    ok, attrs, text = harness.classifier("NvDsInferParseAlprOcr", [Layer(...)], threshold=0.5,
                                         net=(320, 48, 3))
        # attrs: list[Attribute(index, value, confidence, label)]; labels were free()d as
        # nvinfer does after copying them out.
    harness.bench_bbox(...), harness.bench_read(...)   # timing loops run in C++ (bench/)

`Layer(array)` describes one layer: dims default to `array.shape`, the data type to the array's
(float32 -> FLOAT 0, float16 -> HALF 1, int8 -> 2, int32 -> 3), numElements to the product of
dims; each can be overridden (dims=..., data_type=..., num_elements=..., null_buffer=True) to
present malformed layers. The array must stay alive during the call (Layer holds it).
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

MAX_DIMS = 8
_DTYPES = {np.dtype(np.float32): 0, np.dtype(np.float16): 1, np.dtype(np.int8): 2,
           np.dtype(np.int32): 3}  # fmt: skip


def parsers_source_dir() -> Path:
    """custom_parsers/ of this checkout (tests run from the repository)."""
    return Path(__file__).resolve().parents[2] / "custom_parsers"


def _make(target: str, build_dir: Path, extra: Sequence[str] = ()) -> None:
    argv = ["make", "-s", "-C", str(parsers_source_dir()), f"BUILD={build_dir}", target, *extra]
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{proc.stdout}{proc.stderr}")


def build_library(build_dir: Path) -> Path:
    """Build libnvdsinfer_alpr.so (own ABI header) into build_dir; return its path."""
    _make("all", Path(build_dir))
    return Path(build_dir) / "libnvdsinfer_alpr.so"


def build_harness(build_dir: Path) -> Path:
    """Build libalpr_harness.so into build_dir; return its path."""
    _make("harness", Path(build_dir))
    return Path(build_dir) / "libalpr_harness.so"


def have_fuzz_compiler() -> bool:
    return shutil.which(os.environ.get("FUZZ_CXX", "clang++-14")) is not None


class _CLayer(ctypes.Structure):
    _fields_ = [
        ("dataType", ctypes.c_int),
        ("numDims", ctypes.c_uint),
        ("d", ctypes.c_uint * MAX_DIMS),
        ("numElements", ctypes.c_uint),
        ("buffer", ctypes.c_void_p),
        ("isInput", ctypes.c_int),
        ("name", ctypes.c_char_p),
    ]


class _CDet(ctypes.Structure):
    _fields_ = [
        ("classId", ctypes.c_uint),
        ("left", ctypes.c_float),
        ("top", ctypes.c_float),
        ("width", ctypes.c_float),
        ("height", ctypes.c_float),
        ("confidence", ctypes.c_float),
    ]


class _CAttr(ctypes.Structure):
    _fields_ = [
        ("index", ctypes.c_uint),
        ("value", ctypes.c_uint),
        ("confidence", ctypes.c_float),
        ("hasLabel", ctypes.c_int),
        ("label", ctypes.c_char * 256),
    ]


@dataclass
class Layer:
    """One NvDsInferLayerInfo; overrides present malformed layers."""

    array: np.ndarray | None
    name: str = "output0"
    is_input: bool = False
    dims: Sequence[int] | None = None
    data_type: int | None = None
    num_elements: int | None = None
    null_buffer: bool = False
    _keep: list[Any] = field(default_factory=list, repr=False)

    def to_c(self) -> _CLayer:
        arr = None if self.array is None else np.ascontiguousarray(self.array)
        self._keep = [arr, self.name.encode()]
        dims = list(self.dims if self.dims is not None else (arr.shape if arr is not None else ()))
        c = _CLayer()
        c.dataType = self.data_type if self.data_type is not None else _DTYPES[arr.dtype]
        c.numDims = len(dims)
        for i, v in enumerate(dims[:MAX_DIMS]):
            c.d[i] = v
        n = self.num_elements if self.num_elements is not None else int(np.prod(dims or [0]))
        c.numElements = n & 0xFFFFFFFF
        c.buffer = None if (self.null_buffer or arr is None) else arr.ctypes.data
        c.isInput = int(self.is_input)
        c.name = self._keep[1]
        return c


class BboxResult(NamedTuple):
    ok: bool
    dets: np.ndarray  # [n, 6] float32: left, top, width, height, confidence, class_id
    error: str


class Attribute(NamedTuple):
    index: int
    value: int
    confidence: float
    label: str | None


def _dets_to_array(dets: ctypes.Array, n: int) -> np.ndarray:
    out = np.zeros((n, 6), np.float32)
    for i in range(n):
        d = dets[i]
        out[i] = (d.left, d.top, d.width, d.height, d.confidence, d.classId)
    return out


def _floats(values: Sequence[float]) -> ctypes.Array:
    return (ctypes.c_float * max(len(values), 1))(*values)


class ParserHarness:
    """The parser library, opened with dlopen() as nvinfer does, plus the C++ harness."""

    def __init__(self, lib_path: Path, harness_path: Path) -> None:
        h = ctypes.CDLL(str(harness_path))
        self._h = h
        vp, u, i, f = ctypes.c_void_p, ctypes.c_uint, ctypes.c_int, ctypes.c_float
        h.alpr_h_error.restype = ctypes.c_char_p
        h.alpr_h_open.restype = vp
        h.alpr_h_open.argtypes = [ctypes.c_char_p]
        h.alpr_h_symbol.restype = vp
        h.alpr_h_symbol.argtypes = [vp, ctypes.c_char_p]
        lp, fp, ip = ctypes.POINTER(_CLayer), ctypes.POINTER(f), ctypes.POINTER(i)
        dp = ctypes.POINTER(_CDet)
        h.alpr_h_parse_bbox.argtypes = [vp, lp, i, u, u, u, u, fp, i, fp, i, dp, i, ip]
        h.alpr_h_nms.argtypes = [dp, i, u, fp, fp, dp, i]
        h.alpr_h_parse_classifier.argtypes = [
            vp, lp, i, u, u, u, f, ctypes.POINTER(_CAttr), i, ip, ctypes.c_char_p, i,
        ]  # fmt: skip
        dblp = ctypes.POINTER(ctypes.c_double)
        h.alpr_h_bench_bbox.argtypes = [vp, lp, i, u, u, u, fp, i, f, i, i, dblp, ip, ip]
        h.alpr_h_bench_read.restype = ctypes.c_double
        h.alpr_h_bench_read.argtypes = [fp, ctypes.c_size_t, i, i, i, fp]
        self._lib = h.alpr_h_open(str(lib_path).encode())
        if not self._lib:
            raise OSError(f"dlopen({lib_path}): {h.alpr_h_error().decode()}")
        self._lib_path = lib_path
        self._syms: dict[str, int] = {}
        last = self.symbol("AlprParserLastError")
        self._last_error = ctypes.CFUNCTYPE(ctypes.c_char_p)(last)
        self._set_logging = ctypes.CFUNCTYPE(None, ctypes.c_int)(
            self.symbol("AlprParserSetStderrLogging")
        )

    def symbol(self, name: str) -> int:
        if name not in self._syms:
            ptr = self._h.alpr_h_symbol(self._lib, name.encode())
            if not ptr:
                raise AttributeError(f"{name} not exported by {self._lib_path}")
            self._syms[name] = ptr
        return self._syms[name]

    def last_error(self) -> str:
        return (self._last_error() or b"").decode()

    def set_stderr_logging(self, enabled: bool) -> None:
        self._set_logging(int(enabled))

    @staticmethod
    def _layers(layers: Sequence[Layer]) -> ctypes.Array:
        arr = (_CLayer * max(len(layers), 1))()
        for k, layer in enumerate(layers):
            arr[k] = layer.to_c()
        return arr

    def bbox(
        self,
        func: str,
        layers: Sequence[Layer],
        *,
        num_classes: int,
        pre_thresholds: Sequence[float],
        post_thresholds: Sequence[float] | None = None,
        net: tuple[int, int, int] = (640, 640, 3),
        capacity: int = 100_000,
    ) -> BboxResult:
        fn = self.symbol(func)
        c_layers = self._layers(layers)
        post = list(post_thresholds if post_thresholds is not None else [0.0] * len(pre_thresholds))
        out = (_CDet * capacity)()
        count = ctypes.c_int(0)
        ok = self._h.alpr_h_parse_bbox(
            fn, c_layers, len(layers), net[0], net[1], net[2], num_classes,
            _floats(pre_thresholds), len(pre_thresholds), _floats(post), len(post),
            out, capacity, ctypes.byref(count),
        )  # fmt: skip
        n = min(count.value, capacity)
        return BboxResult(bool(ok), _dets_to_array(out, n), self.last_error())

    def nms(
        self,
        dets: np.ndarray,
        *,
        num_classes: int,
        pre_thresholds: Sequence[float],
        iou_thresholds: Sequence[float],
    ) -> np.ndarray:
        """nvinfer cluster-mode=2 (C++ in harness/nvinfer_nms.h) over [n, 6] detections."""
        n = len(dets)
        src = (_CDet * max(n, 1))()
        for k, (left, top, w, h, conf, cls) in enumerate(np.asarray(dets, np.float32)):
            src[k] = _CDet(int(cls), left, top, w, h, conf)
        out = (_CDet * max(n, 1))()
        kept = self._h.alpr_h_nms(
            src, n, num_classes, _floats(pre_thresholds), _floats(iou_thresholds), out, n
        )
        return _dets_to_array(out, kept)

    def classifier(
        self,
        func: str,
        layers: Sequence[Layer],
        *,
        threshold: float,
        net: tuple[int, int, int],
        capacity: int = 256,
    ) -> tuple[bool, list[Attribute], str]:
        fn = self.symbol(func)
        c_layers = self._layers(layers)
        out = (_CAttr * capacity)()
        count = ctypes.c_int(0)
        text = ctypes.create_string_buffer(4096)
        ok = self._h.alpr_h_parse_classifier(
            fn, c_layers, len(layers), net[0], net[1], net[2], threshold, out, capacity,
            ctypes.byref(count), text, len(text),
        )  # fmt: skip
        attrs = [
            Attribute(a.index, a.value, a.confidence, a.label.decode() if a.hasLabel else None)
            for a in out[: min(count.value, capacity)]
        ]
        return bool(ok), attrs, text.value.decode()

    def bench_bbox(
        self,
        func: str,
        frames: Sequence[Layer],
        *,
        num_classes: int,
        threshold: float,
        with_nms: bool,
        iou: float = 0.45,
        net: tuple[int, int] = (640, 640),
        iters: int = 200,
        repeats: int = 5,
    ) -> tuple[float, int, int]:
        """(µs per call, objects parsed, objects after NMS), timed in C++ (best of repeats).

        Each Layer in `frames` is one frame's single output, used in turn (several frames whose
        total exceeds the last-level cache measure reads from memory)."""
        us = ctypes.c_double(0)
        parsed, kept = ctypes.c_int(0), ctypes.c_int(0)
        ok = self._h.alpr_h_bench_bbox(
            self.symbol(func), self._layers(frames), len(frames), net[0], net[1], num_classes,
            _floats([threshold] * num_classes), int(with_nms), iou, iters, repeats,
            ctypes.byref(us), ctypes.byref(parsed), ctypes.byref(kept),
        )  # fmt: skip
        if not ok:
            raise RuntimeError(f"{func} returned false: {self.last_error()}")
        return us.value, parsed.value, kept.value

    def bench_read(self, frames: np.ndarray, *, iters: int = 200, repeats: int = 5) -> float:
        """µs to read one frame (frames[i], float32) once: the floor for any parser of it."""
        a = np.ascontiguousarray(frames, np.float32)
        sink = ctypes.c_float(0)
        ptr = a.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
        per_frame = a[0].size
        return self._h.alpr_h_bench_read(ptr, per_frame, len(a), iters, repeats, ctypes.byref(sink))
