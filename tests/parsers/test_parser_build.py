"""alpr-gen build-parser: header choice, target ABI, compiler argv (no make, no shell), the real
build, atomic install, and a layout mismatch failing the build."""

from __future__ import annotations

import ctypes
import json
import os
from pathlib import Path

import pytest

from alpr_gen import parser_build as pb
from alpr_gen.errors import BuildError
from alpr_gen.nvinfer.bridge import parsers_source_dir

DS = Path("/ds")
DS_INC = DS / "sources/includes"
TRT = Path("/usr/include/x86_64-linux-gnu")
CUDA = Path("/usr/local/cuda/include")
SRC = Path("/src")


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
    argv = pb.library_argv("/usr/bin/g++", SRC, Path("/b/lib.so"), choice, 9)
    assert argv[0] == "/usr/bin/g++" and "make" not in argv
    assert "-DALPR_DEEPSTREAM_HEADERS=1" in argv and "-DALPR_DS_ABI=9" in argv
    for inc in (DS_INC, TRT, CUDA):  # each include directory is its own argv element
        assert argv[argv.index(str(inc)) - 1] == "-I"
    assert argv[argv.index("-o") + 1] == "/b/lib.so"


def test_own_abi_argv_has_no_include_overrides() -> None:
    argv = pb.library_argv("g++", SRC, Path("/b/lib.so"), pb.HeaderChoice(None), 6)
    assert "-DALPR_DEEPSTREAM_HEADERS=1" not in argv and "-DALPR_DS_ABI=6" in argv
    assert [argv[i + 1] for i, a in enumerate(argv) if a == "-I"] == ["/src/src", "/src/include"]


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


def _manifest(bundle: Path, deepstream: str | None) -> None:
    bundle.mkdir(parents=True, exist_ok=True)
    target = {"platform": "dgpu", "deepstream": deepstream}
    (bundle / "manifest.json").write_text(json.dumps({"target": target, "files": {}}))


def test_target_from_flag_manifest_then_version_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ds_root = tmp_path / "ds"
    ds_root.mkdir()
    monkeypatch.setattr(pb, "DEFAULT_DEEPSTREAM_ROOT", ds_root)
    bundle = tmp_path / "site"
    _manifest(bundle, "8.0")
    (ds_root / "version").write_text("Version: 9.1\n")
    assert pb.target_version(bundle / "lib", "9.0") == pb.Target("9.0", 9, "--deepstream")
    assert pb.target_version(bundle / "lib") == pb.Target("8.0", 6, str(bundle / "manifest.json"))
    assert pb.target_version(bundle).abi == 6  # --out is the bundle itself
    # a manifest of the wrong shape is not trusted: the installed DeepStream decides
    (bundle / "manifest.json").write_text('{"target": "9.1"}')
    assert pb.target_version(bundle / "lib") == pb.Target("9.1", 9, str(ds_root / "version"))
    other = tmp_path / "other-ds"
    other.mkdir()
    (other / "version").write_text("Version: 7.1\n")
    assert pb.target_version(tmp_path / "x", None, other).version == "7.1"  # --deepstream-root


def test_no_target_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pb, "DEFAULT_DEEPSTREAM_ROOT", tmp_path / "none")
    with pytest.raises(BuildError) as exc:
        pb.target_version(tmp_path / "lib")
    text = str(exc.value)
    assert "--deepstream X.Y" in text and "manifest.json" in text and "version" in text


@pytest.mark.parametrize("version", ["5.1", "6.2", "10.0", "nine"])
def test_unknown_deepstream_release_is_refused(tmp_path: Path, version: str) -> None:
    with pytest.raises(BuildError, match="--deepstream"):
        pb.target_version(tmp_path, version)


def test_newlines_in_paths_are_refused(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="newline"):
        pb.build_parser(tmp_path / "a\nb", deepstream="9.1")
    with pytest.raises(BuildError, match="newline"):
        pb.build_parser(tmp_path / "ok", deepstream="9.1", sources=tmp_path / "s\rc")
    assert not any(tmp_path.iterdir())


def _abi_of(library: Path) -> tuple[int, int]:
    lib = ctypes.CDLL(str(library))
    lib.AlprParserObjectSize.restype = ctypes.c_uint
    return int(lib.AlprParserAbi()), int(lib.AlprParserObjectSize())


@pytest.mark.slow
@pytest.mark.parametrize(("deepstream", "abi", "size"), [("8.0", 6, 24), ("9.1", 9, 28)])
def test_build_installs_a_loadable_library(
    tmp_path: Path, deepstream: str, abi: int, size: int
) -> None:
    out = tmp_path / "lib"
    result = pb.build_parser(out, deepstream=deepstream)
    assert result.library == out.resolve() / "libnvdsinfer_alpr.so"
    lib = ctypes.CDLL(str(result.library))
    for fn in result.functions:
        assert hasattr(lib, fn)
    assert "NvDsInferParseAlprYolo" in result.functions
    assert [p.name for p in out.iterdir()] == ["libnvdsinfer_alpr.so"]  # stage dir removed
    assert result.target.abi == abi and _abi_of(result.library) == (abi, size)


