"""The parser bridge: one build per parser ABI, cached by content, the layouts kept apart."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from alpr_gen.errors import BuildError
from alpr_gen.nvinfer.bridge import (
    Layer,
    ParserBridge,
    build_bridge,
    cache_root,
    parsers_source_dir,
)

pytestmark = pytest.mark.slow  # compiles the library and the harness

FN = "NvDsInferParseAlprYolo"


@pytest.mark.parametrize(("abi", "size"), [(6, 24), (9, 28)])
def test_each_abi_has_its_object_layout(bridges, abi: int, size: int) -> None:
    bridge: ParserBridge = bridges(abi)
    assert (bridge.abi, bridge.object_size) == (abi, size)
    rows = np.array([[10, 20, 110, 70, 0.9, 1], [0, 0, 5, 5, 0.1, 0]], np.float32)
    res = bridge.bbox(FN, [Layer(rows)], num_classes=2, pre_thresholds=[0.5, 0.5])
    assert res.ok and res.error == ""
    np.testing.assert_array_equal(res.dets, np.float32([[10, 20, 100, 50, 0.9, 1]]))
    assert res.rotation.tolist() == [0.0]


def test_a_library_of_the_other_layout_is_refused(parser_cache: Path) -> None:
    six, nine = build_bridge(6, cache_dir=parser_cache), build_bridge(9, cache_dir=parser_cache)
    with pytest.raises(OSError, match=r"built for parser ABI 6 \(24-byte objects\), this harness "
                                      r"for ABI 9 \(28-byte objects\)"):  # fmt: skip
        ParserBridge(six.library, nine.harness)
    with pytest.raises(OSError, match="built for parser ABI 9"):
        ParserBridge(nine.library, six.harness)


def test_builds_are_cached_by_content(tmp_path: Path) -> None:
    first = build_bridge(9, cache_dir=tmp_path / "cache")
    stamp = first.library.stat().st_mtime_ns
    again = build_bridge(9, cache_dir=tmp_path / "cache")
    assert again == first and first.library.stat().st_mtime_ns == stamp  # not rebuilt
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [first.library.parent.name]
    sources = tmp_path / "src"
    shutil.copytree(parsers_source_dir(), sources, ignore=shutil.ignore_patterns("build"))
    same = build_bridge(9, cache_dir=tmp_path / "cache", sources=sources)
    assert same.library == first.library  # the same content hashes the same, wherever it is
    with (sources / "src" / "yolo_parser.cpp").open("a") as fh:
        fh.write("\n// changed\n")
    changed = build_bridge(9, cache_dir=tmp_path / "cache", sources=sources)
    assert changed.library.parent != first.library.parent and changed.library.is_file()


def test_bad_abi_and_broken_sources_are_build_errors(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="parser ABI 7"):
        build_bridge(7, cache_dir=tmp_path)
    sources = tmp_path / "src"
    shutil.copytree(parsers_source_dir(), sources, ignore=shutil.ignore_patterns("build"))
    (sources / "src" / "yolo_parser.cpp").write_text("#error broken on purpose\n")
    with pytest.raises(BuildError, match="broken on purpose"):
        build_bridge(9, cache_dir=tmp_path / "cache", sources=sources)
    assert not [p for p in (tmp_path / "cache").iterdir() if not p.name.startswith(".")]


def test_cache_location(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("ALPR_GEN_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root() == tmp_path / "xdg" / "alpr-gen"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative")  # not absolute: ignored, as the spec says
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_root() == tmp_path / "home" / ".cache" / "alpr-gen"
    monkeypatch.setenv("ALPR_GEN_CACHE_DIR", str(tmp_path / "mine"))
    assert cache_root() == tmp_path / "mine"
    monkeypatch.setenv("ALPR_GEN_CACHE_DIR", str(tmp_path / "a\nb"))
    with pytest.raises(BuildError, match="newline"):
        cache_root()
