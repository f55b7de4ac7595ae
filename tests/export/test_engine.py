"""Engine step: builder choice, trtexec argv, version parsing, cache keys, the no-TensorRT path.

TensorRT itself cannot run here (no GPU, no TensorRT): the trtexec path is driven by a stand-in
script that records its argv and writes the file named by --saveEngine, which tests our plumbing
(argv, temp file + rename, stamp, cache), not TensorRT.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import replace
from pathlib import Path

import pytest

from alpr_gen.export import engine as engine_mod
from alpr_gen.export.cache import EngineKey, is_cached, stamp_path, write_stamp
from alpr_gen.export.engine import EngineSpec, build_engine, choose_builder
from alpr_gen.export.trt_features import (
    BuildPlan,
    parse_trtexec_version,
    plan_build,
    trtexec_features,
)
from alpr_gen.export.trtexec import trtexec_argv

HELP_10 = "&&&& RUNNING TensorRT.trtexec [TensorRT v100300] # trtexec --help\n  --fp16  --int8  --calib=<file>  --stronglyTyped  --best"
FEATURES_10 = trtexec_features(HELP_10)


def weak(precision: str, dynamic: bool = False) -> BuildPlan:
    return plan_build(FEATURES_10, precision, dynamic, "trtexec")


def spec(tmp_path: Path, **kw: object) -> EngineSpec:
    base = EngineSpec(
        onnx=tmp_path / "m.onnx",
        engine=tmp_path / "m.onnx_b4_gpu0_fp16.engine",
        batch=4,
        dynamic=False,
        imgsz=640,
        precision="fp16",
        workspace_mb=1024,
        gpu_id=0,
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def test_choose_builder() -> None:
    assert choose_builder(True, "/usr/bin/trtexec") == "tensorrt"
    assert choose_builder(False, "/usr/bin/trtexec") == "trtexec"
    assert choose_builder(False, None) == "nvinfer"


def test_trtexec_argv_static_fp16(tmp_path: Path) -> None:
    s = spec(tmp_path)
    argv = trtexec_argv(
        s,
        tmp_path / "out.engine",
        weak("fp16"),
        FEATURES_10,
        trtexec="/usr/src/tensorrt/bin/trtexec",
    )
    assert argv[0] == "/usr/src/tensorrt/bin/trtexec"
    assert f"--onnx={s.onnx}" in argv and f"--saveEngine={tmp_path / 'out.engine'}" in argv
    assert "--fp16" in argv and "--memPoolSize=workspace:1024M" in argv
    assert "--device=0" in argv
    assert not [a for a in argv if a.startswith(("--minShapes", "--int8", "--calib"))]


def test_trtexec_argv_dynamic_int8(tmp_path: Path) -> None:
    s = spec(tmp_path, dynamic=True, precision="int8", calib_cache=tmp_path / "m.calib", gpu_id=1)
    argv = trtexec_argv(s, tmp_path / "o.engine", weak("int8", True), FEATURES_10)
    # optimization profile: min 1, opt = max = batch
    assert "--minShapes=images:1x3x640x640" in argv
    assert "--optShapes=images:4x3x640x640" in argv
    assert "--maxShapes=images:4x3x640x640" in argv
    assert "--int8" in argv and f"--calib={tmp_path / 'm.calib'}" in argv
    assert "--fp16" not in argv and "--device=1" in argv
    with pytest.raises(ValueError):
        trtexec_argv(
            spec(tmp_path, precision="int8"), tmp_path / "o.engine", weak("int8"), FEATURES_10
        )


@pytest.mark.parametrize(
    ("text", "version"),
    [
        ("&&&& RUNNING TensorRT.trtexec [TensorRT v8503] # trtexec --help", "8.5.3"),
        ("&&&& RUNNING TensorRT.trtexec [TensorRT v8601] # /usr/src/tensorrt/bin/trtexec", "8.6.1"),
        ("&&&& RUNNING TensorRT.trtexec [TensorRT v100300] # trtexec", "10.3.0"),
        ("&&&& RUNNING TensorRT.trtexec [TensorRT v101600] # trtexec", "10.16.0"),
        ("&&&& RUNNING TensorRT.trtexec [TensorRT v110400] # trtexec", "11.4.0"),
        ("command not found", None),
    ],
)
def test_parse_trtexec_version(text: str, version: str | None) -> None:
    assert parse_trtexec_version(text) == version


def test_cache_key_and_stamp(tmp_path: Path) -> None:
    engine = tmp_path / "m.engine"
    key = EngineKey("ab" * 32, "10.3.0", "Orin (nvgpu)", 4, "fp16")
    assert not is_cached(engine, key)  # no engine
    engine.write_bytes(b"serialized")
    assert not is_cached(engine, key)  # no stamp
    write_stamp(engine, key)
    assert is_cached(engine, key)
    stamp = json.loads(stamp_path(engine).read_text())
    assert stamp["digest"] == key.digest() and stamp["key"]["gpu"] == "Orin (nvgpu)"
    # any component of the key changes -> not cached
    for change in (
        {"onnx_sha256": "cd" * 32},
        {"tensorrt": "10.3.1"},
        {"gpu": "NVIDIA A2"},
        {"batch": 8},
        {"precision": "int8"},
        {"dynamic": True},
        {"calib_sha256": "x"},
    ):
        other = replace(key, **change)  # type: ignore[arg-type]
        assert not is_cached(engine, other), change
        assert other.digest() != key.digest()


def test_no_tensorrt_defers_to_nvinfer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """This machine really has neither: the message says who builds what, and nothing is written."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert not engine_mod.tensorrt_available()
    s = spec(tmp_path)
    out = build_engine(s, "00" * 32)
    assert out.status == "deferred" and out.path == s.engine
    assert (
        "nvinfer will build m.onnx_b4_gpu0_fp16.engine from m.onnx at the pipeline's first start"
        in out.message
    )
    assert "minutes" in out.message
    assert list(tmp_path.iterdir()) == []


