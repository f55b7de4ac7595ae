"""The seam between `alpr-gen run` and what executes a config set.

A backend is prepared from a loaded ConfigSet (by the session), can say what it will run (for
--dry-run), runs until the pipeline ends or a stop is requested, and reports everything as
`events.Event`s through the callback it is given. It never prints.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol

from alpr_gen.run.events import Event

Emit = Callable[[Event], None]


class Backend(Protocol):
    name: str

    def describe(self) -> list[tuple[str, str]]:
        """What will run, as (label, text) rows with secrets masked: command, cwd, env..."""
        ...

    def run(self, emit: Emit) -> int:
        """Run to the end; return the exit status (130 after a requested stop)."""
        ...

    def request_stop(self) -> None:
        """First call: stop cleanly. Later calls: stop now."""
        ...


@contextmanager
def forward_signals(target: Backend) -> Iterator[None]:
    """While inside, SIGINT/SIGTERM/SIGHUP to alpr-gen ask the backend to stop (a second
    signal: stop now)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    sigs = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {s: signal.getsignal(s) for s in sigs}

    def handler(_signum: int, _frame: object) -> None:
        target.request_stop()

    for s in sigs:
        signal.signal(s, handler)
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
