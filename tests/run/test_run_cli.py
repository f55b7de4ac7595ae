"""`alpr-gen run` end to end: the command line, the stand-in as deepstream-app, real signals."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from alpr_gen.cli import main

from .conftest import BundleSpec, read_record, write_bundle

CAMS = ["rtsp://admin:s3cret@127.0.0.1:9/a", "rtsp://127.0.0.1:9/b"]
# The stand-in must be runnable as a program: put a wrapper on PATH that uses this interpreter
# (a `python3` on PATH may not be the test's).


@pytest.fixture
def ds_bin(tmp_path: Path, fake_ds: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    exe = bindir / "deepstream-app"
    exe.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{fake_ds}" "$@"\n')
    exe.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    return exe


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(args)
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


def test_dry_run_prints_command_cwd_env_and_no_secrets(
    tmp_path: Path, ds_bin: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_bundle(tmp_path / "gate", BundleSpec(CAMS, new_mux=True, broker_port=9,
                                                      proto_lib="/x/libnvds_redis_proto.so"))  # fmt: skip
    code, out, _ = run_cli(
        ["run", "--config", str(root), "--dry-run", "-v", "--no-network-checks"], capsys
    )
    assert code == 0
    lines = out.splitlines()
    cmd = next(x for x in lines if x.startswith("command: "))
    assert cmd.endswith(f"{ds_bin} -c deepstream_app.txt")
    assert f"cwd: {root.resolve()}" in lines
    assert "env: USE_NEW_NVSTREAMMUX=yes" in lines and "env: GST_DEBUG=2" in lines
    assert f"env: ALPR_OCR_CONFIG={root.resolve() / 'ocr_parser.cfg'}" in lines
    assert "s3cret" not in out and "hunter2" not in out
    assert "deepstream-app" in out and "preflight" in out


def test_docker_dry_run_shows_the_full_docker_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_bundle(tmp_path / "gate", BundleSpec(CAMS))
    image = "nvcr.io/nvidia/deepstream:7.0-triton-multiarch"
    code, out, _ = run_cli(
        ["run", "--config", str(root), "--dry-run", "--docker", image, "--no-network-checks"],
        capsys,
    )
    assert code == 0
    cmd = next(x for x in out.splitlines() if x.startswith("command: "))
    assert " run --rm -i --init " in cmd and "--gpus all" in cmd
    assert f"-v {root.resolve()}:{root.resolve()}" in cmd
    assert cmd.endswith(f"{image} stdbuf -oL -eL deepstream-app -c deepstream_app.txt")


def test_missing_deepstream_app_says_how_to_get_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_bundle(tmp_path / "gate", BundleSpec(CAMS))
    code, _out, err = run_cli(
        ["run", "--config", str(root), "--deepstream-app", str(tmp_path / "no-such-app"),
         "--no-network-checks"],
        capsys,
    )  # fmt: skip
    assert code == 2
    assert "deepstream-app is not installed here" in err
    assert "nvcr.io/nvidia/deepstream:7.0-triton-multiarch" in err and "--docker" in err


def test_failed_preflight_refuses_without_force(
    tmp_path: Path, ds_bin: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_bundle(tmp_path / "gate", BundleSpec(CAMS, parser=False))
    code, _out, err = run_cli(
        ["run", "--config", str(root), "--no-build", "--no-network-checks"], capsys
    )
    assert code == 2 and "preflight failed" in err and "parser library" in err


def test_run_streams_perf_and_hints_and_exits_with_the_child_code(
    tmp_path: Path,
    ds_bin: Path,
    record: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = write_bundle(tmp_path / "gate", BundleSpec(CAMS))
    monkeypatch.setenv("FAKE_DS_PERF_INTERVAL", "0.1")
    monkeypatch.setenv("FAKE_DS_DURATION", "0.6")
    monkeypatch.setenv("FAKE_DS_SCENARIO", "unknown-key")
    # --force: this machine has no GPU (the only failing check here).
    code, out, _ = run_cli(["run", "--config", str(root), "--force", "--no-network-checks"], capsys)
    assert code == 0
    assert "**PERF:  FPS 0 (Avg)\tFPS 1 (Avg)" in out  # child lines pass through as is
    assert "**PERF:  30.00" in out
    assert "alpr-gen: warning [unknown-key]: 'bogus-key' in [source0]" in out
    assert out.rstrip().endswith("App run successful")
    (start, exit_) = read_record(record)
    assert start["cwd"] == str(root.resolve()) and exit_["code"] == 0


def test_run_propagates_failure_exit_code_and_hint(
    tmp_path: Path, ds_bin: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_bundle(tmp_path / "gate", BundleSpec(CAMS, engine=False, onnx=False))
    code, out, _ = run_cli(["run", "--config", str(root), "--force", "--no-network-checks"], capsys)
    assert code == 255
    assert "alpr-gen: error [nvinfer-context]" in out
    assert "App run failed" in out


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signal_to_alpr_gen_reaches_deepstream_app_as_one_sigint(
    tmp_path: Path, ds_bin: Path, record: Path, sig: signal.Signals
) -> None:
    root = write_bundle(tmp_path / "gate", BundleSpec(CAMS))
    env = {**os.environ, "FAKE_DS_PERF_INTERVAL": "0.1", "COLUMNS": "200"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "alpr_gen", "run", "--config", str(root), "--force",
         "--no-network-checks"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )  # fmt: skip
    assert proc.stdout is not None
    seen: list[str] = []
    deadline = time.monotonic() + 30
    for line in proc.stdout:
        seen.append(line)
        if line.startswith("**PERF:  30.00") or time.monotonic() > deadline:
            break
    assert any(x.startswith("**PERF:  30.00") for x in seen), "".join(seen)
    proc.send_signal(sig)
    rest, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, rest
    events = read_record(record)
    assert [e["event"] for e in events] == ["start", "sigint", "exit"]
    assert events[0]["pid"] != proc.pid  # the child, not alpr-gen itself
    assert "User Interrupted" in rest and rest.rstrip().endswith("App run successful")


@pytest.mark.slow
def test_missing_parser_library_is_built_before_launch(
    tmp_path: Path,
    ds_bin: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Compiles the real parser library (alpr_gen.parser_build, ~5 s here)."""
    root = write_bundle(tmp_path / "gate", BundleSpec(CAMS, parser=False))
    monkeypatch.setenv("FAKE_DS_DURATION", "0.2")
    lib = root / "lib" / "libnvdsinfer_alpr.so"
    assert not lib.exists()
    code, out, _ = run_cli(["run", "--config", str(root), "--force", "--no-network-checks"], capsys)
    assert code == 0
    assert lib.is_file() and lib.read_bytes()[:4] == b"\x7fELF"
    assert "(built now)" in out


