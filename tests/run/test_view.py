"""The live table on a terminal and the plain lines off it, fed by parsed events."""

from __future__ import annotations

import io

from rich.console import Console

from alpr_gen.run.deepstream_app.logparse import LogParser
from alpr_gen.run.events import Exited, LogLine, Restarting, Started
from alpr_gen.run.view import LiveView, PlainView, RunState, make_view

LOG = [
    "** WARN: <parse_source:1148>: Unknown key 'latencyy' for group [source0]",
    "** WARN: <parse_source:1148>: Unknown key 'latencyy' for group [source1]",
    "** INFO: <bus_callback:225>: Pipeline running",
    "**PERF:  FPS 0 (Avg)\tFPS 1 (Avg)\t",
    "**PERF:  29.97 (29.50)\t0.00 (3.25)\t",
]


def feed(view: PlainView, lines: list[str]) -> None:
    parser = LogParser()
    for line in lines:
        view.event(LogLine(line))
        for event in parser.feed(line):
            view.event(event)


def test_plain_view_passes_lines_and_hints_once() -> None:
    buf = io.StringIO()
    state = RunState()
    view = make_view(Console(file=buf, width=120), state)
    assert type(view) is PlainView  # not a terminal
    with view:
        feed(view, LOG)
        view.event(Restarting(1, 2.0, 255))
    out = buf.getvalue().splitlines()
    assert [x for x in out if not x.startswith("alpr-gen:")] == LOG  # unchanged, tabs included
    hints = [x for x in out if x.startswith("alpr-gen: warning [unknown-key]")]
    assert len(hints) == 2 and "'latencyy' in [source1]" in hints[1]
    view.event(LogParser().feed(LOG[0])[0])  # the same line again: no second hint
    assert len([x for x in buf.getvalue().splitlines() if "[unknown-key]" in x]) == 2
    assert out[-1] == "alpr-gen: deepstream-app exited with 255; restart 1 in 2s"
    assert state.fps == {0: (29.97, 29.5), 1: (0.0, 3.25)}
    assert state.restarts == 1


def test_live_table_shows_streams_fps_and_state() -> None:
    console = Console(file=io.StringIO(), width=120, force_terminal=True, record=True)
    state = RunState(stream_names={0: "source0 rtsp://***@cam1/a", 1: "source1 rtsp://cam2/b"})
    view = make_view(console, state)
    assert isinstance(view, LiveView)
    with view:
        view.event(Started(1234, 0))
        feed(view, LOG)
    table = Console(width=120, record=True, file=io.StringIO())
    table.print(view.table())
    text = table.export_text()
    assert "source0 rtsp://***@cam1/a" in text and "29.97" in text and "29.50" in text
    assert "3.25" in text and "running" in text and "1 perf samples" in text


def test_state_follows_engine_build_restart_and_exit() -> None:
    state = RunState()
    parser = LogParser()
    for event in parser.feed("... [UID = 1]: Trying to create engine from model files"):
        state.apply(event)
    assert state.state == "building engine"
    state.apply(Restarting(2, 4.0, 255))
    assert state.state == "restarting in 4s" and state.restarts == 2
    state.apply(Exited(0, True))
    assert state.state == "exited (0)"
