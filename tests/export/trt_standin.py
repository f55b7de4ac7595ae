"""Stand-in `tensorrt` modules for 8.6, 10.x and 11 that record every call. TensorRT is NOT run.

Each stand-in has exactly the names its version's Python API has for what alpr-gen touches, and
lacks the ones that version removed, so code that reaches for a missing name fails here with the
AttributeError it would meet on the real module:

- 8.6: NetworkDefinitionCreationFlag.EXPLICIT_BATCH (implicit batch still exists:
  Builder.max_batch_size), BuilderFlag.FP16/INT8, IInt8EntropyCalibrator2,
  IBuilderConfig.int8_calibrator / set_calibration_profile; no STRONGLY_TYPED.
- 10.x: as 8.6 without implicit batch (no Builder.max_batch_size) and with STRONGLY_TYPED.
- 11: no BuilderFlag.FP16/INT8, no calibrator, no int8_calibrator, no set_calibration_profile,
  no EXPLICIT_BATCH; STRONGLY_TYPED kept.

`build_serialized_network` follows the calibration protocol as TensorRT documents it (read the
cache; if there is none, ask for batches until get_batch returns None, then hand the cache to
write_calibration_cache) and refuses what TensorRT's documentation says it refuses: precision
flags on a strongly typed network, INT8 calibration of a dynamic network without a calibration
profile. What the real TensorRT computes is not imitated: the "engine" is a JSON record.
"""

from __future__ import annotations

import enum
import importlib.machinery
import json
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Record:
    """Everything the code under test asked the stand-in for."""

    version: str
    network_flags: list[str] = field(default_factory=list)
    parsed: list[str] = field(default_factory=list)
    parsed_io_types: list[tuple[list[int], list[int]]] = field(default_factory=list)
    parsed_initializer_types: list[set[int]] = field(default_factory=list)
    builder_flags: list[str] = field(default_factory=list)
    workspace: int | None = None
    profiles: list[tuple[str, tuple[int, ...], tuple[int, ...], tuple[int, ...]]] = field(
        default_factory=list
    )
    calibration_profile: list[tuple[int, ...]] | None = None
    calibrator: Any = None
    calls: list[str] = field(default_factory=list)  # the calibrator protocol, in order
    batches: list[list[int]] = field(default_factory=list)
    builds: int = 0


