"""Run GLib's key-file parser (tests/render/glib_keyfile_dump.c) on a file."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from alpr_gen.deepstream.keyfile import parse_keyfile

HERE = Path(__file__).resolve().parent


def build_glib_dump(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None or shutil.which("pkg-config") is None:
        pytest.skip("needs a C compiler and pkg-config (scripts/install-system-deps)")
    flags = subprocess.run(
        ["pkg-config", "--cflags", "--libs", "glib-2.0"], capture_output=True, text=True
    )
    if flags.returncode != 0:
        pytest.skip("needs GLib's headers: libglib2.0-dev (scripts/install-system-deps)")
    exe = tmp_path_factory.mktemp("glib") / "glib_keyfile_dump"
    subprocess.run(
        [cc, str(HERE / "glib_keyfile_dump.c"), "-o", str(exe), *flags.stdout.split()], check=True
    )
    return exe


def glib_entries(exe: Path, path: Path) -> list[tuple[str, str, str]]:
    result = subprocess.run([str(exe), str(path)], capture_output=True, text=True)
    assert result.returncode == 0, f"GLib refuses {path}: {result.stderr}"
    entries = []
    for line in result.stdout.split("\n")[:-1]:  # one key per line; values have no raw \n
        group, key, value = line.split("\t", 2)
        if key:
            entries.append((group, key, value))
    return entries


def our_entries(path: Path) -> list[tuple[str, str, str]]:
    kf = parse_keyfile(path.read_text(), path)
    assert not kf.bad_lines, kf.bad_lines
    return [(g.name, e.key, e.value) for g in kf.groups.values() for e in g.entries.values()]
