"""The engine step against stand-in `tensorrt` modules for 8.6, 10.x and 11. TensorRT is NOT run.

The stand-ins (tests/export/trt_standin.py) have the API names of each version and record every
call, so these tests show which flags, profiles and calibrator calls alpr-gen makes on each
version, that TensorRT 11 ends in an ExportError or a strongly typed build (never an
AttributeError), and that INT8 writes the calibration cache the rendered config names. Whether
the real TensorRT builds a good engine from those calls is not tested here (no GPU, no TensorRT).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from onnx import TensorProto

from alpr_gen.errors import ExportError
from alpr_gen.export import engine as engine_mod
from alpr_gen.export.calibrator import (
    CacheOnly,
    CalibrationBatches,
    CalibrationFeeder,
    make_trt_calibrator,
)
from alpr_gen.export.engine import EngineSpec, build_engine
from alpr_gen.export.trt_features import module_features, plan_build

from .trt_standin import Record, make_tensorrt, written_engine

VERSIONS = ("8.6.1", "10.3.0", "11.4.0")


@pytest.fixture
def use_tensorrt(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Callable[[str], tuple[object, Record]]:
    """Install a stand-in `tensorrt` for one version; no trtexec, a fixed GPU name."""
    monkeypatch.setenv("PATH", str(tmp_path / "no-trtexec"))
    monkeypatch.setattr(engine_mod, "gpu_name", lambda gpu_id: "Test GPU")

    def install(version: str) -> tuple[object, Record]:
        trt, rec = make_tensorrt(version)
        monkeypatch.setitem(sys.modules, "tensorrt", trt)
        return trt, rec

    return install


def tiny_onnx(path: Path, batch: int | str = 1, size: int = 32) -> Path:
    """A one-Conv graph with the detector's input name, float32 weights."""
    import onnx
    from onnx import helper, numpy_helper

    weight = numpy_helper.from_array(np.full((6, 3, 1, 1), 0.5, np.float32), "w")
    graph = helper.make_graph(
        [helper.make_node("Conv", ["images", "w"], ["boxes"])],
        "tiny",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, [batch, 3, size, size])],
        [helper.make_tensor_value_info("boxes", TensorProto.FLOAT, [batch, 6, size, size])],
        [weight],
    )
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)
    return path


