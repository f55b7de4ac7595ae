"""deepstream-app as a `Backend`: the supervised process, its log turned into events."""

from __future__ import annotations

import threading
from collections.abc import Mapping

from alpr_gen.run.backend import Emit
from alpr_gen.run.deepstream_app.command import LaunchSpec
from alpr_gen.run.deepstream_app.logparse import LogParser
from alpr_gen.run.deepstream_app.supervisor import Supervisor
from alpr_gen.run.events import LogLine, ProcessEvent


class DeepStreamAppBackend:
    name = "deepstream-app"

    def __init__(
        self,
        spec: LaunchSpec,
        *,
        restart: str = "no",
        max_restarts: int = 5,
        backoff: float = 2.0,
        backoff_max: float = 60.0,
        stop_timeout: float = 15.0,
        base_env: Mapping[str, str] | None = None,
        hint_context: Mapping[str, str] | None = None,
    ) -> None:
        self.spec = spec
        self._emit: Emit | None = None
        self._lock = threading.Lock()  # lines come from the reader thread, events from ours
        self._parser = LogParser(hint_context)
        self.supervisor = Supervisor(
            spec,
            self._on_line,
            on_event=self._on_process_event,
            restart=restart,
            max_restarts=max_restarts,
            backoff=backoff,
            backoff_max=backoff_max,
            stop_timeout=stop_timeout,
            base_env=base_env,
        )

    def describe(self) -> list[tuple[str, str]]:
        rows = [("command", self.spec.shell_line()), ("cwd", str(self.spec.cwd))]
        env = self.spec.shown_env()
        rows += [("env", f"{k}={v}") for k, v in env.items()]
        if not env and not self.spec.docker:
            rows.append(("env", "(inherited, nothing added)"))
        return rows

    def run(self, emit: Emit) -> int:
        self._emit = emit
        return self.supervisor.run()

    def request_stop(self) -> None:
        self.supervisor.request_stop()

    def _on_line(self, text: str) -> None:
        if self._emit is None:
            return
        with self._lock:
            self._emit(LogLine(text))
            for event in self._parser.feed(text):
                self._emit(event)

    def _on_process_event(self, event: ProcessEvent) -> None:
        if self._emit is None:
            return
        with self._lock:
            self._emit(event)