def test_site_renders_validates_and_shows_the_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "demo"
    code, out, _ = run_cli(
        ["run", "--site", "demo", "--out", str(out_dir), "--dry-run", "--no-network-checks",
         "--backend", "deepstream-app"],
        capsys,
    )  # fmt: skip
    assert code == 0
    assert (out_dir / "deepstream_app.txt").is_file() and (out_dir / "manifest.json").is_file()
    assert f"cwd: {out_dir.resolve()}" in out.splitlines()
    assert "deepstream-app -c deepstream_app.txt" in out


def test_site_and_config_are_exclusive(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run_cli(["run", "--dry-run"], capsys)
    assert code == 2 and "exactly one of --site NAME or --config DIR" in err
    code, _out, err = run_cli(["run", "--config", str(tmp_path), "--restart", "always"], capsys)
    assert code == 2 and "'always' is not one of 'no', 'on-failure'" in err


def test_dry_run_stays_off_the_network_unless_asked(
    tmp_path: Path,
    ds_bin: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No DNS lookup and no connection by default with --dry-run; --network-checks asks."""
    import socket

    calls: list[object] = []

    def recorded(address: object, *args: object, **kwargs: object) -> object:
        calls.append(address)
        raise OSError("not here")

    monkeypatch.setattr(socket, "create_connection", recorded)
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: calls.append(a) or [])
    root = write_bundle(tmp_path / "gate", BundleSpec(CAMS, broker_port=9,
                                                      proto_lib="/x/libnvds_redis_proto.so"))  # fmt: skip
    code, out, _ = run_cli(["run", "--config", str(root), "--dry-run"], capsys)
    assert code == 0 and calls == []
    assert "reachability and broker login not checked" in out and "--network-checks" in out
    code, out, _ = run_cli(["run", "--config", str(root), "--dry-run", "--network-checks"], capsys)
    assert code == 0 and calls  # brokers and cameras were tried
    assert "camera [source0]" in out
