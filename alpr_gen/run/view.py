"""Show a running pipeline: a live per-stream FPS table on a terminal, plain lines off it.

Both views consume the backend's events (events.py). The pipeline's own lines (LogLine) always
pass through (on a terminal above the live table, with control characters escaped), so nothing
it says is hidden; hints for known failures are printed once per failure id.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from alpr_gen.redact import printable
from alpr_gen.run.events import (
    Event,
    Exited,
    Failure,
    LineCrossed,
    LogLine,
    Notice,
    PerfSample,
    PlateRead,
    Restarting,
    RunSummary,
    Started,
    StateChange,
)

if TYPE_CHECKING:
    from rich.live import Live


@dataclass
class RunState:
    """What the views show, updated from events."""

    stream_names: dict[int, str] = field(default_factory=dict)
    fps: dict[int, tuple[float, float]] = field(default_factory=dict)
    state: str = "starting"
    restarts: int = 0
    samples: int = 0
    last_sample: float | None = None
    hinted: set[str] = field(default_factory=set)
    summary: RunSummary | None = None  # the preview backend's, at the end
    shown_reads: dict[tuple[int, int], str] = field(default_factory=dict)

    def apply(self, event: Event) -> None:
        if isinstance(event, PerfSample):
            self.samples += 1
            self.last_sample = time.monotonic()
            for sid, fps, avg in event.streams():
                self.fps[sid] = (fps, avg)
            if self.state in ("starting", "ready", "building engine"):
                self.state = "running"
        elif isinstance(event, StateChange):
            if event.state in ("ready", "running", "eos", "interrupted", "quitting"):
                self.state = {"interrupted": "stopping", "quitting": "stopping"}.get(
                    event.state, event.state
                )
        elif isinstance(event, Failure) and event.id == "engine-rebuild":
            self.state = "building engine"
        elif isinstance(event, Started):
            self.state = "starting"
            self.fps.clear()
        elif isinstance(event, Restarting):
            self.restarts = event.attempt
            self.state = f"restarting in {event.delay:g}s"
        elif isinstance(event, Exited):
            self.state = f"exited ({event.exit_code})"
        elif isinstance(event, RunSummary):
            self.summary = event


class PlainView:
    """Off a terminal: every child line as is, plus `alpr-gen:` lines for hints and restarts."""

    def __init__(self, console: Console, state: RunState) -> None:
        self.console = console
        self.state = state

    def __enter__(self) -> PlainView:
        return self

    def __exit__(self, *_exc: object) -> None:
        return None

    def event(self, event: Event) -> None:
        if isinstance(event, LogLine):
            # As printed (rich would expand the tabs of PERF lines): log collectors parse these.
            self._write(printable(event.text))
            return
        self.state.apply(event)
        note = describe(event, self.state)
        if note:
            self._write(f"alpr-gen: {note}")

    def _write(self, text: str) -> None:
        out = self.console.file
        out.write(text + "\n")
        out.flush()


class LiveView(PlainView):
    """On a terminal: the same lines scroll above a live table of per-stream FPS."""

    def __init__(self, console: Console, state: RunState, title: str = "deepstream-app") -> None:
        super().__init__(console, state)
        self.title = title
        self._live: Live | None = None

    def __enter__(self) -> LiveView:
        from rich.live import Live

        self._live = Live(
            self.table(),
            console=self.console,
            refresh_per_second=4,
            transient=False,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.update(self.table())
            self._live.__exit__(None, None, None)

    def event(self, event: Event) -> None:
        if isinstance(event, LogLine):
            self.console.print(
                Text(printable(event.text), style="dim"), highlight=False, soft_wrap=True
            )
            return
        self.state.apply(event)
        note = describe(event, self.state)
        if note:
            style = (
                "bold red" if isinstance(event, Failure) and event.severity == "error" else "yellow"
            )
            self.console.print(
                f"[{style}]alpr-gen:[/] {escape(note)}", highlight=False, soft_wrap=True
            )
        if self._live is not None:
            self._live.update(self.table())

    def table(self) -> Table:
        s = self.state
        caption = f"{s.state} · restarts {s.restarts} · {s.samples} perf samples"
        table = Table(title=self.title, caption=caption, expand=False)
        table.add_column("stream", justify="right")
        table.add_column("camera")
        table.add_column("FPS", justify="right")
        table.add_column("avg FPS", justify="right")
        ids = sorted(set(s.stream_names) | set(s.fps))
        for sid in ids:
            fps, avg = s.fps.get(sid, (None, None))
            table.add_row(
                str(sid),
                escape(s.stream_names.get(sid, "")),
                "-" if fps is None else f"{fps:.2f}",
                "-" if avg is None else f"{avg:.2f}",
                style="red" if fps == 0.0 else None,
            )
        return table


def describe(event: Event, state: RunState) -> str | None:
    """The note a view prints for an event, or None (perf samples and most states are silent)."""
    if isinstance(event, Failure):
        # Once per failure (per key for unknown keys): parsers may repeat a line every frame.
        seen = f"{event.id}:{event.detail.get('group', '')}:{event.detail.get('key', '')}"
        if seen in state.hinted:
            return None
        state.hinted.add(seen)
        return f"{event.severity} [{event.id}]: {event.hint}"
    if isinstance(event, Restarting):
        return (
            f"deepstream-app exited with {event.exit_code}; restart {event.attempt} "
            f"in {event.delay:g}s"
        )
    if isinstance(event, Started) and event.attempt:
        return f"deepstream-app restarted (pid {event.pid})"
    if isinstance(event, Notice):
        return event.text
    if isinstance(event, PlateRead):
        # A re-read that gives the same text is not news.
        key = (event.stream, event.track_id)
        if state.shown_reads.get(key) == event.text:
            return None
        state.shown_reads[key] = event.text
        return (
            f"plate {event.text} (stream {event.stream}, track {event.track_id}, "
            f"frame {event.frame}, confidence {event.confidence:.2f})"
        )
    if isinstance(event, LineCrossed):
        dx, dy = event.direction
        return (
            f"{event.label or 'object'} {event.track_id} crossed line {event.line!r} "
            f"(stream {event.stream}, frame {event.frame}, direction {dx:g},{dy:g})"
        )
    return None


def summary_rows(s: RunSummary) -> list[tuple[str, str]]:
    """The preview run's end summary, as (label, text) rows."""
    per_stream = ", ".join(f"{sid}: {n}" for sid, n in s.frames_per_stream)
    texts: dict[str, int] = {}
    for _track, text in s.plates_read:
        texts[text] = texts.get(text, 0) + 1
    plates = ", ".join(f"{t} x{n}" if n > 1 else t for t, n in sorted(texts.items())) or "none"
    rows = [
        ("frames", f"{s.frames} ({per_stream})" if per_stream else str(s.frames)),
        ("time", f"{s.seconds:.1f} s, {s.fps:.1f} frames/s"),
        ("tracks", f"{s.tracks}, {s.plate_tracks} of them of a class the OCR reads"),
        ("plates read", f"{len(s.plates_read)} tracks, best read of each: {plates}"),
        ("OCR calls", f"{s.ocr_calls} ({s.ocr_calls_per_plate_track:.2f} per plate track read)"),
        ("line crossings", str(s.line_crossings)),
        ("messages", f"{s.published} published, {s.publish_failed} failed"
                     + (f", {s.written} written to --events" if s.written else "")),
    ]  # fmt: skip
    rows += [("failure", f) for f in s.failures]
    if s.stopped:
        rows.append(("stopped", "by request (Ctrl-C / SIGTERM)"))
    return rows


def print_summary(s: RunSummary, console: Console) -> None:
    table = Table(title="summary", show_header=False, expand=False)
    table.add_column(style="bold")
    table.add_column()
    for label, text in summary_rows(s):
        table.add_row(label, escape(printable(text)))
    console.print(table)


def make_view(
    console: Console, state: RunState, live: bool | None = None, title: str = "deepstream-app"
) -> PlainView:
    """LiveView on a terminal, PlainView otherwise (or as forced by `live`)."""
    use_live = console.is_terminal if live is None else live
    return LiveView(console, state, title) if use_live else PlainView(console, state)
