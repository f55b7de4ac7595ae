"""Build libnvdsinfer_alpr.so, the custom-parser library nvinfer loads (`custom-lib-path`).

The compiler is called with an argv list: no `make`, no shell, so a path with spaces, `$`,
quotes or `$(...)` is only ever a path (custom_parsers/Makefile stays for developers and fuzzing).

- `choose_headers`: DeepStream's own `nvdsinfer_custom_impl.h` (plus the TensorRT and CUDA headers
  it includes) when installed, else alpr-gen's `custom_parsers/include/alpr_nvdsinfer_abi.h`.
- `target_version`: which DeepStream the library is for (`--deepstream`, the bundle's
  manifest.json, the installed DeepStream's version file), hence its parser ABI
  (`versions.parser_abi_for`: NvDsInferObjectDetectionInfo is 24 bytes up to 8.0, 28 on 9.x).
  Built against DeepStream's headers, a static_assert fails the build when they declare the
  other layout.
- `library_argv` / `harness_argv`: the compiler command lines (pure, tested).
- `build_parser`: compiles in a temporary directory next to the output, checks that the library
  loads, exports the parse functions and reports the expected ABI, then moves it into place.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from alpr_gen.deepstream import facts, layout, versions
from alpr_gen.errors import BuildError
from alpr_gen.fsutil import read_bounded

LIBRARY_NAME = facts.PARSER_LIBRARY
HARNESS_NAME = "libalpr_harness.so"
DEFAULT_DEEPSTREAM_ROOT = Path(facts.INSTALL_ROOT)
DS_INCLUDE_SUBDIR = Path(facts.INCLUDE_DIR).relative_to(facts.INSTALL_ROOT)
DS_VERSION_FILE = Path(facts.VERSION_FILE).relative_to(facts.INSTALL_ROOT)
DS_MARKER = "nvdsinfer_custom_impl.h"
TRT_INCLUDE_CANDIDATES = (
    Path("/usr/include/x86_64-linux-gnu"),
    Path("/usr/include/aarch64-linux-gnu"),
    Path("/usr/local/tensorrt/include"),
    Path("/usr/include"),
)
CUDA_INCLUDE_CANDIDATES = (Path("/usr/local/cuda/include"),)
# Exported by every build; the OCR parser joins when its source is present.
BBOX_FUNCTIONS = (facts.BBOX_PARSER,)
CLASSIFIER_FUNCTIONS = {"ocr_parser.cpp": facts.OCR_PARSER}
# The flags every build uses (the cache key of alpr_gen.nvinfer.bridge includes them).
COMMON_FLAGS = ("-std=c++17", "-fPIC", "-Wall", "-Wextra", "-O2")
_SMALL_FILE = 1 << 20  # manifest.json and DeepStream's version file are a few hundred bytes


@dataclass(frozen=True)
class HeaderChoice:
    """Which ABI declaration a build uses, and why."""

    deepstream_includes: Path | None  # None: the project's own alpr_nvdsinfer_abi.h
    trt_includes: Path | None = None
    cuda_includes: Path | None = None
    reason: str = ""

    @property
    def uses_deepstream(self) -> bool:
        return self.deepstream_includes is not None

    def describe(self) -> str:
        if self.deepstream_includes is None:
            return f"alpr-gen's own ABI declaration (include/alpr_nvdsinfer_abi.h); {self.reason}"
        parts = [f"DeepStream {self.deepstream_includes}"]
        parts += [f"TensorRT {self.trt_includes}"] if self.trt_includes else []
        parts += [f"CUDA {self.cuda_includes}"] if self.cuda_includes else []
        return ", ".join(parts)


@dataclass(frozen=True)
class Target:
    """The DeepStream release a build is for, its parser ABI, and where that came from."""

    version: str
    abi: int
    source: str  # "--deepstream", "<path>/manifest.json", "<path>/version"


@dataclass(frozen=True)
class ParserBuildResult:
    library: Path
    headers: HeaderChoice
    functions: tuple[str, ...]
    target: Target
    argv: list[str] = field(default_factory=list)


def safe_path(path: Path | str, what: str) -> Path:
    """A path that can go into an argv: newlines and NUL are refused (compilers, logs and
    nvinfer's config files are line-based), everything else is just bytes of a file name."""
    text = os.fspath(path)
    if "\n" in text or "\r" in text or "\0" in text:
        raise BuildError(
            f"{what} {text!r} contains a newline or NUL character",
            hint="rename the directory, or choose another one",
        )
    return Path(text)


def _first_with(candidates: Sequence[Path], marker: str, exists: Callable[[Path], bool]) -> Path:
    return next((c for c in candidates if exists(c / marker)), Path())


def choose_headers(
    deepstream_root: Path | None = None,
    *,
    exists: Callable[[Path], bool] = Path.is_file,
    trt_candidates: Sequence[Path] = TRT_INCLUDE_CANDIDATES,
    cuda_candidates: Sequence[Path] = CUDA_INCLUDE_CANDIDATES,
) -> HeaderChoice:
    """DeepStream's headers when present (required if `deepstream_root` is given), else ours."""
    explicit = deepstream_root is not None
    root = (
        Path(os.path.abspath(safe_path(deepstream_root, "--deepstream-root")))
        if deepstream_root is not None
        else DEFAULT_DEEPSTREAM_ROOT
    )
    ds = root / DS_INCLUDE_SUBDIR
    if not exists(ds / DS_MARKER):
        if explicit:
            raise BuildError(
                f"--deepstream-root {root}: {ds / DS_MARKER} not found",
                hint="point --deepstream-root at the DeepStream install "
                "(the directory holding sources/includes), or leave it out to build against "
                "alpr-gen's own ABI declaration",
            )
        return HeaderChoice(None, reason=f"DeepStream's headers not found under {ds}")
    trt = _first_with(trt_candidates, "NvInfer.h", exists)
    cuda = _first_with(cuda_candidates, "cuda_runtime_api.h", exists)
    missing = [n for n, p in (("TensorRT (NvInfer.h)", trt), ("CUDA", cuda)) if p == Path()]
    if missing:
        # nvdsinfer_custom_impl.h includes TensorRT (and through it CUDA) headers.
        if explicit:
            raise BuildError(
                f"DeepStream's headers are at {ds}, but {' and '.join(missing)} headers are not "
                f"(looked in {', '.join(map(str, [*trt_candidates, *cuda_candidates]))})",
                hint="install TensorRT's and CUDA's development headers (they come with "
                "DeepStream's prerequisites), or leave --deepstream-root out to build against "
                "alpr-gen's own ABI declaration",
            )
        return HeaderChoice(
            None,
            reason=f"DeepStream's headers found at {ds} but not the {' and '.join(missing)} "
            "headers they include",
        )
    return HeaderChoice(ds, trt, cuda)


def _read_small(path: Path) -> str | None:
    """A small regular file's text, or None (missing, not a regular file, too big, unreadable)."""
    try:
        return read_bounded(path, _SMALL_FILE).decode("utf-8", errors="replace")
    except OSError:
        return None


def _target(version: str, source: str) -> Target:
    try:
        return Target(version, versions.parser_abi_for(version), source)
    except ValueError as exc:
        raise BuildError(
            f"{source}: {exc}",
            hint="alpr-gen builds parsers for DeepStream "
            + ", ".join(f"{since}+ (ABI {abi})" for since, abi in versions.PARSER_ABIS),
        ) from None


def target_version(
    out_dir: Path, deepstream: str | None = None, deepstream_root: Path | None = None
) -> Target:
    """Which DeepStream to build for: `deepstream`, else the manifest of the bundle `out_dir` is
    in (`<bundle>/lib` or the bundle itself), else the installed DeepStream's version file."""
    if deepstream is not None:
        return _target(deepstream.strip(), "--deepstream")
    for bundle in (out_dir.parent, out_dir):
        text = _read_small(bundle / layout.MANIFEST)
        if text is None:
            continue
        manifest = layout.parse_manifest(text)
        if manifest.error is None and manifest.deepstream:  # untrusted shape: as if absent
            return _target(manifest.deepstream, str(bundle / layout.MANIFEST))
    root = deepstream_root if deepstream_root is not None else DEFAULT_DEEPSTREAM_ROOT
    version_file = root / DS_VERSION_FILE
    text = _read_small(version_file)
    found = re.search(r"(\d+)\.(\d+)", text or "")
    if found:
        return _target(found.group(0), str(version_file))
    raise BuildError(
        "cannot tell which DeepStream release the parser library is for (its ABI differs: "
        "NvDsInferObjectDetectionInfo is 24 bytes up to 8.0 and 28 bytes on 9.x)",
        hint="say it with --deepstream X.Y (e.g. --deepstream 9.1), or build into <bundle>/lib "
        f"of a rendered bundle (its {layout.MANIFEST} names the target), or install DeepStream "
        f"({version_file} names its release)",
    )


def find_compiler(cxx: str | None = None) -> str:
    """The C++ compiler: `cxx`, else $CXX, else g++; one executable (never split or expanded)."""
    name = cxx or os.environ.get("CXX") or "g++"
    safe_path(name, "C++ compiler")
    found = shutil.which(name)
    if found is None:
        raise BuildError(
            f"C++ compiler '{name}' not found",
            hint="install g++ (Debian/Ubuntu: apt-get install g++) or set CXX to the path of "
            "one C++17 compiler executable (no arguments)",
        )
    return found


def library_sources(sources: Path) -> list[Path]:
    return sorted((sources / "src").glob("*.cpp"))


def abi_flags(abi: int) -> list[str]:
    return [f"-DALPR_DS_ABI={abi}"]


def library_argv(
    cxx: str, sources: Path, output: Path, headers: HeaderChoice, abi: int
) -> list[str]:
    """The compiler command line that builds the parser library into `output`."""
    argv = [cxx, *COMMON_FLAGS, *abi_flags(abi)]
    argv += ["-I", str(sources / "src"), "-I", str(sources / "include")]
    if headers.deepstream_includes is not None:
        argv += ["-DALPR_DEEPSTREAM_HEADERS=1", "-I", str(headers.deepstream_includes)]
        for extra in (headers.trt_includes, headers.cuda_includes):
            if extra is not None:
                argv += ["-I", str(extra)]
    argv += ["-shared", "-Wl,--no-undefined", "-o", str(output)]
    return argv + [str(s) for s in library_sources(sources)]


def harness_argv(cxx: str, sources: Path, output: Path, abi: int) -> list[str]:
    """The test harness (custom_parsers/harness): dlopen()s the library at run time."""
    return [
        cxx, *COMMON_FLAGS, *abi_flags(abi), "-I", str(sources / "include"),
        "-shared", "-o", str(output), str(sources / "harness" / "harness.cpp"), "-ldl",
    ]  # fmt: skip


def compile_or_raise(argv: Sequence[str], what: str, hint: str | None = None) -> None:
    """Run the compiler (argv, no shell); a failure becomes a BuildError with its last lines."""
    try:
        proc = subprocess.run(list(argv), capture_output=True, text=True, check=False)
    except OSError as exc:
        raise BuildError(f"cannot run {argv[0]}: {exc.strerror}") from None
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-25:])
        raise BuildError(f"building {what} failed:\n{tail}", hint=hint)


