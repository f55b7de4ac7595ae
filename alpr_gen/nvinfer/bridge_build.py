"""Building the parser library and the C++ harness for alpr_gen.nvinfer.bridge, into a cache.

Sources come from `alpr_gen.resources.data_dir("custom_parsers")` (inside the wheel when alpr-gen
is installed); builds go to $ALPR_GEN_CACHE_DIR, else $XDG_CACHE_HOME/alpr-gen, else
~/.cache/alpr-gen, one directory per hash of the sources, the compiler (path and --version) and
the flags, written atomically (compiled in a temporary directory, then renamed). The compiler is
called with an argv list (alpr_gen.parser_build), never through make or a shell.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from alpr_gen.errors import BuildError
from alpr_gen.parser_build import (
    HARNESS_NAME,
    LIBRARY_NAME,
    HeaderChoice,
    compile_or_raise,
    find_compiler,
    harness_argv,
    library_argv,
    safe_path,
)

_HASHED_DIRS = ("src", "include", "harness")


def parsers_source_dir() -> Path:
    """The parser sources: custom_parsers/ of a checkout, or the copy inside the wheel."""
    from alpr_gen.resources import data_dir

    return data_dir("custom_parsers")


def cache_root() -> Path:
    """Where built parser libraries and harnesses are kept."""
    explicit = os.environ.get("ALPR_GEN_CACHE_DIR")
    if explicit:
        return safe_path(explicit, "$ALPR_GEN_CACHE_DIR")
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return safe_path(base / "alpr-gen", "cache directory")


def have_fuzz_compiler() -> bool:
    return shutil.which(os.environ.get("FUZZ_CXX", "clang++-14")) is not None


@lru_cache(maxsize=8)
def _compiler_identity(cxx: str) -> str:
    try:
        proc = subprocess.run([cxx, "--version"], capture_output=True, text=True, check=False)
    except OSError:
        return cxx
    return f"{cxx}\n{proc.stdout.splitlines()[0] if proc.stdout else ''}"


def build_key(sources: Path, cxx: str, abi: int) -> str:
    """Hash of everything a build depends on: source files, compiler, flags and ABI."""
    h = hashlib.sha256()
    for sub in _HASHED_DIRS:
        for path in sorted((sources / sub).rglob("*")):
            if path.is_file():
                h.update(str(path.relative_to(sources)).encode() + b"\0" + path.read_bytes())
    h.update(_compiler_identity(cxx).encode())
    probe = Path("/")  # the argv shapes (flags) without this machine's paths
    h.update(repr(library_argv("c++", probe, probe, HeaderChoice(None), abi)[1:]).encode())
    h.update(repr(harness_argv("c++", probe, probe, abi)[1:]).encode())
    return h.hexdigest()[:20]


@dataclass(frozen=True)
class BridgeBuild:
    library: Path
    harness: Path
    abi: int


def build_bridge(
    abi: int, *, cache_dir: Path | None = None, sources: Path | None = None, cxx: str | None = None
) -> BridgeBuild:
    """The parser library and harness for `abi`, compiled once into the cache."""
    if abi not in (6, 9):
        raise BuildError(f"parser ABI {abi}: alpr-gen builds 6 (DeepStream 6.3-8.0) or 9 (9.x)")
    src = safe_path(sources if sources is not None else parsers_source_dir(), "sources").resolve()
    compiler = find_compiler(cxx)
    root = safe_path(cache_dir if cache_dir is not None else cache_root(), "cache directory")
    final = root / f"parsers-abi{abi}-{build_key(src, compiler, abi)}"
    done = BridgeBuild(final / LIBRARY_NAME, final / HARNESS_NAME, abi)
    if done.library.is_file() and done.harness.is_file():
        return done
    try:
        root.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=".build-", dir=root))
    except OSError as exc:
        raise BuildError(f"cannot create the parser cache {root}: {exc.strerror}") from None
    try:
        compile_or_raise(
            library_argv(compiler, src, stage / LIBRARY_NAME, HeaderChoice(None), abi),
            f"{LIBRARY_NAME} (parser ABI {abi})",
        )
        compile_or_raise(harness_argv(compiler, src, stage / HARNESS_NAME, abi), HARNESS_NAME)
        try:
            os.rename(stage, final)  # atomic; another process may have won the race
        except OSError:
            if not (done.library.is_file() and done.harness.is_file()):
                raise
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return done