def engine_spec(tmp_path: Path, **kw: object) -> EngineSpec:
    dynamic = bool(kw.get("dynamic", False))
    onnx = tiny_onnx(tmp_path / "m.onnx", "batch" if dynamic else int(kw.get("batch", 1)))  # type: ignore[call-overload]
    base = EngineSpec(
        onnx=onnx,
        engine=tmp_path / "m.onnx_b1_gpu0_fp16.engine",
        batch=1,
        dynamic=False,
        imgsz=32,
        precision="fp16",
        workspace_mb=256,
        gpu_id=0,
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def test_features_are_read_from_the_module() -> None:
    f8, f10, f11 = (module_features(make_tensorrt(v)[0]) for v in VERSIONS)  # type: ignore[arg-type]
    assert (f8.explicit_batch_flag, f8.strongly_typed_flag, f8.fp16_flag, f8.int8_calibration) == (
        True,
        False,
        True,
        True,
    )
    assert (f10.explicit_batch_flag, f10.strongly_typed_flag, f10.fp16_flag) == (False, True, True)
    assert f10.int8_calibration and f10.calibration_profile
    assert (f11.fp16_flag, f11.int8_calibration, f11.calibration_profile) == (False, False, False)
    assert f11.strongly_typed_flag and f11.version == "11.4.0"
    assert plan_build(f11, "fp16", True, "x").describe() == (
        "strongly typed, FP16 from an FP16 copy of the ONNX"
    )


@pytest.mark.parametrize(
    ("version", "network_flags", "builder_flags"),
    [
        ("8.6.1", ["EXPLICIT_BATCH"], ["FP16"]),
        ("10.3.0", [], ["FP16"]),
        ("11.4.0", ["STRONGLY_TYPED"], []),
    ],
)
def test_fp16_build_per_version(
    tmp_path: Path,
    use_tensorrt: Callable[[str], tuple[object, Record]],
    version: str,
    network_flags: list[str],
    builder_flags: list[str],
) -> None:
    _, rec = use_tensorrt(version)
    s = engine_spec(tmp_path, dynamic=True, batch=4)
    out = build_engine(s, "aa" * 32)
    assert out.status == "built-tensorrt", out.message
    assert rec.network_flags == network_flags and rec.builder_flags == builder_flags
    assert rec.profiles == [("images", (1, 3, 32, 32), (4, 3, 32, 32), (4, 3, 32, 32))]
    assert rec.workspace == 256 << 20
    assert written_engine(s.engine)["standin"] == version
    (inputs, outputs), initializers = rec.parsed_io_types[0], rec.parsed_initializer_types[0]
    assert inputs == outputs == [TensorProto.FLOAT]  # nvinfer's bindings stay float32
    if version.startswith("11"):
        # strongly typed: TensorRT parsed an FP16 copy, which is gone afterwards
        assert rec.parsed[0] != str(s.onnx) and initializers == {TensorProto.FLOAT16}
        assert not Path(rec.parsed[0]).exists()
        assert "strongly typed" in out.message
        assert "no DeepStream release runs TensorRT 11" in out.message
    else:
        assert rec.parsed == [str(s.onnx)] and initializers == {TensorProto.FLOAT}
        assert "no DeepStream release" not in out.message
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == sorted(
        ["m.onnx", s.engine.name, s.engine.name + ".stamp.json"]
    )


def calibrated_build(
    tmp_path: Path, version: str, sources: list[object]
) -> tuple[EngineSpec, list[np.ndarray], Callable[[], object]]:
    """An int8 spec and a calibrate() feeding `sources` in turn; host arrays stand in for GPU."""
    s = engine_spec(
        tmp_path, dynamic=True, batch=2, precision="int8", calib_cache=tmp_path / "m.onnx.calib"
    )
    fed: list[np.ndarray] = []

    def to_device(host: np.ndarray) -> tuple[int, object]:
        fed.append(host)
        return 1000 + len(fed), host

    def calibrate() -> object:
        assert s.calib_cache is not None
        feeder = CalibrationFeeder(sources.pop(0), s.calib_cache, to_device)  # type: ignore[arg-type]
        return make_trt_calibrator(feeder)

    return s, fed, calibrate


@pytest.mark.parametrize("version", ["8.6.1", "10.3.0"])
def test_int8_calibration_writes_the_cache_nvinfer_reads(
    tmp_path: Path,
    use_tensorrt: Callable[[str], tuple[object, Record]],
    sample_images: list[Path],
    version: str,
) -> None:
    """TensorRT 8.6/10 (stand-in): the calibrator is fed every batch at the calibration profile's
    shape, the cache is written to int8-calib-file's path, and a second build only reads it."""
    trt, rec = use_tensorrt(version)
    images = [*sample_images, *sample_images]  # 4 images, batch 2 -> 2 batches
    batches = CalibrationBatches(images, batch=2, imgsz=32)
    s, fed, calibrate = calibrated_build(tmp_path, version, [batches, CacheOnly(2)])
    out = build_engine(s, "bb" * 32, calibrate=calibrate, calib_id="images-1")
    assert out.status == "built-tensorrt" and rec.builder_flags == ["INT8"]
    assert isinstance(rec.calibrator, trt.IInt8EntropyCalibrator2)  # type: ignore[attr-defined]
    assert rec.calibration_profile == [(2, 3, 32, 32)]  # calibrated at opt = the full batch
    assert rec.calls == [
        "read_calibration_cache",
        "get_batch_size",
        "get_batch",
        "get_batch",
        "get_batch",  # the third returns None: no more batches
        "write_calibration_cache",
    ]
    assert rec.batches == [[1001], [1002]] and [f.shape for f in fed] == [(2, 3, 32, 32)] * 2
    assert s.calib_cache is not None
    code = "".join(f"{int(p):02d}" for p in version.split(".")[:3])
    assert s.calib_cache.read_bytes().startswith(f"TRT-{code}-EntropyCalibration2\n".encode())

    # Same cache, new ONNX: TensorRT reads the cache and asks for no batch.
    rec.calls.clear()
    s.engine.unlink()
    out = build_engine(s, "cc" * 32, calibrate=calibrate, calib_id="cache")
    assert out.status == "built-tensorrt" and rec.calls == ["read_calibration_cache"]
    assert len(fed) == 2


def test_tensorrt_11_int8_is_a_clear_error(
    tmp_path: Path, use_tensorrt: Callable[[str], tuple[object, Record]]
) -> None:
    _, rec = use_tensorrt("11.4.0")
    s, _, calibrate = calibrated_build(tmp_path, "11.4.0", [CacheOnly(2)])
    with pytest.raises(ExportError, match=r"TensorRT 11\.4\.0, which has no INT8 calibration") as e:
        build_engine(s, "dd" * 32, calibrate=calibrate)
    assert "pip install 'tensorrt>=10,<11'" in str(e.value) and "--precision fp16" in str(e.value)
    assert rec.builds == 0 and not s.engine.exists()


@pytest.mark.parametrize(
    ("version", "deepstream", "install"),
    [
        ("11.4.0", "8.0", "pip install 'tensorrt-cu12>=10,<11'"),
        ("10.3.0", "7.0", "pip install 'tensorrt==8.6.*'"),
        ("8.6.1", "7.1", "pip install 'tensorrt-cu12==10.3.*'"),
    ],
)
def test_tensorrt_other_than_the_targets_is_refused(
    tmp_path: Path,
    use_tensorrt: Callable[[str], tuple[object, Record]],
    version: str,
    deepstream: str,
    install: str,
) -> None:
    """An engine nvinfer cannot load is not built: the message names what to install."""
    _, rec = use_tensorrt(version)
    with pytest.raises(
        ExportError, match=f"TensorRT {version} is installed here, but DeepStream {deepstream}"
    ) as e:
        build_engine(engine_spec(tmp_path, deepstream=deepstream), "ee" * 32)
    assert install in str(e.value) and "--no-engine" in str(e.value)
    assert rec.builds == 0


def test_tensorrt_matching_the_target_builds(
    tmp_path: Path, use_tensorrt: Callable[[str], tuple[object, Record]]
) -> None:
    use_tensorrt("10.3.0")
    assert build_engine(engine_spec(tmp_path, deepstream="7.1"), "ff" * 32).status == (
        "built-tensorrt"
    )
    assert build_engine(engine_spec(tmp_path, deepstream="8.0"), "f0" * 32).status == (
        "built-tensorrt"
    )


@pytest.mark.slow
def test_default_export_with_tensorrt_11_builds_strongly_typed(
    tmp_path: Path, use_tensorrt: Callable[[str], tuple[object, Record]], yolo_pt: Path
) -> None:
    """`alpr-gen export` with its defaults (fp16) and TensorRT 11 (stand-in): a strongly typed
    build from an FP16 copy of the exported YOLO11 graph, never an AttributeError."""
    from alpr_gen.export import ExportRequest, export_model

    _, rec = use_tensorrt("11.4.0")
    result = export_model(ExportRequest(weights=yolo_pt, out_dir=tmp_path / "out"))
    assert result.engine.status == "built-tensorrt", result.engine.message
    assert rec.network_flags == ["STRONGLY_TYPED"] and rec.builder_flags == []
    (inputs, outputs), initializers = rec.parsed_io_types[0], rec.parsed_initializer_types[0]
    assert inputs == outputs == [TensorProto.FLOAT]
    assert TensorProto.FLOAT16 in initializers
    assert result.engine.path.name == "yolo11n_random.onnx_b1_gpu0_fp16.engine"


@pytest.mark.slow
def test_site_int8_export_writes_int8_calib_file(
    tmp_path: Path,
    use_tensorrt: Callable[[str], tuple[object, Record]],
    monkeypatch: pytest.MonkeyPatch,
    sample_images: list[Path],
) -> None:
    """`export --site` at int8 with TensorRT 10.3 (stand-in) writes the calibration cache exactly
    where the rendered config's int8-calib-file points, so nvinfer reads it and never calibrates.
    Device copies are replaced by host arrays (no CUDA here)."""
    from alpr_gen.deepstream.keyfile import parse_keyfile
    from alpr_gen.deepstream.layout import PGIE_CONFIG
    from alpr_gen.export import calibrator as calibrator_mod
    from alpr_gen.export import export_model
    from alpr_gen.export.site_request import request_from_site
    from alpr_gen.profile import load_profile
    from alpr_gen.render import render_site

    from .test_site import PROFILE

    _, rec = use_tensorrt("10.3.0")
    shapes: list[tuple[int, ...]] = []

    def host_to_device(host: np.ndarray) -> tuple[int, object]:
        shapes.append(host.shape)
        return id(host), host

    monkeypatch.setattr(calibrator_mod, "torch_to_device", host_to_device)
    profile = tmp_path / "exportsite.yaml"
    profile.write_text(
        PROFILE.replace("HEAD", "deepstream").replace(
            "precision: fp16", "precision: int8\n  int8_calib_file: models/plates.calib"
        )
    )
    calib = tmp_path / "calib"
    calib.mkdir()
    for i in range(2):
        for img in sample_images:
            (calib / f"{i}-{img.name}").write_bytes(img.read_bytes())
    bundle = tmp_path / "bundle"
    demo = Path(__file__).parents[2] / "models/demo/alpr_demo_yolo11n.pt"  # vehicle, plate
    req = request_from_site(str(profile), demo, bundle, {}).replace(calib_images=calib)
    result = export_model(req)
    assert result.engine.status == "built-tensorrt", result.engine.message
    rendered = parse_keyfile(render_site(load_profile(str(profile)))[PGIE_CONFIG], PGIE_CONFIG)
    prop = rendered.groups["property"].entries
    assert prop["network-mode"].value == "1"
    cache = bundle / prop["int8-calib-file"].value
    assert result.calib_cache == cache
    assert cache.read_bytes().startswith(b"TRT-100300-EntropyCalibration2\n")
    assert (bundle / prop["model-engine-file"].value).is_file()
    # 4 images at batch-size 3 (three cameras, static batch): one full batch
    assert rec.builder_flags == ["INT8"] and len(rec.batches) == 1
    assert shapes == [(3, 3, 640, 640)] and rec.calibration_profile is None
