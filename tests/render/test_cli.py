"""The CLI surface of render/profiles/schema, and the start-up budget of --help."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from alpr_gen.cli import main


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(args)
    out, err = capsys.readouterr()
    code = exc.value.code if isinstance(exc.value.code, int) else 1
    return code, out, err


def test_help_does_not_import_heavy_modules() -> None:
    code = (
        "import sys; from alpr_gen.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = sorted(m for m in ('torch', 'onnx', 'onnxruntime', 'ultralytics', 'numpy', 'cv2') if m in sys.modules)\n"
        "print('HEAVY', heavy)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert "HEAVY []" in result.stdout
    for command in ("render", "validate", "export", "build-parser", "run", "profiles", "schema"):
        assert command in result.stdout


def test_render_writes_into_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], profile_env: dict[str, str]
) -> None:
    code, out, _ = run_cli(["render", "--site", "lot7", "--out", str(tmp_path / "lot7")], capsys)
    assert code == 0
    assert (tmp_path / "lot7" / "deepstream_app.txt").is_file()
    assert "rendered site lot7" in out
    code, out, _ = run_cli(
        ["render", "--site", "lot7", "--out", str(tmp_path / "lot7"), "--check"], capsys
    )
    assert code == 0
    (tmp_path / "lot7" / "labels.txt").write_text("tampered\n")
    code, out, _ = run_cli(
        ["render", "--site", "lot7", "--out", str(tmp_path / "lot7"), "--check"], capsys
    )
    assert code == 1
    assert "conflict" in out and "edited since alpr-gen wrote it" in out
    assert "--force" in out  # a plain render would refuse the edited file


def test_dry_run_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], profile_env: dict[str, str]
) -> None:
    code, out, _ = run_cli(
        ["render", "--site", "demo", "--out", str(tmp_path / "d"), "--dry-run"], capsys
    )
    assert code == 0
    assert "created" in out
    assert not (tmp_path / "d").exists()


def test_profiles_lists_shipped_sites(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["profiles"], capsys)
    assert code == 0
    for site in ("lot7", "fleet16", "demo"):
        assert site in out
    assert "_alpr_base" not in out


def test_schema_is_json_schema_of_a_profile(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run_cli(["schema"], capsys)
    assert code == 0
    schema = json.loads(out)
    assert {"cameras", "detector", "messaging", "target"} <= set(schema["properties"])
    assert "cameras" in schema["required"]
    target = tmp_path / "schema.json"
    code, _, _ = run_cli(["schema", "--out", str(target)], capsys)
    assert code == 0 and json.loads(target.read_text()) == schema


def test_profiles_lists_the_environment_each_site_reads(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run_cli(["profiles"], capsys)
    assert code == 0
    lines = out.splitlines()
    fleet = lines.index(next(ln for ln in lines if ln.startswith("fleet16 ")))
    assert lines[fleet + 1].split() == ["needs", "FLEET_MQTT_PASSWORD"]  # no default in the file
    lot7 = "\n".join(lines[lines.index(next(ln for ln in lines if ln.startswith("lot7 "))) :])
    assert "LOT7_CAM1_URI" in lot7 and "LOT7_KAFKA_HOST (each has a default)" in lot7
    assert max(len(ln) for ln in lines) <= 80