FAKE_TRTEXEC = """#!/bin/sh
# Stand-in for trtexec: records argv, writes --saveEngine, fails when FAIL is set.
if [ "$1" = "--help" ]; then cat "$(dirname "$0")/help.txt"; exit 0; fi
echo "$@" >> "$(dirname "$0")/calls.log"
[ -n "$FAIL" ] && { echo "[E] Error[4]: cannot parse" >&2; exit 1; }
for a in "$@"; do case "$a" in --saveEngine=*) printf 'ENGINE' > "${a#--saveEngine=}";; esac; done
"""


@pytest.fixture
def fake_trtexec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    exe = bin_dir / "trtexec"
    exe.write_text(FAKE_TRTEXEC)
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    (bin_dir / "help.txt").write_text(HELP_10 + "\n")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}/usr/bin:/bin")
    monkeypatch.setattr(engine_mod, "tensorrt_available", lambda: False)
    monkeypatch.setattr(engine_mod, "gpu_name", lambda gpu_id: "Test GPU")
    return bin_dir


def test_trtexec_path_builds_then_caches(tmp_path: Path, fake_trtexec: Path) -> None:
    work = tmp_path / "w"
    work.mkdir()
    s = spec(work)
    first = build_engine(s, "11" * 32)
    assert first.status == "built-trtexec" and s.engine.read_bytes() == b"ENGINE"
    calls = (fake_trtexec / "calls.log").read_text().splitlines()
    assert len(calls) == 1 and "--fp16" in calls[0] and f"--onnx={s.onnx}" in calls[0]
    # built to a temp name, then renamed: the final name is never half-written
    assert f"--saveEngine={s.engine}" not in calls[0]
    assert sorted(p.name for p in work.iterdir()) == [s.engine.name, stamp_path(s.engine).name]
    again = build_engine(s, "11" * 32)
    assert again.status == "cached"
    assert len((fake_trtexec / "calls.log").read_text().splitlines()) == 1
    # a new ONNX rebuilds
    assert build_engine(s, "22" * 32).status == "built-trtexec"


