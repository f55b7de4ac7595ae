"""Output formats and the command's exit codes (through cli.main, as a user runs it)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alpr_gen import cli
from alpr_gen.validate import lint_path
from alpr_gen.validate.report import github_lines


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


def _break(root: Path) -> None:
    """One error (misspelt key) and one warning (unknown key) in the PGIE config."""
    pgie = root / "pgie_yolo11.txt"
    text = pgie.read_text().replace("symmetric-padding=1", "symetric-padding=1\nmy-knob=1")
    pgie.write_text(text)


def test_clean_set_exits_0(base_set: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["validate", str(base_set)], capsys)
    assert code == 0
    assert "0 error(s), 0 warning(s) (DeepStream 8.0, dgpu)" in out


def test_errors_exit_1_and_human_groups_by_file(
    base_set: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _break(base_set)
    code, out, _ = run(["validate", str(base_set)], capsys)
    assert code == 1
    lines = out.splitlines()
    header = lines.index("  pgie_yolo11.txt")
    assert "DS103" in lines[header + 1] and "did you mean 'symmetric-padding'" in lines[header + 1]


def test_warnings_exit_1_only_with_strict(
    base_set: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (base_set / "sgie_ocr.txt").write_text(
        (base_set / "sgie_ocr.txt").read_text() + "my-own-setting=7\n"
    )
    assert run(["validate", str(base_set)], capsys)[0] == 0
    assert run(["validate", str(base_set), "--strict"], capsys)[0] == 1


def test_json_format(base_set: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _break(base_set)
    code, out, _ = run(["validate", str(base_set), "--format", "json"], capsys)
    data = json.loads(out)
    assert code == 1 and data["errors"] == 1 and data["warnings"] == 1
    rules = {(f["rule_id"], f["severity"], f["file"], f["key"]) for f in data["findings"]}
    assert rules == {
        ("DS103", "error", "pgie_yolo11.txt", "symetric-padding"),
        ("DS104", "warning", "pgie_yolo11.txt", "my-knob"),
    }


def test_github_annotations(base_set: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _break(base_set)
    monkeypatch.chdir(base_set)
    report = lint_path(base_set)
    misspelt = next(f for f in report.findings if f.rule_id == "DS103")
    lines = github_lines(report)
    assert lines[0] == (
        f"::error file=pgie_yolo11.txt,line={misspelt.line},title=DS103::{misspelt.message}"
    )
    assert lines[1].startswith("::warning file=pgie_yolo11.txt,line=")


def test_usage_errors_exit_2(base_set: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["validate", str(base_set / "nope")], capsys)[0] == 2
    assert run(["validate", str(base_set), "--deepstream", "5.1"], capsys)[0] == 2
    assert run(["validate", str(base_set), "--format", "xml"], capsys)[0] == 2
    assert run(["validate"], capsys)[0] == 2


def test_site_is_rendered_in_memory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(["validate", "--site", "demo", "--format", "json"], capsys)
    data = json.loads(out)
    assert code == 0 and data["errors"] == 0
    assert data["title"] == "site demo (rendered in memory)"
    assert not (tmp_path / "out").exists()  # nothing written


def test_all_sites(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from alpr_gen.profile import known_profiles

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FLEET_MQTT_PASSWORD", "test")
    code, out, _ = run(["validate", "--all-sites", "--format", "json"], capsys)
    data = json.loads(out)
    assert code == 0
    assert [d["title"] for d in data] == [
        f"site {n} (rendered in memory)" for n in known_profiles()
    ]
    assert all(d["errors"] == 0 for d in data)


def test_all_sites_goes_on_past_a_profile_that_cannot_load(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FLEET_MQTT_PASSWORD", raising=False)
    code, out, err = run(["validate", "--all-sites", "--format", "json"], capsys)
    assert code == 2
    assert "site fleet16" in err and "FLEET_MQTT_PASSWORD" in err
    assert "site demo (rendered in memory)" in [d["title"] for d in json.loads(out)]
