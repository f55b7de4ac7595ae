"""Bad input: a clear message that says where, exit code 2, no traceback, nothing written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from alpr_gen.cli import main

from .conftest import MINIMAL


def render_fails(path_or_site: str, out: Path, capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exc:
        main(["render", "--site", path_or_site, "--out", str(out)])
    _, err = capsys.readouterr()
    assert exc.value.code == 2, err
    assert "Traceback" not in err
    assert not out.exists(), "nothing may be written on error"
    assert not list(out.parent.glob(f".{out.name}.staging-*")), "no staging left behind"
    return err


def test_unknown_site_lists_known(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = render_fails("lot77", tmp_path / "o", capsys)
    assert "unknown site 'lot77'" in err
    assert "lot7" in err and "fleet16" in err and "demo" in err


def test_yaml_syntax_error_names_file_and_line(
    write_profile, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_profile(MINIMAL.replace("  - id: cam-b\n", "  - id: cam-b\n   bad: [unclosed\n"))
    err = render_fails(str(path), tmp_path / "o", capsys)
    assert re.search(rf"{re.escape(str(path))}:\d+:\d+: YAML syntax error", err)


@pytest.mark.parametrize(
    ("old", "new", "dotted", "expect"),
    [
        ("    fps: 25\n", "    fps: fast\n", "cameras[1].fps", "expected a whole number"),
        ("    fps: 25\n", "    fpz: 25\n", "cameras[1].fpz", "unknown field"),
        ("uri: rtsp://10.0.0.2/s", "uri: 10.0.0.2/s", "cameras[1].uri", "uri must start with"),
        (
            "  topic: plates\n",
            "  topic: plates\n  port: 99999\n",
            "messaging.port",
            "at most 65535",
        ),
        ("  broker: kafka\n", "  broker: kafkaa\n", "messaging.broker", "did you mean 'kafka'"),
        ("plate_class_ids: [1]", "plate_class_ids: [5]", "detector.plate_class_ids[0]", "2 labels"),
        (
            "    fps: 25\n",
            "    fps: 25\n  - id: cam-a\n    name: again\n    uri: rtsp://h/s\n",
            "cameras[2].id",
            "duplicate camera id",
        ),
        (
            "[[100, 500], [1800, 500]]",
            "[[100, 500], [1990, 500]]",
            "cameras[0].lines[0]",
            "outside the 1920x1080 frame",
        ),
        ("  - name: entry", "  - name: entry=1", "cameras[0].lines[0].name", "expected a name"),
        ("labels: [vehicle, plate]", "labels: [vehicle, 'pl;ate']", "detector.labels[1]", "';'"),
        (
            'platform: dgpu, deepstream: "7.1"',
            'platform: dgpu, deepstream: "5.0"',
            "target.deepstream",
            "6.3",
        ),
        (
            "  labels: [vehicle, plate]\n",
            "  labels: [vehicle, plate]\n  input_size: 650\n",
            "detector.input_size",
            "multiple of 32",
        ),
    ],
)
def test_field_errors_name_the_dotted_path_and_line(
    old: str,
    new: str,
    dotted: str,
    expect: str,
    write_profile,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert old in MINIMAL
    path = write_profile(MINIMAL.replace(old, new, 1))
    err = render_fails(str(path), tmp_path / "o", capsys)
    assert f"{dotted}:" in err
    assert expect in err
    assert re.search(rf"{re.escape(str(path))}:\d+: ", err), err


@pytest.mark.parametrize(
    "evil",
    [
        "Camera A\n[sink9]\nenable=1",  # a new group
        "Camera A\nuri=rtsp://attacker/x",  # a new key
        "Camera\rA",
        "Camera\x00A",
        "C:\\new",  # GLib would unescape \n into a newline
    ],
)
def test_values_that_would_inject_into_ini_are_refused(
    evil: str, write_profile, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    escaped = (
        evil.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\x00", "\\0")
    )
    path = write_profile(MINIMAL.replace("name: Camera A", f'name: "{escaped}"'))
    err = render_fails(str(path), tmp_path / "o", capsys)
    assert "cameras[0].name:" in err
    assert "[sink9]" not in err and "attacker" not in err  # the value itself is never echoed


def test_injection_through_the_environment_is_refused(
    write_profile,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CAM_URI", "rtsp://10.0.0.1/s\n[sink9]\ntype=1")
    path = write_profile(MINIMAL.replace("uri: rtsp://10.0.0.1/s", "uri: ${CAM_URI}"))
    err = render_fails(str(path), tmp_path / "o", capsys)
    assert "cameras[0].uri:" in err


def test_missing_environment_variable(
    write_profile,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("KAFKA_PASS_FOR_TEST", raising=False)
    path = write_profile(MINIMAL + "  password: ${KAFKA_PASS_FOR_TEST}\n")
    err = render_fails(str(path), tmp_path / "o", capsys)
    assert "messaging.password: environment variable KAFKA_PASS_FOR_TEST is not set" in err
    assert re.search(rf"{re.escape(str(path))}:\d+: ", err)


def test_secrets_are_never_printed(
    write_profile,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    secret = "hunter2-very-secret"
    monkeypatch.setenv("KAFKA_PASS_FOR_TEST", secret)
    # A wrong type next to the secret: the error must not show the secret's value.
    path = write_profile(
        MINIMAL.replace("    fps: 25\n", "    fps: x\n") + "  password: ${KAFKA_PASS_FOR_TEST}\n"
    )
    err = render_fails(str(path), tmp_path / "o", capsys)
    assert secret not in err
    # And a successful render prints file names only.
    path = write_profile(
        MINIMAL
        + "  username: alpr\n  sasl_mechanism: SCRAM-SHA-512\n"
        + "  password: ${KAFKA_PASS_FOR_TEST}\n",
        name="ok.yaml",
    )
    with pytest.raises(SystemExit) as exc:
        main(["render", "--site", str(path), "--out", str(tmp_path / "ok")])
    out, err = capsys.readouterr()
    assert exc.value.code == 0, err
    assert secret not in out + err
    broker = tmp_path / "ok" / "broker.txt"
    assert secret in broker.read_text()
    assert broker.stat().st_mode & 0o777 == 0o600


def test_extends_cycle_is_reported(
    write_profile, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_profile("extends: b.yaml\n", name="a.yaml")
    path = write_profile("extends: a.yaml\n", name="b.yaml")
    err = render_fails(str(path), tmp_path / "o", capsys)
    assert "cycle" in err


def test_extends_deep_merges(write_profile, profile_env: dict[str, str]) -> None:
    from alpr_gen.profile import load_profile

    write_profile(MINIMAL, name="base.yaml")
    path = write_profile(
        "extends: base.yaml\nname: child\ndetector:\n  precision: fp32\nmessaging:\n  topic: other\n",
        name="child.yaml",
    )
    profile = load_profile(str(path))
    assert profile.name == "child"
    assert profile.detector.precision == "fp32"
    assert profile.detector.labels == ["vehicle", "plate"]  # kept from the base
    assert profile.messaging.topic == "other" and profile.messaging.host == "kafka.local"
    assert len(profile.cameras) == 2


def test_odd_unknown_keys_are_reported(
    write_profile, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_profile(MINIMAL + "weird[key: 1\n")
    err = render_fails(str(path), tmp_path / "o", capsys)
    assert "weird[key: unknown field" in err
