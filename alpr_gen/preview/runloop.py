"""The preview pipeline's loop: batches from the muxer through every stage, events out."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

from alpr_gen.configset import ConfigSet
from alpr_gen.configset.views import SinkView
from alpr_gen.preview.build import Stages
from alpr_gen.preview.meta import Batch, FrameMeta
from alpr_gen.preview.msgconv import frame_payloads
from alpr_gen.preview.osd import VideoWriter, draw, tile
from alpr_gen.preview.sources import VideoSource
from alpr_gen.preview.streammux import Streammux
from alpr_gen.preview.summary import Counters, PerfClock
from alpr_gen.run.backend import Emit
from alpr_gen.run.events import Event, Failure, LineCrossed, PlateRead, RunSummary

if TYPE_CHECKING:
    import numpy as np


class RunLoop:
    def __init__(
        self,
        cs: ConfigSet,
        stages: Stages,
        emit: Emit,
        stop: threading.Event,
        *,
        max_frames: int | None = None,
    ) -> None:
        self.cs, self.st, self.emit, self.stop = cs, stages, emit, stop
        self.max_frames = max_frames
        self.counters = Counters()
        # The SGIEs whose reads the summary counts: the OCR ones, else every SGIE.
        self.readers = [s for s in stages.sgies if s.inst.gie.is_ocr] or stages.sgies
        app = cs.application
        streams = [s.stream for s in stages.sources]
        self.perf = PerfClock(streams, float(app.perf_interval_sec) if app.perf_enabled else 0.0)
        self.sources = [VideoSource(s, self._on_source) for s in stages.sources]
        self.writers: dict[str, VideoWriter] = {}
        self.last_drawn: dict[int, np.ndarray] = {}
        self._lock = threading.Lock()

    # --- source notifications (reader threads) ------------------------------------------

    def _on_source(self, stream: int, kind: str, text: str) -> None:
        with self._lock:
            if kind == "error":
                self.counters.failures.append(f"stream {stream}: {text}")
                self.emit(Failure("source-error", "error", text, "the stream has ended"))
            elif kind == "reconnect":
                self.emit(Failure("source-reconnect", "warning", text, text))

    # --- the loop ------------------------------------------------------------------------

    def run(self) -> int:
        mux = Streammux(self.st.mux, self.sources)
        for src in self.sources:
            src.start()
        try:
            for batch in mux.batches(self.stop):
                self._batch(batch)
                if self._enough():
                    break
        finally:
            for src in self.sources:
                src.stop()
            for src in self.sources:
                src.join(timeout=5)
        return 1 if self.counters.failures else 0

    def _enough(self) -> bool:
        """--frames N: every stream has given N frames (or ended)."""
        if self.max_frames is None:
            return False
        done = self.counters.frames
        ended = {s.spec.stream for s in self.sources if s.ended}
        return all(
            done.get(s.stream, 0) >= self.max_frames or s.stream in ended for s in self.st.sources
        )

    def _batch(self, batch: Batch) -> None:
        st, c = self.st, self.counters
        inferred = st.pgie.process(batch) if st.pgie is not None else True
        for frame in batch:
            if st.tracker is not None:
                st.tracker.process(frame, inferred)
            if st.analytics is not None:
                for x in st.analytics.process(frame):
                    c.line_crossings += 1
                    self._event(
                        "line-crossing",
                        LineCrossed(
                            x.stream,
                            x.object_id,
                            x.label,
                            self._label(frame, x.object_id),
                            x.direction,
                            x.motion,
                            x.frame,
                        ),
                    )
        for sgie in st.sgies:
            for read in sgie.process(batch):
                self._event(
                    "plate",
                    PlateRead(read.stream, read.object_id, read.text, read.confidence, read.frame),
                )
        self._count(batch)
        self._outputs(batch)
        for frame in batch:
            self.perf.frame(frame.stream)
        if self.perf.due():
            self.emit(self.perf.sample())

    def _event(self, kind: str, event: Event) -> None:
        """An event for the view, also recorded in --events."""
        if self.st.outlets.jsonl is not None:
            self.st.outlets.jsonl.write_event(kind, event)
        self.emit(event)

    def _label(self, frame: FrameMeta, object_id: int) -> str:
        return next((o.label for o in frame.objects if o.object_id == object_id), "")

    def _count(self, batch: Batch) -> None:
        c, readers = self.counters, self.readers
        for frame in batch:
            c.frames[frame.stream] = c.frames.get(frame.stream, 0) + 1
            for o in frame.objects:
                if not o.tracked:
                    continue
                c.tracks.add((o.class_id, o.object_id))
                if any(s.eligible(o) for s in readers):
                    c.plate_tracks.add(o.object_id)
                read = o.plate_read or next((x for x in o.classifications if x.label), None)
                if read is not None:
                    c.keep_read(o.object_id, read.confidence, read.label)

    def _outputs(self, batch: Batch) -> None:
        st, c = self.st, self.counters
        if st.file_sinks:
            for frame in batch:
                img = draw(frame, st.osd, st.analytics) if st.osd.enabled else frame.image
                self.last_drawn[frame.stream] = img
            for sink in st.file_sinks:
                self._write(sink)
        for sink, settings in st.msg_sinks:
            for frame in batch:
                for payload in frame_payloads(settings, frame):
                    if st.outlets.send(sink.group, payload):
                        if st.outlets.jsonl is not None:
                            c.written += 1
                    else:
                        c.publish_failed += 1

    def _write(self, sink: SinkView) -> None:
        st = self.st
        if sink.output_file is None:
            return
        if st.tiles is not None:
            img = tile(self.last_drawn, st.tiles, len(st.sources))
        elif sink.source_id in self.last_drawn:
            img = self.last_drawn[sink.source_id]
        else:
            return
        writer = self.writers.get(sink.group)
        if writer is None:
            h, w = img.shape[:2]
            fps = next(iter(st.fps.values()), 0.0) or 30.0
            writer = VideoWriter(sink.output_file, width=w, height=h, fps=fps, codec=sink.codec,
                                 container=sink.container, bitrate=sink.bitrate)  # fmt: skip
            self.writers[sink.group] = writer
        writer.write(img)

    def finish(self) -> RunSummary:
        """Close outputs (files, broker connections), stop the clock, record the summary."""
        c = self.counters
        for writer in self.writers.values():
            writer.close()
        sent, failed, why = self.st.outlets.close_publishers()
        c.published += sent
        c.publish_failed += failed
        c.failures += why
        c.ended = time.monotonic()
        c.ocr_calls = {oid: n for s in self.readers for (_, oid), n in s.calls.items()}
        c.untracked_ocr_calls = sum(s.untracked_calls for s in self.readers)
        summary = c.summary()
        jsonl = self.st.outlets.jsonl
        if jsonl is not None:
            jsonl.write_event("summary", summary)
            jsonl.close()
        return summary
