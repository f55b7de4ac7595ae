"""The supervisor driving the deepstream-app stand-in: signals, exit codes, restarts."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import pytest

from alpr_gen.configset import load as load_bundle
from alpr_gen.run.deepstream_app.command import LaunchSpec, native_command
from alpr_gen.run.deepstream_app.supervisor import Supervisor, backoff_delay, exit_status
from alpr_gen.run.events import Exited, ProcessEvent, Restarting, Started

from .conftest import BundleSpec, read_record, write_bundle

CAMS = ["rtsp://127.0.0.1:1/a", "rtsp://127.0.0.1:1/b"]


class Collector:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.events: list[ProcessEvent] = []
        self._cond = threading.Condition()

    def line(self, text: str) -> None:
        with self._cond:
            self.lines.append(text)
            self._cond.notify_all()

    def event(self, e: ProcessEvent) -> None:
        self.events.append(e)

    def wait_for(self, needle: str, timeout: float = 10) -> None:
        with self._cond:
            ok = self._cond.wait_for(lambda: any(needle in x for x in self.lines), timeout)
        assert ok, f"{needle!r} not seen in {self.lines}"


def spec_for(tmp_path: Path, fake_ds: str, **kw: object) -> LaunchSpec:
    bundle = load_bundle(write_bundle(tmp_path / "site", BundleSpec(CAMS, **kw)))  # type: ignore[arg-type]
    # The stand-in runs under the test's interpreter (no dependence on a `python3` on PATH).
    spec = native_command(bundle, fake_ds)
    return LaunchSpec([sys.executable, *spec.argv], spec.cwd, spec.env)


def run_in_thread(sup: Supervisor) -> tuple[threading.Thread, list[int]]:
    result: list[int] = []
    t = threading.Thread(target=lambda: result.append(sup.run()), daemon=True)
    t.start()
    return t, result


def test_stop_sends_one_sigint_and_the_child_exits_cleanly(
    tmp_path: Path, fake_ds: str, record: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_DS_PERF_INTERVAL", "0.1")
    c = Collector()
    sup = Supervisor(spec_for(tmp_path, fake_ds), c.line, on_event=c.event, stop_timeout=10)
    t, result = run_in_thread(sup)
    c.wait_for("**PERF:  30.00")
    child = sup.child_pid
    assert child is not None
    sup.request_stop()
    t.join(15)
    assert result == [0]
    rec = read_record(record)
    assert [r["event"] for r in rec] == ["start", "sigint", "exit"]
    assert rec[0]["pid"] == child and rec[2]["code"] == 0
    # What deepstream-app saw: its argv, the bundle as cwd, the OCR settings variable.
    assert rec[0]["argv"] == ["-c", "deepstream_app.txt"]
    assert rec[0]["cwd"] == str((tmp_path / "site").resolve())
    env = rec[0]["env"]
    assert isinstance(env, dict)
    assert env["ALPR_OCR_CONFIG"] == str((tmp_path / "site" / "ocr_parser.cfg").resolve())
    assert c.lines[-2:] == ["Quitting", "App run successful"]
    assert [type(e) for e in c.events] == [Started, Exited]
    assert c.events[-1] == Exited(0, True)


def test_stop_timeout_then_kill(
    tmp_path: Path, fake_ds: str, record: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_DS_SCENARIO", "hang-on-quit")
    c = Collector()
    sup = Supervisor(spec_for(tmp_path, fake_ds), c.line, stop_timeout=0.5)
    t, result = run_in_thread(sup)
    c.wait_for("Pipeline running")
    t0 = time.monotonic()
    sup.request_stop()
    t.join(15)
    assert result == [128 + 9]  # SIGKILL
    assert 0.5 <= time.monotonic() - t0 < 5
    assert [r["event"] for r in read_record(record)] == ["start", "sigint", "hanging"]


def test_second_stop_request_kills_at_once(
    tmp_path: Path, fake_ds: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_DS_SCENARIO", "hang-on-quit")
    c = Collector()
    sup = Supervisor(spec_for(tmp_path, fake_ds), c.line, stop_timeout=60)
    t, result = run_in_thread(sup)
    c.wait_for("Pipeline running")
    sup.request_stop()
    c.wait_for("User Interrupted")
    sup.request_stop()
    t.join(10)
    assert result == [137]


@pytest.mark.parametrize(
    ("kw", "env", "code", "needle"),
    [
        ({"engine": False, "onnx": False}, {}, 255, "Failed to create NvDsInferContext instance"),
        ({}, {"FAKE_DS_SCENARIO": "crash"}, 128 + 11, "Pipeline running"),
        ({}, {"FAKE_DS_DURATION": "0.2"}, 0, "Received EOS"),
    ],
)
def test_exit_code_is_propagated(
    tmp_path: Path,
    fake_ds: str,
    monkeypatch: pytest.MonkeyPatch,
    kw: dict[str, object],
    env: dict[str, str],
    code: int,
    needle: str,
) -> None:
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    c = Collector()
    assert Supervisor(spec_for(tmp_path, fake_ds, **kw), c.line).run() == code
    assert any(needle in x for x in c.lines)


def test_restart_on_failure_with_backoff(
    tmp_path: Path, fake_ds: str, record: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_DS_FAIL_TIMES", "2")
    monkeypatch.setenv("FAKE_DS_STATE", str(tmp_path / "starts"))
    monkeypatch.setenv("FAKE_DS_DURATION", "0.2")
    c = Collector()
    sup = Supervisor(
        spec_for(tmp_path, fake_ds), c.line, on_event=c.event, restart="on-failure",
        max_restarts=5, backoff=0.2, backoff_max=10,
    )  # fmt: skip
    assert sup.run() == 0
    assert sup.starts == 3
    restarts = [e for e in c.events if isinstance(e, Restarting)]
    assert restarts == [Restarting(1, 0.2, 255), Restarting(2, 0.4, 255)]
    starts = [r["t"] for r in read_record(record) if r["event"] == "start"]
    exits = [r["t"] for r in read_record(record) if r["event"] == "exit"]
    assert len(starts) == 3
    # Each restart waited at least its backoff after the previous exit.
    assert starts[1] - exits[0] >= 0.2 and starts[2] - exits[1] >= 0.4


def test_restarts_stop_at_the_limit_and_no_restart_by_default(
    tmp_path: Path, fake_ds: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_DS_FAIL_TIMES", "99")
    monkeypatch.setenv("FAKE_DS_STATE", str(tmp_path / "starts"))
    sup = Supervisor(
        spec_for(tmp_path, fake_ds), lambda _l: None, restart="on-failure", max_restarts=2,
        backoff=0.01,
    )  # fmt: skip
    assert sup.run() == 255 and sup.starts == 3
    once = Supervisor(spec_for(tmp_path, fake_ds), lambda _l: None)
    assert once.run() == 255 and once.starts == 1


def test_stop_during_backoff_returns_without_restarting(
    tmp_path: Path, fake_ds: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_DS_FAIL_TIMES", "99")
    monkeypatch.setenv("FAKE_DS_STATE", str(tmp_path / "starts"))
    c = Collector()
    sup = Supervisor(
        spec_for(tmp_path, fake_ds), c.line, on_event=c.event, restart="on-failure", backoff=30
    )
    t, result = run_in_thread(sup)
    deadline = time.monotonic() + 10
    while not any(isinstance(e, Restarting) for e in c.events) and time.monotonic() < deadline:
        time.sleep(0.02)
    sup.request_stop()
    t.join(5)
    assert result == [255] and sup.starts == 1


def test_helpers() -> None:
    assert [backoff_delay(n, 2, 60) for n in range(1, 7)] == [2, 4, 8, 16, 32, 60]
    assert exit_status(-9) == 137 and exit_status(255) == 255 and exit_status(0) == 0