def test_trtexec_failure_leaves_nothing(
    tmp_path: Path, fake_trtexec: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from alpr_gen.errors import ExportError

    work = tmp_path / "w"
    work.mkdir()
    monkeypatch.setenv("FAIL", "1")
    with pytest.raises(ExportError, match="trtexec failed") as e:
        build_engine(spec(work), "11" * 32)
    assert "cannot parse" in str(e.value)
    assert list(work.iterdir()) == []


def test_trtexec_int8_without_cache_is_deferred(tmp_path: Path, fake_trtexec: Path) -> None:
    work = tmp_path / "w"
    work.mkdir()
    s = spec(work, precision="int8", calib_cache=work / "m.calib")
    out = build_engine(s, "11" * 32)
    assert out.status == "deferred" and "tensorrt Python package" in out.message
    (work / "m.calib").write_bytes(b"TRT-100300-EntropyCalibration2\n")
    assert build_engine(s, "11" * 32).status == "built-trtexec"
    assert f"--calib={work / 'm.calib'}" in (fake_trtexec / "calls.log").read_text()


def test_no_tensorrt_int8_says_the_cache_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    s = spec(tmp_path, precision="int8", calib_cache=tmp_path / "m.onnx.calib")
    out = build_engine(s, "00" * 32)
    assert out.status == "deferred"
    assert f"needs the calibration cache {tmp_path / 'm.onnx.calib'}" in out.message


HELP_11 = (
    "&&&& RUNNING TensorRT.trtexec [TensorRT v110400] # trtexec --help\n"
    "  --onnx=<file>  --saveEngine=<file>  --memPoolSize=<pool>:<size>  --stronglyTyped"
)


def test_trtexec_features_by_help_text() -> None:
    """Flags are read from trtexec's own --help, not assumed from its version."""
    ten, eleven = trtexec_features(HELP_10), trtexec_features(HELP_11)
    assert ten.version == "10.3.0" and ten.fp16_flag and ten.int8_calibration
    assert eleven.version == "11.4.0" and not eleven.fp16_flag and not eleven.int8_calibration
    # "--fp16" inside another option's name is not "--fp16"
    assert not trtexec_features("[TensorRT v110400]\n  --fp16-ish  --no-int8").fp16_flag


def test_trtexec_without_fp16_flag_builds_an_fp16_onnx_strongly_typed(
    tmp_path: Path, fake_trtexec: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A trtexec with no --fp16 (TensorRT 11's) gets an FP16 copy of the ONNX and no --fp16."""
    import onnx
    from onnx import TensorProto, helper

    (fake_trtexec / "help.txt").write_text(HELP_11 + "\n")
    work = tmp_path / "w"
    work.mkdir()
    s = spec(work, batch=1)
    weight = helper.make_tensor("w", TensorProto.FLOAT, [1], [2.0])
    graph = helper.make_graph(
        [helper.make_node("Mul", ["images", "w"], ["boxes"])],
        "g",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, 4, 4])],
        [helper.make_tensor_value_info("boxes", TensorProto.FLOAT, [1, 3, 4, 4])],
        [weight],
    )
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), s.onnx)
    seen = tmp_path / "seen.onnx"
    # the stand-in copies the ONNX it is given (it is deleted after the build)
    script = (
        (fake_trtexec / "trtexec")
        .read_text()
        .replace(
            'echo "$@" >>',
            'for a in "$@"; do case "$a" in --onnx=*) cp "${a#--onnx=}" '
            + f'"{seen}";; esac; done\necho "$@" >>',
        )
    )
    (fake_trtexec / "trtexec").write_text(script)
    out = build_engine(s, "33" * 32)
    assert out.status == "built-trtexec" and "strongly typed" in out.message
    call = (fake_trtexec / "calls.log").read_text()
    assert "--fp16" not in call and "--stronglyTyped" in call and f"--onnx={s.onnx} " not in call
    fp16 = onnx.load(seen)
    assert fp16.graph.initializer[0].data_type == TensorProto.FLOAT16
    assert fp16.graph.input[0].type.tensor_type.elem_type == TensorProto.FLOAT
    assert sorted(p.name for p in work.iterdir()) == sorted(
        [s.onnx.name, s.engine.name, stamp_path(s.engine).name]
    )  # the FP16 copy is gone
    from alpr_gen.errors import ExportError

    with pytest.raises(ExportError, match=r"no INT8 calibration.*") as e:
        build_engine(spec(work, precision="int8", calib_cache=work / "c"), "33" * 32)
    assert "pip install 'tensorrt>=10,<11'" in str(e.value)


def test_trtexec_for_another_deepstream_is_refused(tmp_path: Path, fake_trtexec: Path) -> None:
    from alpr_gen.errors import ExportError

    work = tmp_path / "w"
    work.mkdir()
    with pytest.raises(
        ExportError,
        match=r"TensorRT 10.3.0 is installed here, but DeepStream 7.0 runs TensorRT 8.6",
    ) as e:
        build_engine(spec(work, deepstream="7.0"), "11" * 32)
    assert "pip install 'tensorrt==8.6.*'" in str(e.value)
    assert not (fake_trtexec / "calls.log").exists()
    assert build_engine(spec(work, deepstream="7.1"), "11" * 32).status == "built-trtexec"
