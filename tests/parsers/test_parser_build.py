"""alpr-gen build-parser: header choice, make argv, the real build, atomic install."""

from __future__ import annotations

import ctypes
from pathlib import Path

import pytest

from alpr_gen import parser_build as pb
from alpr_gen.errors import BuildError
from alpr_gen.testing.parser_harness import parsers_source_dir

DS = Path("/ds")
DS_INC = DS / "sources/includes"
TRT = Path("/usr/include/x86_64-linux-gnu")
CUDA = Path("/usr/local/cuda/include")


def _exists(*present: Path):
    found = set(present)
    return lambda p: p in found


def test_own_abi_when_deepstream_absent() -> None:
    choice = pb.choose_headers(exists=_exists())
    assert not choice.uses_deepstream
    assert str(pb.DEFAULT_DEEPSTREAM_ROOT / "sources/includes") in choice.describe()


def test_deepstream_headers_with_trt_and_cuda() -> None:
    choice = pb.choose_headers(
        DS,
        exists=_exists(DS_INC / pb.DS_MARKER, TRT / "NvInfer.h", CUDA / "cuda_runtime_api.h"),
    )
    assert (choice.deepstream_includes, choice.trt_includes, choice.cuda_includes) == (
        DS_INC,
        TRT,
        CUDA,
    )
    argv = pb.make_argv(Path("/src"), Path("/b"), choice)
    assert argv == [
        "make", "-C", "/src", "-j2", "BUILD=/b",
        f"DS_INCLUDES={DS_INC}", f"TRT_INCLUDES={TRT}", f"CUDA_INCLUDES={CUDA}", "all",
    ]  # fmt: skip


def test_own_abi_argv_has_no_include_overrides() -> None:
    argv = pb.make_argv(Path("/src"), Path("/b"), pb.HeaderChoice(None))
    assert argv == ["make", "-C", "/src", "-j2", "BUILD=/b", "all"]


def test_explicit_root_without_headers_is_an_error() -> None:
    with pytest.raises(BuildError, match=r"--deepstream-root /ds: .*nvdsinfer_custom_impl.h"):
        pb.choose_headers(DS, exists=_exists())


def test_explicit_root_without_tensorrt_is_an_error() -> None:
    with pytest.raises(BuildError, match=r"but TensorRT \(NvInfer.h\) headers are not"):
        pb.choose_headers(DS, exists=_exists(DS_INC / pb.DS_MARKER, CUDA / "cuda_runtime_api.h"))


def test_default_root_without_tensorrt_falls_back_to_own_abi(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pb, "DEFAULT_DEEPSTREAM_ROOT", DS)
    choice = pb.choose_headers(exists=_exists(DS_INC / pb.DS_MARKER))
    assert not choice.uses_deepstream and "TensorRT" in choice.reason


@pytest.mark.slow
def test_build_installs_a_loadable_library(tmp_path: Path) -> None:
    out = tmp_path / "lib"
    result = pb.build_parser(out)
    assert result.library == out.resolve() / "libnvdsinfer_alpr.so"
    lib = ctypes.CDLL(str(result.library))
    for fn in result.functions:
        assert hasattr(lib, fn)
    assert "NvDsInferParseAlprYolo" in result.functions
    assert [p.name for p in out.iterdir()] == ["libnvdsinfer_alpr.so"]  # stage dir removed


def _fake_deepstream(root: Path, trt_body: str) -> pb.HeaderChoice:
    """A stand-in DeepStream tree: its nvdsinfer_custom_impl.h includes TensorRT's NvInfer.h
    as the real one does, then our declaration (the real one declares the same types)."""
    inc = root / "ds/sources/includes"
    inc.mkdir(parents=True)
    abi = parsers_source_dir() / "include/alpr_nvdsinfer_abi.h"
    (inc / pb.DS_MARKER).write_text(f'#include "NvInfer.h"\n#include "{abi}"\n')
    trt = root / "trt"
    trt.mkdir()
    (trt / "NvInfer.h").write_text(trt_body)
    cuda = root / "cuda"
    cuda.mkdir()
    return pb.HeaderChoice(inc, trt, cuda)


@pytest.mark.slow
def test_deepstream_include_path_is_really_used(tmp_path: Path) -> None:
    """With DeepStream chosen, the sources include nvdsinfer_custom_impl.h from DS_INCLUDES, and
    its TensorRT include resolves through TRT_INCLUDES (an #error there proves both)."""
    out = tmp_path / "lib"
    out.mkdir()
    (out / "libnvdsinfer_alpr.so").write_bytes(b"previous")
    failing = _fake_deepstream(tmp_path / "a", '#error "fake TensorRT reached"\n')
    with pytest.raises(BuildError, match="fake TensorRT reached"):
        pb.build_parser(out, headers=failing)
    assert (out / "libnvdsinfer_alpr.so").read_bytes() == b"previous"  # untouched on failure
    assert [p.name for p in out.iterdir()] == ["libnvdsinfer_alpr.so"]

    working = _fake_deepstream(tmp_path / "b", "#define FAKE_NVINFER 1\n")
    result = pb.build_parser(out, headers=working)
    assert f"DS_INCLUDES={working.deepstream_includes}" in result.argv
    assert "DeepStream" in result.headers.describe()
    assert hasattr(ctypes.CDLL(str(result.library)), "NvDsInferParseAlprYolo")


@pytest.mark.slow
def test_cli_build_parser(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from alpr_gen.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["build-parser", "--out", str(tmp_path / "x")])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "alpr-gen's own ABI declaration" in out
    assert f"library:   {(tmp_path / 'x').resolve() / 'libnvdsinfer_alpr.so'}" in out


def test_cli_bad_deepstream_root(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from alpr_gen.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["build-parser", "--deepstream-root", str(tmp_path), "--out", str(tmp_path / "x")])
    assert exc.value.code == 2
    assert "nvdsinfer_custom_impl.h not found" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
