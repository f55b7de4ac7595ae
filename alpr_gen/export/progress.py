"""Progress for export, engine build and calibration: rich bars on a TTY, plain lines elsewhere."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol, TextIO


class Step(Protocol):
    def advance(self, done: int, total: int | None = None) -> None: ...


class Reporter:
    """`with reporter.step("Exporting ONNX") as s: s.advance(3, 10)`.

    Off a TTY (CI, logs, pipes) each step prints one start line and one end line, and
    advance() prints at most every 10 % so logs stay short.
    """

    def __init__(self, stream: TextIO | None = None, *, force_plain: bool = False) -> None:
        self.stream = stream or sys.stderr
        self.plain = force_plain or not getattr(self.stream, "isatty", lambda: False)()

    def info(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    @contextmanager
    def step(self, description: str, total: int | None = None) -> Iterator[Step]:
        start = time.perf_counter()
        if self.plain:
            plain = _PlainStep(self.stream, description, total)
            self.info(f"{description} ...")
            yield plain
            self.info(f"{description}: done in {time.perf_counter() - start:.1f} s")
            return
        from rich.console import Console
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        console = Console(file=self.stream)
        columns = [
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TimeElapsedColumn(),
        ]
        with Progress(*columns, console=console, transient=False) as progress:
            task = progress.add_task(description, total=total)
            yield _RichStep(progress, task)
            progress.update(task, completed=total or 1, total=total or 1)


class _PlainStep:
    def __init__(self, stream: TextIO, description: str, total: int | None) -> None:
        self.stream, self.description, self.total = stream, description, total
        self._last_decile = -1

    def advance(self, done: int, total: int | None = None) -> None:
        total = total or self.total
        if not total:
            return
        decile = 10 * done // total
        if decile != self._last_decile:
            self._last_decile = decile
            print(f"{self.description}: {done}/{total}", file=self.stream, flush=True)


class _RichStep:
    def __init__(self, progress: object, task: object) -> None:
        self.progress, self.task = progress, task

    def advance(self, done: int, total: int | None = None) -> None:
        self.progress.update(self.task, completed=done, total=total)  # type: ignore[attr-defined]


class QuietReporter(Reporter):
    """No output at all (library callers and tests)."""

    def __init__(self) -> None:
        super().__init__(force_plain=True)

    def info(self, text: str) -> None:
        pass

    @contextmanager
    def step(self, description: str, total: int | None = None) -> Iterator[Step]:
        yield _PlainStep(sys.stderr, description, None)
