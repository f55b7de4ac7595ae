"""validate, run --dry-run and export --site read each file of a config set once.

Python's audit hook sees every open() in the process (the C extension modules we use do not
open config files), so the count is of real opens, not of calls into our own reader.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from alpr_gen.cli import main

_WATCH: dict[str, object] = {"root": None, "opens": Counter()}


def _hook(event: str, args: tuple[object, ...]) -> None:
    root = _WATCH["root"]
    if event != "open" or root is None or not isinstance(args[0], str | Path):
        return
    path = Path(str(args[0]))
    if path.is_relative_to(root) and len(args) > 1 and args[1] in (None, "r", "rb"):  # type: ignore[arg-type]
        _WATCH["opens"][path] += 1  # type: ignore[index]


sys.addaudithook(_hook)  # hooks cannot be removed: it records only while a test sets `root`


@pytest.fixture
def watch(tmp_path: Path) -> Iterator[Counter[Path]]:
    opens: Counter[Path] = Counter()
    _WATCH.update(root=(tmp_path / "lot7").resolve(), opens=opens)
    yield opens
    _WATCH["root"] = None


def _cli(args: list[str]) -> int:
    try:
        main(args)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def _bundle_files(root: Path) -> set[Path]:
    return {p.resolve() for p in root.rglob("*") if p.is_file()}


def test_validate_opens_each_file_once(
    tmp_path: Path, profile_env: dict[str, str], watch: Counter[Path]
) -> None:
    out = tmp_path / "lot7"
    _WATCH["root"] = None
    assert _cli(["render", "--site", "lot7", "--out", str(out)]) == 0
    _WATCH["root"] = out.resolve()
    _cli(["validate", str(out)])
    assert watch and max(watch.values()) == 1, watch
    # Every file of the set was read (the app config names them all, manifest included).
    assert set(watch) == _bundle_files(out)


def test_run_dry_run_opens_each_file_once(
    tmp_path: Path, profile_env: dict[str, str], watch: Counter[Path]
) -> None:
    out = tmp_path / "lot7"
    _WATCH["root"] = None
    assert _cli(["render", "--site", "lot7", "--out", str(out)]) == 0
    _WATCH["root"] = out.resolve()
    assert _cli(["run", "--config", str(out), "--dry-run", "--no-network-checks"]) == 0
    assert watch and max(watch.values()) == 1, watch
    assert set(watch) == _bundle_files(out)


def test_export_site_opens_each_file_of_its_bundle_once(
    tmp_path: Path, profile_env: dict[str, str], watch: Counter[Path]
) -> None:
    out = tmp_path / "lot7"
    # A fresh bundle: export renders it (the staged copy is validated elsewhere), then reads it.
    code = _cli(
        ["export", "--site", "lot7", "--out", str(out), "--weights", str(tmp_path / "no.pt")]
    )
    assert code == 2  # the weights do not exist: export stops after reading its settings
    assert watch and max(watch.values()) == 1, watch
