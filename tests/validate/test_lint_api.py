"""lint_path's contract: discovery, target, as_if_at, never raising on malformed input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alpr_gen.errors import AlprGenError
from alpr_gen.validate import lint_path
from alpr_gen.validate.findings import Severity
from alpr_gen.validate.rules import RULES, Rule, all_rules


def test_app_config_found_in_dir_and_as_file(base_set: Path) -> None:
    by_dir = lint_path(base_set)
    by_file = lint_path(base_set / "deepstream_app.txt")
    assert by_dir.app_config == by_file.app_config == "deepstream_app.txt"
    assert by_dir.findings == by_file.findings == []


def test_target_from_manifest(base_set: Path) -> None:
    manifest = json.loads((base_set / "manifest.json").read_text())
    manifest["target"] = {"platform": "jetson", "deepstream": "6.3"}
    (base_set / "manifest.json").write_text(json.dumps(manifest))
    report = lint_path(base_set)
    assert (report.deepstream, report.platform) == ("6.3", "jetson")
    # the command line wins over the manifest
    report = lint_path(base_set, deepstream="7.1")
    assert (report.deepstream, report.platform) == ("7.1", "jetson")


@pytest.mark.parametrize(
    "kwargs", [{"deepstream": "9.9"}, {"platform": "x86"}, {"deepstream": "6.4"}]
)
def test_bad_target_is_a_usage_error(base_set: Path, kwargs: dict[str, str]) -> None:
    with pytest.raises(AlprGenError) as exc:
        lint_path(base_set, **kwargs)
    assert exc.value.exit_code == 2


def test_missing_path_and_dir_without_app_config(tmp_path: Path) -> None:
    with pytest.raises(AlprGenError, match="no such file"):
        lint_path(tmp_path / "nope")
    (tmp_path / "notes.txt").write_text("[property]\nbatch-size=1\n")
    with pytest.raises(AlprGenError, match="no deepstream-app config") as exc:
        lint_path(tmp_path)
    assert exc.value.exit_code == 2


def test_as_if_at_resolves_artifacts_at_the_final_dir(base_set: Path, tmp_path: Path) -> None:
    """Configs staged elsewhere; models are looked for where the set will live."""
    stage = tmp_path / "stage"
    stage.mkdir()
    for p in base_set.iterdir():
        if p.is_file():
            shutil.copy(p, stage / p.name)
    staged = lint_path(stage)
    assert {f.rule_id for f in staged.findings} == {"DS202"}  # models are only in base_set
    final = lint_path(stage, as_if_at=base_set)
    assert final.findings == []


def test_a_crashing_rule_becomes_a_finding(base_set: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(cs: object) -> list[object]:
        raise KeyError("x")

    all_rules()
    monkeypatch.setitem(RULES, "DS999", Rule("DS999", Severity.ERROR, "test", boom))
    report = lint_path(base_set)
    assert [(f.rule_id, f.severity) for f in report.findings] == [("DS000", Severity.WARNING)]
    assert "DS999" in report.findings[0].message


_LINE = st.one_of(
    st.sampled_from(
        [
            "[application]",
            "[source0]",
            "[primary-gie]",
            "[streammux]",
            "[sink0]",
            "[tracker]",
            "[secondary-gie0]",
            "[nvds-analytics]",
            "[source0]",
        ]
    ),
    st.sampled_from(
        [
            "enable=1",
            "enable=true",
            "type=4",
            "type=3",
            "batch-size=0",
            "config-file=pgie_yolo11.txt",
            "config-file=/dev/null",
            "ll-config-file=tracker.yml",
            "config-file=analytics.txt",
            "operate-on-gie-id=9",
            "gie-unique-id=1",
            "uri=x",
            "num-sources=-3",
            "msg-conv-config=/",
            "labelfile-path=.",
            "rows=0",
        ]
    ),
    st.text(max_size=30),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines=st.lists(_LINE, max_size=25))
def test_never_raises_on_malformed_app_config(base_set: Path, lines: list[str]) -> None:
    (base_set / "deepstream_app.txt").write_text(
        "\n".join(lines), encoding="utf-8", errors="surrogateescape"
    )
    report = lint_path(base_set)
    assert all(f.rule_id != "DS000" for f in report.findings), report.findings


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=300))
def test_never_raises_on_malformed_nested_files(base_set: Path, text: str) -> None:
    for name in ("pgie_yolo11.txt", "tracker.yml", "analytics.txt", "broker.txt", "labels.txt"):
        (base_set / name).write_text(text, encoding="utf-8", errors="surrogateescape")
    report = lint_path(base_set)
    assert all(f.rule_id != "DS000" for f in report.findings), report.findings
