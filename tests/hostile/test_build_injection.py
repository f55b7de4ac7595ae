"""Class 1 (issue 15): no path from the command line, a profile or a config set is expanded by
make or a shell. These compile the real parser library (g++, a few seconds each).

`parser_build.py` calls the compiler with an argv list (the nvinfer helper's rewrite, merged):
`$(shell ...)`, backticks, `$$(...)`, spaces, quotes and `;` in `build-parser --out` or in a config
set's `custom-lib-path` are plain characters of a directory name.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from alpr_gen.cli import main

from .corpus_profiles import BASE
from .harness import BASE_ENV, SECRET

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("g++") is None, reason="no C++ compiler"),
]


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    out, err = capsys.readouterr()
    text = out + err
    assert "Traceback" not in text, text
    assert SECRET not in text
    code = exited.value.code
    return (code if isinstance(code, int) else 0), text


def _nothing_ran(tmp: Path) -> None:
    # The commands would create these files in tmp itself; a directory named after the literal
    # path (`$(shell touch .../PWNED)`) is what a correct build creates, deeper down.
    ran = [n for n in ("PWNED", "PWNED2", "PWNED3") if (tmp / n).is_file()]
    assert ran == [], "a command from a path was executed"


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("$(shell touch {tmp}/PWNED)", id="make-shell"),
        pytest.param("`touch {tmp}/PWNED2`", id="backticks"),
        pytest.param("$$(touch {tmp}/PWNED3)", id="shell-substitution"),
        pytest.param("dir with space", id="space"),
        pytest.param('quote\'d "dir"', id="quotes"),
        pytest.param("semi;colon", id="semicolon"),
        pytest.param("new\nline", id="newline"),
        pytest.param("${HOME}-and-$HOME", id="variables"),
    ],
)
def test_build_parser_out_is_a_path_not_a_command(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / name.replace("{tmp}", str(tmp_path))
    code, text = _run(["build-parser", "--out", str(out), "--deepstream", "7.1"], capsys)
    _nothing_ran(tmp_path)
    # Either it works with the path as written, or it refuses it clearly, naming --out.
    assert (code == 0 and (out / "libnvdsinfer_alpr.so").is_file()) or (
        code == 2 and "--out" in text
    ), text


@pytest.fixture
def bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from alpr_gen.profile import load_profile
    from alpr_gen.render import render_set
    from alpr_gen.writer import write_bundle

    (tmp_path / "p.yaml").write_text(BASE)
    out = tmp_path / "b"
    write_bundle(render_set(load_profile(str(tmp_path / "p.yaml"), env=BASE_ENV)), out)
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # no deepstream-app here: run stops after it
    return out


@pytest.mark.parametrize(
    "lib",
    [
        pytest.param(
            "lib/$(shell touch {tmp}/PWNED)/libnvdsinfer_alpr.so",
            id="make-shell",
        ),
        pytest.param("lib/`touch {tmp}/PWNED2`/libnvdsinfer_alpr.so", id="backticks"),
        pytest.param("lib with space/libnvdsinfer_alpr.so", id="space"),
    ],
)
def test_run_config_never_expands_custom_lib_path(
    lib: str, bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`run --config` on an untrusted bundle: preflight builds a missing parser library at the
    path the set names; that path must never reach make or a shell."""
    tmp = bundle.parent
    value = lib.replace("{tmp}", str(tmp))
    for name in ("pgie_yolo11.txt", "sgie_ocr.txt"):
        path = bundle / name
        path.write_text(path.read_text().replace("lib/libnvdsinfer_alpr.so", value))
    code, text = _run(["run", "--config", str(bundle), "--no-network-checks"], capsys)
    _nothing_ran(tmp)
    assert code == 2 and "deepstream-app is not installed" in text, text


def test_a_profile_path_is_written_literally_and_render_runs_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOSTILE_MQTT_PASSWORD", SECRET)
    evil = f"lib/$(shell touch {tmp_path}/PWNED)/`touch {tmp_path}/PWNED2`.so"
    (tmp_path / "p.yaml").write_text(BASE + f"paths: {{parser_lib: '{evil}'}}\n")
    code, text = _run(
        ["render", "--site", str(tmp_path / "p.yaml"), "--out", str(tmp_path / "o")], capsys
    )
    assert code == 0, text
    _nothing_ran(tmp_path)
    assert f"custom-lib-path={evil}" in (tmp_path / "o" / "pgie_yolo11.txt").read_text()
