"""GLib's own key-file parser (what deepstream-app and nvinfer use) reads every rendered file,
and the hand-written fixtures of the validator, exactly as alpr-gen's reader does."""

from __future__ import annotations

from pathlib import Path

import pytest

from alpr_gen.profile import known_profiles, load_profile
from alpr_gen.render import render_site

from .glib import glib_entries, our_entries

FIXTURES = Path(__file__).resolve().parent.parent / "validate" / "fixtures"


def _ini_files(root: Path) -> list[Path]:
    return sorted(
        p for p in root.rglob("*") if p.suffix in (".txt", ".cfg") and p.name != "labels.txt"
    )


@pytest.mark.parametrize("site", sorted(known_profiles()))
def test_glib_reads_every_rendered_file_as_we_do(
    site: str, glib_dump: Path, tmp_path: Path, profile_env: dict[str, str]
) -> None:
    files = render_site(load_profile(site))
    checked = 0
    for name, text in files.items():
        if not name.endswith((".txt", ".cfg")) or name == "labels.txt":
            continue
        path = tmp_path / name
        path.write_text(text)
        # Values alpr-gen writes need no unescaping, so GLib's string equals the raw text.
        assert glib_entries(glib_dump, path) == our_entries(path), name
        checked += 1
    assert checked >= 5


def test_glib_reads_the_hand_written_fixtures_as_we_do(glib_dump: Path) -> None:
    paths = _ini_files(FIXTURES)
    assert {p.parent.name for p in paths} == {"base", "nvidia_style"}
    for path in paths:
        assert glib_entries(glib_dump, path) == our_entries(path), path


def test_glib_turns_a_backslash_into_something_else(glib_dump: Path, tmp_path: Path) -> None:
    # Why profiles refuse backslashes: GLib unescapes them, so C:\new holds a newline. The dump
    # writes that newline as the two characters \n; a kept backslash would be dumped as \\.
    path = tmp_path / "x.txt"
    path.write_text("[source0]\nuri=C:\\new\n")
    assert glib_entries(glib_dump, path) == [("source0", "uri", "C:\\new")]
    assert our_entries(path) == [("source0", "uri", "C:\\new")]  # ours is the raw text


def test_whitespace_around_keys_and_values_as_glib(glib_dump: Path, tmp_path: Path) -> None:
    """GLib drops whitespace before a line, after a key and before a value, and keeps it at the
    end of a value: `onnx-file=model.onnx ` names a file whose name ends in a space. (The dump
    escapes a tab in a value, so the values here end in spaces.)"""
    path = tmp_path / "ws.txt"
    path.write_text(
        "  [property]  \n"
        "onnx-file=model.onnx \n"
        "  gpu-id \t=\t 0  \n"
        "labelfile-path =  labels.txt   \n"
        "\tcustom-lib-path=/opt/lib.so\r\n"
        "offsets=1; 2 ;\n"
    )
    ours = our_entries(path)
    assert glib_entries(glib_dump, path) == ours
    assert ("property", "onnx-file", "model.onnx ") in ours
    assert ("property", "labelfile-path", "labels.txt   ") in ours
