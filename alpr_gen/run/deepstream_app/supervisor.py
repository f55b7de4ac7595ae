"""Own the deepstream-app process: start, stream its log, stop it cleanly, restart on failure.

Signals: deepstream-app quits cleanly on ONE SIGINT (it prints "User Interrupted..", leaves its
main loop within 400 ms, tears the pipeline down and exits 0 with "App run successful"); its
handler then restores the default action, so a second SIGINT kills it mid-teardown, and SIGTERM
is not handled at all. So the child runs in its own session (a terminal Ctrl-C does not reach it
directly), and on SIGINT or SIGTERM the supervisor sends exactly one SIGINT, waits
`stop_timeout` seconds, then SIGKILLs the child's process group. A second signal to alpr-gen
kills at once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from contextlib import suppress

from alpr_gen.errors import LaunchError
from alpr_gen.run.deepstream_app.command import LaunchSpec
from alpr_gen.run.events import Exited, ProcessEvent, Restarting, Started

RESTART_POLICIES = ("no", "on-failure")


def backoff_delay(attempt: int, base: float, maximum: float) -> float:
    """base, 2*base, 4*base ... capped at maximum (attempt is 1-based)."""
    return min(maximum, base * (2 ** (attempt - 1)))


def exit_status(returncode: int) -> int:
    """Popen's returncode -> a shell exit status (killed by signal N -> 128 + N)."""
    return 128 - returncode if returncode < 0 else returncode


class Supervisor:
    def __init__(
        self,
        spec: LaunchSpec,
        on_line: Callable[[str], None],
        *,
        on_event: Callable[[ProcessEvent], None] | None = None,
        restart: str = "no",
        max_restarts: int = 5,
        backoff: float = 2.0,
        backoff_max: float = 60.0,
        stop_timeout: float = 15.0,
        base_env: Mapping[str, str] | None = None,
    ) -> None:
        if restart not in RESTART_POLICIES:
            raise LaunchError(
                f"--restart must be one of {', '.join(RESTART_POLICIES)}, not {restart!r}"
            )
        if max_restarts < 0:
            raise LaunchError("--max-restarts must be >= 0")
        self.spec = spec
        self.on_line = on_line
        self.on_event = on_event or (lambda _e: None)
        self.restart = restart
        self.max_restarts = max_restarts
        self.backoff = backoff
        self.backoff_max = backoff_max
        self.stop_timeout = stop_timeout
        self.base_env = dict(os.environ if base_env is None else base_env)
        self.starts = 0
        self._proc: subprocess.Popen[str] | None = None
        self._stop = threading.Event()
        self._kill = threading.Event()
        self._lock = threading.Lock()

    @property
    def child_pid(self) -> int | None:
        proc = self._proc
        return proc.pid if proc is not None and proc.poll() is None else None

    def request_stop(self) -> None:
        """First call: clean stop (one SIGINT to the child). Later calls: kill now."""
        with self._lock:
            if self._stop.is_set():
                self._kill.set()
            self._stop.set()

    def run(self) -> int:
        """Run until the child ends without a restart due; return its exit status."""
        attempt = 0
        while True:
            code = self._run_once(attempt)
            stopped = self._stop.is_set()
            self.on_event(Exited(code, stopped))
            if stopped or code == 0 or self.restart == "no" or attempt >= self.max_restarts:
                return code
            attempt += 1
            delay = backoff_delay(attempt, self.backoff, self.backoff_max)
            self.on_event(Restarting(attempt, delay, code))
            if self._stop.wait(delay):
                return code

    def _run_once(self, attempt: int) -> int:
        try:
            proc = subprocess.Popen(
                self.spec.argv,
                cwd=self.spec.cwd,
                env={**self.base_env, **self.spec.env},
                # A pipe nobody writes: deepstream-app polls stdin for key commands and would
                # read EOF from /dev/null forever (printing a newline every 40 ms).
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                errors="replace",
                bufsize=1,
                start_new_session=True,
            )
        except OSError as exc:
            raise LaunchError(
                f"cannot start {self.spec.argv[0]}: {exc.strerror or exc}",
                hint="check the path given with --deepstream-app (or docker for --docker)",
            ) from None
        self._proc = proc
        self.starts += 1
        self.on_event(Started(proc.pid, attempt))
        reader = threading.Thread(target=self._pump, args=(proc,), daemon=True)
        reader.start()
        sent_int_at: float | None = None
        killed = False
        while True:
            try:
                proc.wait(timeout=0.05)
                break
            except subprocess.TimeoutExpired:
                pass
            if killed or not self._stop.is_set():
                continue
            if sent_int_at is None:
                self._signal(proc, signal.SIGINT, group=False)
                sent_int_at = time.monotonic()
            if self._kill.is_set() or time.monotonic() - sent_int_at > self.stop_timeout:
                self._hard_kill(proc)
                killed = True
        reader.join(timeout=5)
        if proc.stdin:
            proc.stdin.close()
        return exit_status(proc.returncode)

    def _pump(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None  # set by Popen(stdout=PIPE)
        for line in proc.stdout:
            self.on_line(line.rstrip("\r\n"))
        proc.stdout.close()

    def _hard_kill(self, proc: subprocess.Popen[str]) -> None:
        if self.spec.kill_argv and proc.poll() is None:
            with suppress(OSError, subprocess.TimeoutExpired):
                subprocess.run(self.spec.kill_argv, capture_output=True, timeout=10, check=False)
        self._signal(proc, signal.SIGKILL)

    @staticmethod
    def _signal(proc: subprocess.Popen[str], sig: int, *, group: bool = True) -> None:
        # SIGINT goes to deepstream-app only (like a Ctrl-C it would have got); SIGKILL to its
        # whole group so nothing it started survives.
        try:
            if group:
                os.killpg(proc.pid, sig)
            else:
                proc.send_signal(sig)
        except ProcessLookupError:
            pass
