"""What a running backend reports, independent of how it runs the pipeline.

The deepstream-app backend turns deepstream-app's output into these (a raw line, a perf sample,
a known failure, a life-cycle state); the supervisor adds process events. Views and summaries
consume only these types.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class LogLine:
    """A line the pipeline printed, passed through unchanged."""

    text: str


@dataclass(frozen=True)
class PerfSample:
    """One perf sample: per stream (current FPS, average FPS since start)."""

    fps: tuple[float, ...]
    avg: tuple[float, ...]
    instance: int = 0  # the -c file index when deepstream-app runs several configs
    stream_ids: tuple[int, ...] = ()  # from the last header; empty = 0..n-1

    def streams(self) -> list[tuple[int, float, float]]:
        ids = self.stream_ids if len(self.stream_ids) == len(self.fps) else range(len(self.fps))
        return [(i, f, a) for i, f, a in zip(ids, self.fps, self.avg, strict=False)]


@dataclass(frozen=True)
class Failure:
    """A known failure, with what it means and what to do."""

    id: str
    severity: str  # "error" stops the pipeline, "warning" does not
    line: str
    hint: str
    detail: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StateChange:
    """Pipeline life-cycle: ready, running, eos, quitting, success, failed, interrupted."""

    state: str
    line: str


@dataclass(frozen=True)
class Started:
    pid: int
    attempt: int


@dataclass(frozen=True)
class Restarting:
    """Before a restart: attempt number (1-based), delay in seconds, last exit code."""

    attempt: int
    delay: float
    exit_code: int


@dataclass(frozen=True)
class Exited:
    exit_code: int
    stopped: bool  # ended because a stop was requested


@dataclass(frozen=True)
class PlateRead:
    """A plate text attached to a tracked object (what nvmsgconv would send)."""

    stream: int
    track_id: int
    text: str
    confidence: float
    frame: int


@dataclass(frozen=True)
class LineCrossed:
    """A tracked object crossed an nvdsanalytics line in its direction."""

    stream: int
    track_id: int
    line: str  # the rule's label (line-crossing-<label>)
    label: str  # the object's label
    direction: tuple[float, float]  # the configured direction vector
    motion: tuple[float, float]  # how the object moved
    frame: int


@dataclass(frozen=True)
class Notice:
    """Something the backend wants said once (what it does not emulate, where output goes)."""

    text: str


@dataclass(frozen=True)
class RunSummary:
    """What a preview run did, for the end summary."""

    frames: int
    frames_per_stream: tuple[tuple[int, int], ...]
    seconds: float
    fps: float
    tracks: int
    plate_tracks: int
    plates_read: tuple[tuple[int, str], ...]  # (track id, text of its best read)
    ocr_calls: int
    ocr_calls_per_plate_track: float
    line_crossings: int
    published: int
    publish_failed: int
    written: int
    failures: tuple[str, ...]
    stopped: bool


LogEvent = PerfSample | Failure | StateChange
ProcessEvent = Started | Restarting | Exited
Event = (
    LogLine | PerfSample | Failure | StateChange | Started | Restarting | Exited | PlateRead
    | LineCrossed | Notice | RunSummary
)  # fmt: skip
