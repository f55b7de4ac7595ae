"""`PreviewBackend`: runs a config set in-process with the preview stages (run.backend.Backend).

run(): say once what is not emulated, build the stages (a PreviewError before the first frame
is a clear error, exit 2), then for every muxed batch: PGIE -> tracker -> analytics -> SGIEs ->
OSD / file sink -> nvmsgconv -> broker or --events, with perf samples every
perf-measurement-interval-sec. It ends at the end of the sources (exit 0; 1 when a source failed
on the way), or on request_stop (exit 130), always closing outputs and emitting a RunSummary.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from alpr_gen.configset import ConfigSet
from alpr_gen.preview.gie import RunnerFactory
from alpr_gen.preview.summary import Counters
from alpr_gen.redact import mask_uri
from alpr_gen.run.backend import Emit
from alpr_gen.run.events import Exited, Notice, StateChange


@dataclass
class PreviewOptions:
    events: Path | None = None  # --events FILE: payloads to JSONL instead of the broker
    providers: Sequence[str] | None = None  # onnxruntime execution providers (default: best)
    threads: int | None = None  # onnxruntime intra-op threads
    login_timeout: float = 3.0
    max_frames: int | None = None  # --frames N: stop once every stream gave N frames
    runner_for: RunnerFactory | None = None  # another model runner per GIE (benchmarks)


class PreviewBackend:
    name = "preview"

    def __init__(self, cs: ConfigSet, options: PreviewOptions | None = None) -> None:
        self.cs = cs
        self.options = options or PreviewOptions()
        self._stop = threading.Event()
        self._stopped_by_request = False
        self.counters: Counters | None = None  # the last run's (tests and benchmarks read them)

    def describe(self) -> list[tuple[str, str]]:
        cs = self.cs
        rows = [("backend", "preview: the set run in-process with DeepStream's semantics")]
        for src in cs.sources:
            rows.append(("source", f"[{src.group}] {mask_uri(src.uri)} x{src.streams}"))
        for gie in cs.enabled_gies:
            onnx = gie.path("onnx-file")
            rows.append((gie.name, f"{onnx} (onnxruntime) + {gie.path('custom-lib-path')}"))
        if cs.tracker.enabled and cs.tracker_settings is not None:
            kind = cs.tracker_settings.kind
            rows.append(("tracker", kind if kind == "IOU" else f"{kind} -> ByteTrack"))
        for sink in cs.sinks:
            if sink.output_file is not None and sink.type == 3:
                rows.append(("file sink", str(sink.output_file)))
        for sink in cs.msg_sinks:
            where = f"--events {self.options.events}" if self.options.events else sink.adaptor
            rows.append(
                (f"messages [{sink.group}]", f"payload type {sink.payload_type} -> {where}")
            )
        return rows

    def request_stop(self) -> None:
        self._stopped_by_request = True
        self._stop.set()

    def run(self, emit: Emit) -> int:
        from alpr_gen.preview.build import build_stages
        from alpr_gen.preview.coverage import ignored_keys, summarize
        from alpr_gen.preview.runloop import RunLoop

        ignored = ignored_keys(self.cs)
        if ignored:
            emit(Notice(f"ignored by the preview backend: {summarize(ignored)}"))
        emit(StateChange("ready", "building the preview pipeline"))
        o = self.options
        stages = build_stages(
            self.cs, events=o.events, providers=o.providers, threads=o.threads,
            login_timeout=o.login_timeout, runner_for=o.runner_for,
        )  # fmt: skip
        loop = RunLoop(self.cs, stages, emit, self._stop, max_frames=o.max_frames)
        self.counters = loop.counters
        code = loop.run()
        if self._stopped_by_request:
            loop.counters.stopped = True
            code = 130
        summary = loop.finish()
        emit(summary)
        emit(Exited(code, self._stopped_by_request))
        return code
