"""Help snapshots of every command (golden files), and the one CLI style they follow.

Regenerate after a deliberate change with `pytest tests/cli --update-golden` and review the
diff: the help text is what users read first.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from alpr_gen.cli import COMMANDS, main

GOLDEN = Path(__file__).parent / "golden"
NAMES = ["alpr-gen", *(name for name, _, _ in COMMANDS)]


def help_text(name: str, capsys: pytest.CaptureFixture[str]) -> str:
    args = ["--help"] if name == "alpr-gen" else [name, "--help"]
    with pytest.raises(SystemExit) as exc:
        main(args)
    out, err = capsys.readouterr()
    assert exc.value.code == 0, err
    return out


@pytest.fixture(autouse=True)
def _eighty_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")


@pytest.mark.parametrize("name", NAMES)
def test_help_matches_its_snapshot(
    name: str, capsys: pytest.CaptureFixture[str], request: pytest.FixtureRequest
) -> None:
    text = help_text(name, capsys)
    golden = GOLDEN / f"{name}.txt"
    if request.config.getoption("--update-golden"):
        golden.write_text(text)
    assert golden.is_file(), f"no snapshot: run pytest {__file__} --update-golden"
    assert text == golden.read_text(), f"help of {name} changed: review, then --update-golden"


@pytest.mark.parametrize("name", NAMES)
def test_help_follows_the_cli_style(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    text = help_text(name, capsys)
    assert max(len(line) for line in text.splitlines()) <= 80, "help wider than 80 columns"
    assert "Examples:" in text, "every command's help ends with examples"
    # Placeholders name what to give (NAME, DIR, FILE, N...), not a Python type.
    assert not re.search(r"<(str|int|float|path|list\[.*?\])>", text), text
    # Defaults are shown one way: click's [default: X].
    assert not re.search(r"\(default[ :]", text), text


def test_command_summaries_are_whole(capsys: pytest.CaptureFixture[str]) -> None:
    text = help_text("alpr-gen", capsys)
    commands = text.split("Commands:", 1)[1].split("Examples:", 1)[0]
    for name, _, _ in COMMANDS:
        line = next(ln for ln in commands.splitlines() if ln.strip().startswith(name + " "))
        assert not line.endswith("..."), f"summary of {name} is cut: {line}"
        assert line.rstrip().endswith("."), line


def test_same_short_options_for_the_same_things(capsys: pytest.CaptureFixture[str]) -> None:
    meaning = {"-s": "--site", "-c": "--config", "-o": "--out", "-n": "--dry-run", "-f": "--force"}
    for name, _, _ in COMMANDS:
        text = help_text(name, capsys)
        for short, long in meaning.items():
            pairs = re.findall(rf"{short}, (--[a-z-]+)", text)
            assert all(p == long for p in pairs), (name, short, pairs)
        for long in ("--site", "--config"):
            if re.search(rf"^\s+{long} [A-Z]", text, re.M):  # long option without a short one
                pytest.fail(f"{name}: {long} has no short option")


def _examples(text: str) -> list[list[str]]:
    block = text.split("Examples:", 1)[1]
    lines = [ln.strip() for ln in block.splitlines() if ln.strip()]
    joined: list[str] = []
    for line in lines:
        if joined and joined[-1].endswith("\\"):
            joined[-1] = joined[-1][:-1] + " " + line
        else:
            joined.append(line)
    return [shlex.split(line, comments=True) for line in joined if line.startswith("alpr-gen ")]


@pytest.mark.parametrize("name", NAMES)
def test_examples_use_options_that_exist(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Each example parses (click refuses an unknown option before it shows --help)."""
    for argv in _examples(help_text(name, capsys)):
        if "COMMAND" in argv:
            continue
        with pytest.raises(SystemExit) as exc:
            main([*argv[1:], "--help"])
        _, err = capsys.readouterr()
        assert exc.value.code == 0, (argv, err)


def test_debug_is_accepted_before_and_after_the_command(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = str(tmp_path / "nothing-here")
    for argv in (["--debug", "validate", missing], ["validate", missing, "--debug"]):
        with pytest.raises(Exception) as exc:  # --debug: the error is raised, with its traceback
            main(argv)
        assert not isinstance(exc.value, SystemExit), argv
    with pytest.raises(SystemExit) as code:
        main(["validate", missing])
    assert code.value.code == 2
    assert "Traceback" not in capsys.readouterr().err
