"""Build libnvdsinfer_alpr.so, the custom-parser library nvinfer loads (`custom-lib-path`).

`choose_headers` decides which declaration of nvinfer's parser ABI to compile against:
DeepStream's own `nvdsinfer_custom_impl.h` (plus the TensorRT and CUDA headers it includes) when
it is installed, else the project's `custom_parsers/include/alpr_nvdsinfer_abi.h`, which has the
same layout. `make_argv` turns that choice into the `make` command line (pure, tested).
`build_parser` runs it in a temporary directory next to the output, checks that the library
loads and exports the parse functions, then moves it into place atomically.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from alpr_gen.deepstream import facts
from alpr_gen.errors import BuildError

LIBRARY_NAME = facts.PARSER_LIBRARY
DEFAULT_DEEPSTREAM_ROOT = Path(facts.INSTALL_ROOT)
DS_INCLUDE_SUBDIR = Path(facts.INCLUDE_DIR).relative_to(facts.INSTALL_ROOT)
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
class ParserBuildResult:
    library: Path
    headers: HeaderChoice
    functions: tuple[str, ...]
    argv: list[str] = field(default_factory=list)


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
    root = Path(deepstream_root) if explicit else DEFAULT_DEEPSTREAM_ROOT
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


def make_argv(
    sources: Path, build_dir: Path, headers: HeaderChoice, *, make: str = "make", jobs: int = 2
) -> list[str]:
    """The make command line that builds the library into build_dir."""
    argv = [make, "-C", str(sources), f"-j{jobs}", f"BUILD={build_dir}"]
    if headers.deepstream_includes is not None:
        argv.append(f"DS_INCLUDES={headers.deepstream_includes}")
        if headers.trt_includes is not None:
            argv.append(f"TRT_INCLUDES={headers.trt_includes}")
        if headers.cuda_includes is not None:
            argv.append(f"CUDA_INCLUDES={headers.cuda_includes}")
    argv.append("all")
    return argv


def expected_functions(sources: Path) -> tuple[str, ...]:
    extra = [fn for src, fn in CLASSIFIER_FUNCTIONS.items() if (sources / "src" / src).is_file()]
    return (*BBOX_FUNCTIONS, *extra)


def _check_library(path: Path, functions: Sequence[str]) -> None:
    """dlopen the fresh library as nvinfer will and look the parse functions up."""
    import ctypes

    try:
        lib = ctypes.CDLL(str(path), mode=os.RTLD_NOW | os.RTLD_LOCAL)
    except OSError as exc:
        raise BuildError(f"the built {path.name} cannot be loaded: {exc}") from None
    missing = [fn for fn in functions if not hasattr(lib, fn)]
    if missing:
        raise BuildError(f"the built {path.name} does not export {', '.join(missing)}")


def build_parser(
    out_dir: Path = Path("lib"),
    deepstream_root: Path | None = None,
    *,
    sources: Path | None = None,
    make: str = "make",
    headers: HeaderChoice | None = None,
) -> ParserBuildResult:
    """Build `out_dir/libnvdsinfer_alpr.so`; nothing in out_dir changes if anything fails."""
    from alpr_gen.resources import data_dir

    src = Path(sources) if sources is not None else data_dir("custom_parsers")
    if shutil.which(make) is None:
        raise BuildError(
            f"'{make}' not found: building the parser library needs make and a C++17 compiler",
            hint="install them (Debian/Ubuntu: apt-get install build-essential)",
        )
    cxx = os.environ.get("CXX", "g++")
    if shutil.which(cxx) is None:
        raise BuildError(
            f"C++ compiler '{cxx}' not found",
            hint="install g++ (apt-get install build-essential) or set CXX",
        )
    chosen = headers if headers is not None else choose_headers(deepstream_root)
    out = Path(out_dir).resolve()
    try:
        out.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=".build-parser-", dir=out))
    except OSError as exc:
        raise BuildError(f"cannot create {out}: {exc.strerror}") from None
    try:
        argv = make_argv(src, stage, chosen, make=make)
        proc = subprocess.run(argv, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-25:])
            raise BuildError(
                f"building {LIBRARY_NAME} failed ({' '.join(argv)}):\n{tail}",
                hint=None
                if not chosen.uses_deepstream
                else "if DeepStream's headers are the problem, retry without DeepStream's "
                "include path (alpr-gen then uses its own ABI declaration)",
            )
        built = stage / LIBRARY_NAME
        functions = expected_functions(src)
        _check_library(built, functions)
        target = out / LIBRARY_NAME
        os.replace(built, target)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return ParserBuildResult(target, chosen, functions, argv)
