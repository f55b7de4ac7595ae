"""Call the parsers in libnvdsinfer_alpr.so through nvinfer's own C++ ABI, from Python.

nvinfer dlopen()s `custom-lib-path`, dlsym()s the parse function by name and calls it with a
`std::vector<NvDsInferLayerInfo>`, `NvDsInferNetworkInfo` and `NvDsInferParseDetectionParams`
(bbox parsers) or a float threshold (classifier parsers). ctypes cannot build std::vector, so a
small C++ harness (`custom_parsers/harness/harness.cpp`, built into `libalpr_harness.so`) does
exactly that and hands plain C structs back.

Both are built per parser ABI (6: DeepStream 6.3-8.0, 9: 9.x, see alpr_gen.deepstream.versions)
from the parser sources alpr-gen ships (`alpr_gen.resources.data_dir("custom_parsers")`, inside
the wheel when installed) into a cache directory keyed by a hash of the sources, the compiler and
the flags ($ALPR_GEN_CACHE_DIR, else $XDG_CACHE_HOME/alpr-gen, else ~/.cache/alpr-gen); never
into site-packages. The compiler is called with an argv list (alpr_gen.parser_build).

API::

    bridge = ParserBridge.open(abi=9)          # builds once per sources/compiler/ABI, then cached
    res = bridge.bbox("NvDsInferParseAlprYolo", [Layer(out)], num_classes=80,
                      pre_thresholds=[0.25] * 80, net=(640, 640, 3))
    res.ok          # what the parser returned
    res.dets        # float32 [n, 6]: left, top, width, height, confidence, class_id
    res.rotation    # float32 [n]: rotation_angle (always 0 from alpr-gen's parser; 0 on ABI 6)
    res.error       # AlprParserLastError() after the call ("" if none)
    kept = bridge.nms(res.dets, num_classes=80, pre_thresholds=..., iou_thresholds=...)
    ok, attrs, text = bridge.classifier("NvDsInferParseAlprOcr", [Layer(...)], threshold=0.5,
                                        net=(320, 48, 3))
    bridge.bench_bbox(...), bridge.bench_read(...)   # timing loops run in C++ (bench/)

`Layer(array)` describes one layer: dims default to `array.shape`, the data type to the array's
(float32 FLOAT 0, float16 HALF 1, int8 2, int32 3, int64 4, uint8 5), numElements to the product
of dims; each can be overridden (dims=, data_type=, num_elements=, null_buffer=True) to present
malformed layers. The array must stay alive during the call (Layer holds it).
"""

from __future__ import annotations

import ctypes
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np

from alpr_gen.nvinfer.bridge_build import (
    BridgeBuild,
    build_bridge,
    cache_root,
    have_fuzz_compiler,
    parsers_source_dir,
)
from alpr_gen.nvinfer.geometry import as_rows

MAX_DIMS = 8
_DTYPES = {np.dtype(np.float32): 0, np.dtype(np.float16): 1, np.dtype(np.int8): 2,
           np.dtype(np.int32): 3, np.dtype(np.int64): 4, np.dtype(np.uint8): 5}  # fmt: skip
__all__ = [
    "Attribute", "BboxResult", "BridgeBuild", "Layer", "ParserBridge", "build_bridge",
    "cache_root", "have_fuzz_compiler", "parsers_source_dir",
]  # fmt: skip


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
        ("rotation_angle", ctypes.c_float),
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
    _keep: list[object] = field(default_factory=list, repr=False)

    def to_c(self) -> _CLayer:
        arr = None if self.array is None else np.ascontiguousarray(self.array)
        name = self.name.encode()
        self._keep = [arr, name]
        shape = arr.shape if arr is not None else ()
        dims = list(self.dims if self.dims is not None else shape)
        c = _CLayer()
        if self.data_type is not None:
            c.dataType = self.data_type
        elif arr is not None:
            c.dataType = _DTYPES[arr.dtype]
        c.numDims = len(dims)
        for i, v in enumerate(dims[:MAX_DIMS]):
            c.d[i] = v
        n = self.num_elements if self.num_elements is not None else int(np.prod(dims or [0]))
        c.numElements = n & 0xFFFFFFFF
        c.buffer = None if (self.null_buffer or arr is None) else arr.ctypes.data
        c.isInput = int(self.is_input)
        c.name = name
        return c


class BboxResult(NamedTuple):
    ok: bool
    dets: np.ndarray  # [n, 6] float32: left, top, width, height, confidence, class_id
    error: str
    rotation: np.ndarray  # [n] float32: rotation_angle (DeepStream 9.x layout; 0 on ABI 6)


@dataclass(frozen=True)
class Attribute:
    """One NvDsInferAttribute a classifier parser produced (its label already copied out)."""

    index: int
    value: int
    confidence: float
    label: str | None


def _dets_to_arrays(dets: ctypes.Array[_CDet], n: int) -> tuple[np.ndarray, np.ndarray]:
    out = np.zeros((n, 6), np.float32)
    rot = np.zeros(n, np.float32)
    for i in range(n):
        d = dets[i]
        out[i] = (d.left, d.top, d.width, d.height, d.confidence, d.classId)
        rot[i] = d.rotation_angle
    return out, rot