@pytest.mark.slow
def test_hostile_paths_are_only_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Spaces, $, quotes, backquotes and $(...) in --out and in the sources' path: no shell or
    make ever sees them (a `make` on PATH that would leave a trace is never run)."""
    trap = tmp_path / "bin"
    trap.mkdir()
    (trap / "make").write_text(f"#!/bin/sh\ntouch {tmp_path / 'MAKE-RAN'}\nexit 1\n")
    (trap / "make").chmod(0o755)
    monkeypatch.setenv("PATH", f"{trap}{os.pathsep}{os.environ['PATH']}")
    weird = tmp_path / "a b $(touch PWNED) 'q' \"d\" `touch BQ` $HOME"
    sources = weird / "custom_parsers"
    import shutil

    shutil.copytree(parsers_source_dir(), sources, ignore=shutil.ignore_patterns("build"))
    monkeypatch.chdir(tmp_path)
    result = pb.build_parser(weird / "lib", deepstream="9.1", sources=sources)
    assert result.library.is_file() and _abi_of(result.library) == (9, 28)
    assert not list(tmp_path.rglob("PWNED")) and not list(tmp_path.rglob("BQ"))
    assert not (tmp_path / "MAKE-RAN").exists()


def _fake_deepstream(root: Path, trt_body: str, declared_abi: int | None = None) -> pb.HeaderChoice:
    """A stand-in DeepStream tree: its nvdsinfer_custom_impl.h includes TensorRT's NvInfer.h
    as the real one does, then our declaration (the real one declares the same types), of the
    layout `declared_abi` (default: the one the build asks for)."""
    inc = root / "ds/sources/includes"
    inc.mkdir(parents=True)
    abi = parsers_source_dir() / "include/alpr_nvdsinfer_abi.h"
    layout = f"#undef ALPR_DS_ABI\n#define ALPR_DS_ABI {declared_abi}\n" if declared_abi else ""
    (inc / pb.DS_MARKER).write_text(f'#include "NvInfer.h"\n{layout}#include "{abi}"\n')
    trt = root / "trt"
    trt.mkdir()
    (trt / "NvInfer.h").write_text(trt_body)
    cuda = root / "cuda"
    cuda.mkdir()
    return pb.HeaderChoice(inc, trt, cuda)


@pytest.mark.slow
def test_deepstream_include_path_is_really_used(tmp_path: Path) -> None:
    """With DeepStream chosen, the sources include nvdsinfer_custom_impl.h from its include
    directory, and its TensorRT include resolves through the TensorRT one (an #error there
    proves both)."""
    out = tmp_path / "lib"
    out.mkdir()
    (out / "libnvdsinfer_alpr.so").write_bytes(b"previous")
    failing = _fake_deepstream(tmp_path / "a", '#error "fake TensorRT reached"\n')
    with pytest.raises(BuildError, match="fake TensorRT reached"):
        pb.build_parser(out, headers=failing, deepstream="9.1")
    assert (out / "libnvdsinfer_alpr.so").read_bytes() == b"previous"  # untouched on failure
    assert [p.name for p in out.iterdir()] == ["libnvdsinfer_alpr.so"]

    working = _fake_deepstream(tmp_path / "b", "#define FAKE_NVINFER 1\n")
    result = pb.build_parser(out, headers=working, deepstream="9.1")
    assert str(working.deepstream_includes) in result.argv
    assert "DeepStream" in result.headers.describe()
    assert hasattr(ctypes.CDLL(str(result.library)), "NvDsInferParseAlprYolo")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("deepstream", "declared", "message"),
    [
        ("9.1", 6, "ALPR_DS_ABI=9 (DeepStream 9.x) needs the 28-byte"),
        ("8.0", 9, "ALPR_DS_ABI=6 (DeepStream 6.3-8.0) needs the 24-byte"),
    ],
)
def test_headers_of_the_other_layout_fail_the_build(
    tmp_path: Path, deepstream: str, declared: int, message: str
) -> None:
    """DeepStream headers declaring the other NvDsInferObjectDetectionInfo (8.0's 24 bytes for a
    9.x target, 9.x's 28 for an 8.0 one) stop the build with a message naming the layouts."""
    headers = _fake_deepstream(tmp_path / "ds", "#define FAKE_NVINFER 1\n", declared_abi=declared)
    with pytest.raises(BuildError, match=message.replace("(", r"\(").replace(")", r"\)")):
        pb.build_parser(tmp_path / "lib", headers=headers, deepstream=deepstream)
    assert not (tmp_path / "lib" / "libnvdsinfer_alpr.so").exists()


@pytest.mark.slow
def test_cli_build_parser(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from alpr_gen.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["build-parser", "--out", str(tmp_path / "x"), "--deepstream", "9.1"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "alpr-gen's own ABI declaration" in out
    assert "target:    DeepStream 9.1, parser ABI 9 (from --deepstream)" in out
    assert f"library:   {(tmp_path / 'x').resolve() / 'libnvdsinfer_alpr.so'}" in out


def test_cli_bad_deepstream_root(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from alpr_gen.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["build-parser", "--deepstream-root", str(tmp_path), "--out", str(tmp_path / "x")])
    assert exc.value.code == 2
    assert "nvdsinfer_custom_impl.h not found" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_cli_without_target_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from alpr_gen.cli import main

    monkeypatch.setattr(pb, "DEFAULT_DEEPSTREAM_ROOT", tmp_path / "no-ds")
    with pytest.raises(SystemExit) as exc:
        main(["build-parser", "--out", str(tmp_path / "x")])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "--deepstream X.Y" in err and "Traceback" not in err
    assert not (tmp_path / "x").exists()
