"""Signals during work that must not be left half-done.

`terminations_raise()` turns SIGTERM and SIGHUP into an `Interrupted` exception (Ctrl-C already
raises KeyboardInterrupt), so `finally` blocks run: a render killed by `docker stop` or `kill`
removes its staging directory, which holds the whole set, secrets included.
`deferred()` holds SIGINT, SIGTERM and SIGHUP back for a few renames: a render interrupted while
it moves files into place finishes the move first, so the set on disk is old or new, not mixed.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from alpr_gen.errors import Interrupted

_TERMINATIONS = (signal.SIGTERM, signal.SIGHUP)
_DEFERRED = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}


def _raise(signum: int, _frame: FrameType | None) -> None:
    raise Interrupted(signum)


@contextmanager
def terminations_raise() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set handlers; its own handler then applies
        return
    previous = {sig: signal.getsignal(sig) for sig in _TERMINATIONS}
    for sig in _TERMINATIONS:
        if previous[sig] in (signal.SIG_DFL, None):  # keep handlers someone else installed
            signal.signal(sig, _raise)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)


@contextmanager
def deferred() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _DEFERRED)
    try:
        yield
    finally:
        # A signal that arrived meanwhile is delivered here, after the work is complete.
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