def _floats(values: Sequence[float]) -> ctypes.Array[ctypes.c_float]:
    return (ctypes.c_float * max(len(values), 1))(*values)


def _ints(values: Sequence[int]) -> ctypes.Array[ctypes.c_int]:
    return (ctypes.c_int * max(len(values), 1))(*values)


class ParserBridge:
    """The parser library, opened with dlopen() as nvinfer does, plus the C++ harness."""

    @classmethod
    def open(
        cls, abi: int = 9, *, cache_dir: Path | None = None, sources: Path | None = None
    ) -> ParserBridge:
        """Build (or reuse from the cache) the library and harness for `abi`, and open them."""
        built = build_bridge(abi, cache_dir=cache_dir, sources=sources)
        return cls(built.library, built.harness)

    def __init__(self, lib_path: Path, harness_path: Path) -> None:
        h = ctypes.CDLL(str(harness_path))
        self._h = h
        vp, u, i, f = ctypes.c_void_p, ctypes.c_uint, ctypes.c_int, ctypes.c_float
        h.alpr_h_error.restype = ctypes.c_char_p
        h.alpr_h_abi.restype = i
        h.alpr_h_object_size.restype = u
        h.alpr_h_open.restype = vp
        h.alpr_h_open.argtypes = [ctypes.c_char_p]
        h.alpr_h_symbol.restype = vp
        h.alpr_h_symbol.argtypes = [vp, ctypes.c_char_p]
        lp, fp, ip = ctypes.POINTER(_CLayer), ctypes.POINTER(f), ctypes.POINTER(i)
        dp = ctypes.POINTER(_CDet)
        h.alpr_h_parse_bbox.argtypes = [vp, lp, i, u, u, u, u, fp, i, fp, i, dp, i, ip]
        h.alpr_h_nms.argtypes = [dp, i, u, fp, fp, fp, ip, dp, i]
        h.alpr_h_parse_classifier.argtypes = [
            vp, lp, i, u, u, u, f, ctypes.POINTER(_CAttr), i, ip, ctypes.c_char_p, i,
        ]  # fmt: skip
        dblp = ctypes.POINTER(ctypes.c_double)
        h.alpr_h_bench_bbox.argtypes = [vp, lp, i, u, u, u, fp, i, f, i, i, dblp, ip, ip]
        h.alpr_h_bench_read.restype = ctypes.c_double
        h.alpr_h_bench_read.argtypes = [fp, ctypes.c_size_t, i, i, i, fp]
        self.abi = int(h.alpr_h_abi())  # the layout both were built for (6 or 9)
        self.object_size = int(h.alpr_h_object_size())  # sizeof(NvDsInferObjectDetectionInfo)
        self._lib = h.alpr_h_open(str(lib_path).encode())
        if not self._lib:
            raise OSError(f"dlopen({lib_path}): {h.alpr_h_error().decode()}")
        self.lib_path = lib_path
        self._syms: dict[str, int] = {}
        self._last_error = ctypes.CFUNCTYPE(ctypes.c_char_p)(self.symbol("AlprParserLastError"))
        self._set_logging = ctypes.CFUNCTYPE(None, ctypes.c_int)(
            self.symbol("AlprParserSetStderrLogging")
        )

    def symbol(self, name: str) -> int:
        if name not in self._syms:
            ptr = self._h.alpr_h_symbol(self._lib, name.encode())
            if not ptr:
                raise AttributeError(f"{name} not exported by {self.lib_path}")
            self._syms[name] = ptr
        return self._syms[name]

    def last_error(self) -> str:
        return (self._last_error() or b"").decode()

    def set_stderr_logging(self, enabled: bool) -> None:
        self._set_logging(int(enabled))

    @staticmethod
    def _layers(layers: Sequence[Layer]) -> ctypes.Array[_CLayer]:
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
        dets, rotation = _dets_to_arrays(out, min(count.value, capacity))
        return BboxResult(bool(ok), dets, self.last_error(), rotation)

    def nms(
        self,
        dets: np.ndarray,
        *,
        num_classes: int,
        pre_thresholds: Sequence[float],
        iou_thresholds: Sequence[float],
        post_thresholds: Sequence[float] | None = None,
        topk: Sequence[int] | None = None,
    ) -> np.ndarray:
        """nvinfer cluster-mode=2 as the C++ reference (harness/nvinfer_nms.h) computes it, over
        [n, 6] detections; post-cluster thresholds 0 and topk -1 unless given."""
        rows = as_rows(dets, min_columns=6)
        n = len(rows)
        src = (_CDet * max(n, 1))()
        for k, row in enumerate(rows):
            src[k] = _CDet(int(row[5]), *(float(v) for v in row[:5]), 0.0)
        out = (_CDet * max(n, 1))()
        kept = self._h.alpr_h_nms(
            src, n, num_classes, _floats(pre_thresholds), _floats(iou_thresholds),
            _floats(post_thresholds) if post_thresholds is not None else None,
            _ints(topk) if topk is not None else None, out, n,
        )  # fmt: skip
        return _dets_to_arrays(out, kept)[0]

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
        return float(
            self._h.alpr_h_bench_read(ptr, per_frame, len(a), iters, repeats, ctypes.byref(sink))
        )