def make_tensorrt(version: str) -> tuple[types.ModuleType, Record]:
    """A stand-in module for TensorRT `version` ("8.6.1", "10.3.0", "11.4.0") and its record."""
    major = int(version.split(".")[0])
    rec = Record(version)
    trt = types.ModuleType("tensorrt")
    trt.__version__ = version
    trt.__spec__ = importlib.machinery.ModuleSpec("tensorrt", None)

    class Severity(enum.Enum):
        INTERNAL_ERROR = 0
        ERROR = 1
        WARNING = 2
        INFO = 3
        VERBOSE = 4

    class ILogger:
        def __init__(self) -> None:
            pass

        def log(self, severity: Severity, msg: str) -> None:
            pass

    ILogger.Severity = Severity  # type: ignore[attr-defined]

    class Logger(ILogger):
        WARNING = Severity.WARNING

        def __init__(self, min_severity: Severity = Severity.WARNING) -> None:
            super().__init__()

    creation_names = (["EXPLICIT_BATCH"] if major < 11 else []) + (
        ["STRONGLY_TYPED"] if major >= 10 else []
    )
    creation = enum.IntEnum(
        "NetworkDefinitionCreationFlag", {n: i for i, n in enumerate(creation_names)}
    )
    builder_flag = enum.Enum(
        "BuilderFlag", {n: n for n in (["FP16", "INT8"] if major < 11 else []) + ["TF32"]}
    )
    memory_pool = enum.Enum("MemoryPoolType", {"WORKSPACE": 0})

    class Network:
        def __init__(self, flags: int) -> None:
            self.flags = flags
            self.inputs: list[tuple[str, list[int]]] = []

        @property
        def strongly_typed(self) -> bool:
            return "STRONGLY_TYPED" in rec.network_flags

    class OnnxParser:
        def __init__(self, network: Network, logger: ILogger) -> None:
            self.network = network

        def parse_from_file(self, path: str) -> bool:
            import onnx

            model = onnx.load(path)
            rec.parsed.append(path)
            graph = model.graph
            rec.parsed_io_types.append(
                (
                    [i.type.tensor_type.elem_type for i in graph.input],
                    [o.type.tensor_type.elem_type for o in graph.output],
                )
            )
            rec.parsed_initializer_types.append({t.data_type for t in graph.initializer})
            for i in graph.input:
                dims = [d.dim_value if d.dim_value else -1 for d in i.type.tensor_type.shape.dim]
                self.network.inputs.append((i.name, dims))
            return True

        num_errors = 0

        def get_error(self, i: int) -> str:
            raise IndexError(i)

    class Profile:
        def __init__(self) -> None:
            self.shapes: dict[str, tuple[tuple[int, ...], ...]] = {}

        def set_shape(
            self, name: str, lo: tuple[int, ...], opt: tuple[int, ...], hi: tuple[int, ...]
        ) -> None:
            self.shapes[name] = (tuple(lo), tuple(opt), tuple(hi))

    config_attrs: dict[str, Any] = {}

    def set_memory_pool_limit(self: Any, pool: Any, size: int) -> None:
        assert pool is memory_pool.WORKSPACE
        rec.workspace = size

    def add_optimization_profile(self: Any, profile: Profile) -> int:
        for name, (lo, opt, hi) in profile.shapes.items():
            rec.profiles.append((name, lo, opt, hi))
        self.profiles.append(profile)
        return len(self.profiles) - 1

    def set_flag(self: Any, flag: Any) -> None:
        assert isinstance(flag, builder_flag)
        rec.builder_flags.append(flag.name)

    config_attrs.update(
        set_memory_pool_limit=set_memory_pool_limit,
        add_optimization_profile=add_optimization_profile,
        set_flag=set_flag,
    )
    if major < 11:

        def set_calibration_profile(self: Any, profile: Profile) -> None:
            rec.calibration_profile = [s[1] for s in profile.shapes.values()]

        config_attrs["set_calibration_profile"] = set_calibration_profile
        slots: tuple[str, ...] = ("profiles", "int8_calibrator")
    else:
        slots = ("profiles",)  # assigning int8_calibrator raises AttributeError, as on 11
    config_attrs["__slots__"] = slots  # int8_calibrator is a slot: hasattr() sees it on the class
    IBuilderConfig = type("IBuilderConfig", (), config_attrs)

    def new_config() -> Any:
        cfg = IBuilderConfig()
        cfg.profiles = []
        if major < 11:
            cfg.int8_calibrator = None
        return cfg

    class Builder:
        def __init__(self, logger: ILogger) -> None:
            assert isinstance(logger, ILogger)
            self.logger = logger

        def create_network(self, flags: int) -> Network:
            rec.network_flags = [f.name for f in creation if flags & (1 << int(f))]
            return Network(flags)

        def create_builder_config(self) -> Any:
            return new_config()

        def create_optimization_profile(self) -> Profile:
            return Profile()

        def build_serialized_network(self, network: Network, config: Any) -> bytes | None:
            rec.builds += 1
            if network.strongly_typed and rec.builder_flags:
                self.logger.log(Severity.ERROR, "precision flags on a strongly typed network")
                return None
            dynamic = any(-1 in dims for _, dims in network.inputs)
            if dynamic and not config.profiles:
                self.logger.log(Severity.ERROR, "no optimization profile has been defined")
                return None
            if "INT8" in rec.builder_flags:
                calibrator = config.int8_calibrator
                rec.calibrator = calibrator
                if calibrator is None:
                    self.logger.log(Severity.ERROR, "INT8 without a calibrator")
                    return None
                if dynamic and rec.calibration_profile is None:
                    self.logger.log(Severity.ERROR, "calibration profile not set")
                    return None
                if not _calibrate(calibrator, network):
                    self.logger.log(Severity.ERROR, "calibration got no batches")
                    return None
            return json.dumps({"standin": version, "flags": rec.builder_flags}).encode()

    def _calibrate(calibrator: Any, network: Network) -> bool:
        rec.calls.append("read_calibration_cache")
        if calibrator.read_calibration_cache():
            return True
        rec.calls.append("get_batch_size")
        calibrator.get_batch_size()
        names = [name for name, _ in network.inputs]
        while True:
            rec.calls.append("get_batch")
            pointers = calibrator.get_batch(names)
            if not pointers:
                break
            assert len(pointers) == len(names)
            rec.batches.append(list(pointers))
        if not rec.batches:
            return False
        rec.calls.append("write_calibration_cache")
        code = "".join(f"{int(p):02d}" for p in version.split(".")[:3])
        calibrator.write_calibration_cache(
            memoryview(f"TRT-{code}-EntropyCalibration2\nimages: 3c010204\n".encode())
        )
        return True

    trt.ILogger = ILogger
    trt.Logger = Logger
    trt.NetworkDefinitionCreationFlag = creation
    trt.BuilderFlag = builder_flag
    trt.MemoryPoolType = memory_pool
    trt.OnnxParser = OnnxParser
    trt.IBuilderConfig = IBuilderConfig
    trt.Builder = Builder
    if major < 10:
        Builder.max_batch_size = 1  # implicit batch: exists before 10 only
    if major < 11:

        class IInt8EntropyCalibrator2:
            def __init__(self) -> None:
                pass

        trt.IInt8EntropyCalibrator2 = IInt8EntropyCalibrator2
    return trt, rec


def written_engine(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_bytes())
    return data
