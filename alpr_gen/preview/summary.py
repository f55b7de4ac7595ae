"""The counters behind the end summary and the perf samples, in deepstream-app's cadence.

deepstream-app prints **PERF every `perf-measurement-interval-sec` seconds (when
`enable-perf-measurement=1`): per stream, the FPS over the last interval and the average since
the first frame. `PerfClock` produces the same samples from the frames the pipeline finishes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from alpr_gen.run.events import PerfSample, RunSummary


@dataclass
class PerfClock:
    streams: list[int]
    interval_s: float
    started: float = field(default_factory=time.monotonic)
    last: float = field(default_factory=time.monotonic)
    total: dict[int, int] = field(default_factory=dict)
    window: dict[int, int] = field(default_factory=dict)
    first_frame_at: dict[int, float] = field(default_factory=dict)

    def frame(self, stream: int) -> None:
        now = time.monotonic()
        self.first_frame_at.setdefault(stream, now)
        self.total[stream] = self.total.get(stream, 0) + 1
        self.window[stream] = self.window.get(stream, 0) + 1

    def due(self) -> bool:
        return self.interval_s > 0 and time.monotonic() - self.last >= self.interval_s

    def sample(self) -> PerfSample:
        now = time.monotonic()
        span = max(now - self.last, 1e-9)
        fps, avg = [], []
        for s in self.streams:
            fps.append(self.window.get(s, 0) / span)
            since = now - self.first_frame_at.get(s, now)
            avg.append(self.total.get(s, 0) / since if since > 0 else 0.0)
        self.window = {}
        self.last = now
        return PerfSample(tuple(fps), tuple(avg), stream_ids=tuple(self.streams))


@dataclass
class Counters:
    frames: dict[int, int] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)
    ended: float | None = None
    tracks: set[tuple[int, int]] = field(default_factory=set)  # (class, id)
    plate_tracks: set[int] = field(default_factory=set)  # ids of tracks the SGIE can read
    # track id -> (confidence, text) of its best read. nvinfer keeps only a track's latest read,
    # and a re-read of a grown plate can be worse; a consumer keeps the best (docs/ocr.md).
    plates_read: dict[int, tuple[float, str]] = field(default_factory=dict)
    ocr_calls: dict[int, int] = field(default_factory=dict)
    untracked_ocr_calls: int = 0
    line_crossings: int = 0
    published: int = 0
    publish_failed: int = 0
    written: int = 0  # payloads written to --events
    failures: list[str] = field(default_factory=list)
    stopped: bool = False

    def keep_read(self, track: int, confidence: float, text: str) -> None:
        if (confidence, text) > self.plates_read.get(track, (float("-inf"), "")):
            self.plates_read[track] = (confidence, text)

    def summary(self) -> RunSummary:
        end = self.ended if self.ended is not None else time.monotonic()
        seconds = max(end - self.started, 1e-9)
        total = sum(self.frames.values())
        read_tracks = [t for t in self.plate_tracks if t in self.ocr_calls]
        calls = sum(self.ocr_calls.values())
        return RunSummary(
            frames=total,
            frames_per_stream=tuple(sorted(self.frames.items())),
            seconds=seconds,
            fps=total / seconds,
            tracks=len(self.tracks),
            plate_tracks=len(self.plate_tracks),
            plates_read=tuple(sorted((t, text) for t, (_, text) in self.plates_read.items())),
            ocr_calls=calls + self.untracked_ocr_calls,
            ocr_calls_per_plate_track=(calls / len(read_tracks)) if read_tracks else 0.0,
            line_crossings=self.line_crossings,
            published=self.published,
            publish_failed=self.publish_failed,
            written=self.written,
            failures=tuple(self.failures),
            stopped=self.stopped,
        )
