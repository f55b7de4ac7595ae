"""RTSP sources against a real RTSP server on loopback (GStreamer's gst-rtsp-server from Debian's
packages, run by tests/preview/rtsp_server.py): the backend reads the stream, survives the server
restarting, and reconnects as rtsp-reconnect-interval-sec / -attempts say."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from alpr_gen.run.events import Event, Failure, RunSummary

from .conftest import run_preview

HERE = Path(__file__).parent
SYSTEM_PYTHON = "/usr/bin/python3"


def _have_gst_rtsp() -> bool:
    if not Path(SYSTEM_PYTHON).exists():
        return False
    probe = ("import gi; gi.require_version('GstRtspServer', '1.0'); "
             "from gi.repository import GstRtspServer")  # fmt: skip
    return subprocess.run([SYSTEM_PYTHON, "-c", probe], capture_output=True).returncode == 0


pytestmark = pytest.mark.skipif(
    not _have_gst_rtsp(),
    reason="gst-rtsp-server missing: apt-get install python3-gi gir1.2-gst-rtsp-server-1.0 "
    "gstreamer1.0-plugins-good gstreamer1.0-plugins-bad",
)


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """20 s of H.264 (320x240, 25 fps, a keyframe every second) made with PyAV."""
    import av

    path = tmp_path_factory.mktemp("rtsp") / "clip.mp4"
    with av.open(str(path), "w") as out:
        s = out.add_stream("libx264", rate=25)
        s.width, s.height, s.pix_fmt = 320, 240, "yuv420p"
        s.options = {"g": "25", "bf": "0"}
        for i in range(500):
            img = np.zeros((240, 320, 3), np.uint8)
            x = (i * 3) % 280
            img[100:140, x : x + 40] = 255
            for p in s.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(p)
        for p in s.encode():
            out.mux(p)
    return path


class RtspServer:
    def __init__(self, port: int, clip: Path, log: Path) -> None:
        self.port, self.clip, self.log = port, clip, log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                [SYSTEM_PYTHON, str(HERE / "rtsp_server.py"), "--port", str(self.port),
                 "--file", str(self.clip)],
                stdout=subprocess.PIPE, stderr=out, start_new_session=True,
            )  # fmt: skip
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line.strip() == b"ready", f"RTSP server did not start: {self.log.read_text()}"

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)


@pytest.fixture
def server(clip: Path, tmp_path: Path) -> Iterator[RtspServer]:
    from brokers.servers import free_port

    srv = RtspServer(free_port(), clip, tmp_path / "rtsp.log")
    srv.start()
    yield srv
    srv.stop()


def rtsp_set(root: Path, port: int, interval: int, attempts: int) -> Path:
    """A hand-written set: one RTSP source, no GIE, no tracker, a fakesink."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "deepstream_app.txt").write_text(
        "[application]\nenable-perf-measurement=1\nperf-measurement-interval-sec=1\n\n"
        f"[source0]\nenable=1\ntype=4\nuri=rtsp://127.0.0.1:{port}/test\nlatency=100\n"
        f"rtsp-reconnect-interval-sec={interval}\nrtsp-reconnect-attempts={attempts}\n"
        "select-rtp-protocol=4\n\n"
        "[streammux]\nbatch-size=1\nlive-source=1\nwidth=320\nheight=240\n"
        "batched-push-timeout=40000\n\n[sink0]\nenable=1\ntype=1\nsync=0\n"
    )
    return root


def frames_of(events: list[Event]) -> int:
    summaries = [e for e in events if isinstance(e, RunSummary)]
    return summaries[-1].frames if summaries else 0


def test_reads_the_stream_and_reconnects_after_a_server_restart(
    server: RtspServer, tmp_path: Path
) -> None:
    root = rtsp_set(tmp_path / "set", server.port, interval=1, attempts=-1)
    backend_box: list[object] = []  # the backend, once it emitted its first event

    def on_event(event: Event, backend: object) -> None:
        backend_box[:1] = [backend]

    result: dict[str, object] = {}

    def run() -> None:
        result["run"] = run_preview(root, on_event=on_event)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not _frames(backend_box) >= 25:
        time.sleep(0.1)
    before = _frames(backend_box)
    assert before >= 25, "no frames from the RTSP stream"
    server.stop()
    time.sleep(2.5)  # the reader notices within rtsp-reconnect-interval-sec and retries
    stalled = _frames(backend_box)
    server.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and _frames(backend_box) < stalled + 25:
        time.sleep(0.1)
    after = _frames(backend_box)
    backend_box[0].request_stop()  # type: ignore[attr-defined]
    t.join(20)
    assert not t.is_alive(), "the backend did not stop"
    run = result["run"]
    assert after >= stalled + 25, f"no frames after the server came back ({stalled} -> {after})"
    reconnects = [e for e in run.events if isinstance(e, Failure) and e.id == "source-reconnect"]  # type: ignore[attr-defined]
    assert reconnects and "reconnecting in 1s" in reconnects[0].line
    assert run.code == 130 and run.summary.stopped and not run.summary.failures  # type: ignore[attr-defined]


def _frames(box: list[object]) -> int:
    if not box:
        return 0
    counters = getattr(box[0], "counters", None)
    return sum(counters.frames.values()) if counters is not None else 0


def test_no_reconnection_when_the_interval_is_0(server: RtspServer, tmp_path: Path) -> None:
    root = rtsp_set(tmp_path / "set", server.port, interval=0, attempts=-1)
    threading.Timer(3.0, server.stop).start()
    t0 = time.monotonic()
    run = run_preview(root)
    assert time.monotonic() - t0 < 30
    assert run.code == 1 and run.summary.frames > 10
    assert "no reconnection" in run.summary.failures[0]


def test_gives_up_after_the_attempts(server: RtspServer, tmp_path: Path) -> None:
    root = rtsp_set(tmp_path / "set", server.port, interval=1, attempts=2)
    threading.Timer(3.0, server.stop).start()
    t0 = time.monotonic()
    run = run_preview(root)
    assert time.monotonic() - t0 < 40
    assert run.code == 1
    assert "gave up after 2 reconnection attempt(s)" in run.summary.failures[0]
    notes = [e for e in run.events if isinstance(e, Failure) and e.id == "source-reconnect"]
    assert len(notes) == 2


def test_system_tools_are_listed_for_ci() -> None:
    deps = (HERE.parents[1] / "scripts" / "install-system-deps").read_text()
    for pkg in ("gir1.2-gst-rtsp-server-1.0", "gstreamer1.0-plugins-bad", "python3-gi"):
        assert pkg in deps
    assert shutil.which("python3") is not None