def expected_functions(sources: Path) -> tuple[str, ...]:
    extra = [fn for src, fn in CLASSIFIER_FUNCTIONS.items() if (sources / "src" / src).is_file()]
    return (*BBOX_FUNCTIONS, *extra)


def check_library(path: Path, functions: Sequence[str], abi: int) -> None:
    """dlopen the fresh library as nvinfer will, look the parse functions up, check its ABI."""
    import ctypes

    try:
        lib = ctypes.CDLL(str(path), mode=os.RTLD_NOW | os.RTLD_LOCAL)
    except OSError as exc:
        raise BuildError(f"the built {path.name} cannot be loaded: {exc}") from None
    missing = [fn for fn in functions if not hasattr(lib, fn)]
    if missing:
        raise BuildError(f"the built {path.name} does not export {', '.join(missing)}")
    built_abi = lib.AlprParserAbi() if hasattr(lib, "AlprParserAbi") else None
    if built_abi != abi:
        raise BuildError(f"the built {path.name} reports parser ABI {built_abi}, not {abi}")


def build_parser(
    out_dir: Path = Path(layout.LIB_DIR),
    deepstream_root: Path | None = None,
    *,
    deepstream: str | None = None,
    sources: Path | None = None,
    cxx: str | None = None,
    headers: HeaderChoice | None = None,
) -> ParserBuildResult:
    """Build `out_dir/libnvdsinfer_alpr.so`; nothing in out_dir changes if anything fails."""
    from alpr_gen.resources import data_dir

    src = safe_path(sources if sources is not None else data_dir("custom_parsers"), "sources")
    out = safe_path(out_dir, "--out").resolve()
    compiler = find_compiler(cxx)
    chosen = headers if headers is not None else choose_headers(deepstream_root)
    target = target_version(out, deepstream, deepstream_root)
    try:
        out.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=".build-parser-", dir=out))
    except OSError as exc:
        raise BuildError(f"cannot create {out}: {exc.strerror}") from None
    try:
        built = stage / LIBRARY_NAME
        argv = library_argv(compiler, src.resolve(), built, chosen, target.abi)
        compile_or_raise(
            argv,
            f"{LIBRARY_NAME} for DeepStream {target.version} (parser ABI {target.abi}, from "
            f"{target.source}) with {chosen.describe()}",
            hint=None
            if not chosen.uses_deepstream
            else "if DeepStream's headers are the problem, retry without DeepStream's "
            "include path (alpr-gen then uses its own ABI declaration)",
        )
        functions = expected_functions(src)
        check_library(built, functions, target.abi)
        final = out / LIBRARY_NAME
        os.replace(built, final)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return ParserBuildResult(final, chosen, functions, target, argv)
