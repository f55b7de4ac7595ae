"""`alpr-gen run --backend preview` from the command line: backend choice, bad input (exit 2,
nothing hangs), Ctrl-C (exit 130 with the summary)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from alpr_gen.cli import main
from alpr_gen.run.preflight import Environment
from alpr_gen.run.session import RunOptions, open_set, prepare

from .conftest import ROOT, one_stream

pytestmark = pytest.mark.slow


RunCli = Callable[..., tuple[int, str]]


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> RunCli:
    """`alpr-gen run ARGS` as the console script runs it: (exit code, stdout + stderr)."""

    def run(*args: object) -> tuple[int, str]:
        with pytest.raises(SystemExit) as exc:
            main(["run", *map(str, args)])
        out, err = capsys.readouterr()
        return int(exc.value.code or 0), out + err

    return run


def test_auto_picks_preview_without_deepstream(bundle: Path) -> None:
    opts = RunOptions(config=bundle, env=Environment(which=lambda _n: None, network=False))
    prepared = prepare(open_set(opts), opts)
    assert prepared.backend.name == "preview"
    assert prepared.notice is not None and "not installed here" in prepared.notice
    # the DeepStream-only checks do not block the preview backend
    blocking = [c for c in prepared.preflight.failed]
    assert not blocking, blocking


def test_run_prints_plates_and_the_summary(bundle: Path, run_cli: RunCli) -> None:
    one_stream(bundle)
    code, out = run_cli("--config", bundle, "--frames", "66", "--no-network-checks")
    assert code == 0, out
    assert "running the preview backend" in out
    assert "ignored by the preview backend:" in out and "model-engine-file" in out
    assert "plate 046CME (stream 0" in out
    assert re.search(
        r"vehicle \d+ crossed line 'crossing' \(stream 0, frame 32, direction 0,200\)", out
    )
    assert "summary" in out and "plates read" in out and "046CME" in out


def test_dry_run_and_bad_backend(bundle: Path, run_cli: RunCli) -> None:
    code, out = run_cli("--config", bundle, "--backend", "preview", "--dry-run",
                        "--no-network-checks")  # fmt: skip
    assert code == 0 and "backend: preview" in out and "tracker: NvDCF -> ByteTrack" in out
    code, out = run_cli("--config", bundle, "--backend", "gstreamer")
    assert code == 2 and "--backend gstreamer" in out


def test_missing_model_is_exit_2(bundle: Path, run_cli: RunCli) -> None:
    (bundle / "models" / "alpr_demo_yolo11n.onnx").unlink()
    code, out = run_cli("--config", bundle, "--backend", "preview", "--force",
                        "--no-network-checks", "--frames", "3")  # fmt: skip
    assert code == 2, out
    assert "alpr_demo_yolo11n.onnx" in out and "not found" in out
    assert "Traceback" not in out


def test_unreadable_video_is_exit_2(bundle: Path, run_cli: RunCli) -> None:
    clip = bundle / "media" / "demo.mp4"
    clip.unlink()
    clip.write_bytes(b"\x00\x00\x00\x18ftypmp42" + os.urandom(4096))
    code, out = run_cli("--config", bundle, "--backend", "preview", "--no-network-checks",
                        "--frames", "3")  # fmt: skip
    assert code == 2, out
    assert "demo.mp4" in out and "cannot decode a video frame" in out


def test_ctrl_c_stops_cleanly_with_the_summary(bundle: Path) -> None:
    one_stream(bundle)  # file-loop=1: runs until stopped
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "alpr_gen", "run", "--config", str(bundle), "--backend",
         "preview", "--no-network-checks"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, start_new_session=True,
    )  # fmt: skip
    try:
        time.sleep(12)  # models loaded, frames flowing
        assert proc.poll() is None
        os.kill(proc.pid, signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    text = out.decode(errors="replace")
    assert proc.returncode == 130, text
    assert "summary" in text and "by request" in text
    assert "Traceback" not in text
