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
from alpr_gen.export.engine import (
    EngineSpec,
    build_engine,
    choose_builder,
    parse_trtexec_version,
    trtexec_argv,
)


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
    argv = trtexec_argv(s, tmp_path / "out.engine", "/usr/src/tensorrt/bin/trtexec")
    assert argv[0] == "/usr/src/tensorrt/bin/trtexec"
    assert f"--onnx={s.onnx}" in argv and f"--saveEngine={tmp_path / 'out.engine'}" in argv
    assert "--fp16" in argv and "--memPoolSize=workspace:1024M" in argv
    assert "--device=0" in argv
    assert not [a for a in argv if a.startswith(("--minShapes", "--int8", "--calib"))]


def test_trtexec_argv_dynamic_int8(tmp_path: Path) -> None:
    s = spec(tmp_path, dynamic=True, precision="int8", calib_cache=tmp_path / "m.calib", gpu_id=1)
    argv = trtexec_argv(s, tmp_path / "o.engine")
    # optimization profile: min 1, opt = max = batch
    assert "--minShapes=images:1x3x640x640" in argv
    assert "--optShapes=images:4x3x640x640" in argv
    assert "--maxShapes=images:4x3x640x640" in argv
    assert "--int8" in argv and f"--calib={tmp_path / 'm.calib'}" in argv
    assert "--fp16" not in argv and "--device=1" in argv
    with pytest.raises(ValueError):
        trtexec_argv(spec(tmp_path, precision="int8"), tmp_path / "o.engine")


@pytest.mark.parametrize(
    ("text", "version"),
    [
        ("&&&& RUNNING TensorRT.trtexec [TensorRT v8503] # trtexec --help", "8.5.3"),
        ("&&&& RUNNING TensorRT.trtexec [TensorRT v8601] # /usr/src/tensorrt/bin/trtexec", "8.6.1"),
        ("&&&& RUNNING TensorRT.trtexec [TensorRT v100300] # trtexec", "10.3.0"),
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
if [ "$1" = "--help" ]; then echo "&&&& RUNNING TensorRT.trtexec [TensorRT v100300] # trtexec"; exit 0; fi
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
