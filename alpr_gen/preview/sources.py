"""Sources: file:// and rtsp:// decoded by PyAV (FFmpeg), one reader thread per stream.

deepstream-app semantics kept:
- `[tests] file-loop=1`: a file that ends starts again (frame numbers go on);
- RTSP `rtsp-reconnect-interval-sec` N > 0: a stream that errors, ends, or delivers nothing for N
  seconds is reopened after N seconds, at most `rtsp-reconnect-attempts` times in a row (-1 =
  forever; a frame received resets the count); N = 0: no reconnection, the stream ends with a
  failure;
- `select-rtp-protocol=4` asks for RTP over TCP; 0 lets FFmpeg choose (UDP first).

Frames come out RGB, at the source's resolution; the muxer scales them. Each reader blocks on a
small queue (a slow pipeline slows a file down, as GStreamer's back-pressure does); a live reader
drops its oldest frame instead (a camera does not wait).
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from alpr_gen.redact import mask_uri

if TYPE_CHECKING:
    from av.container import InputContainer

QUEUE_FRAMES = 4
DECODER_THREADS = 2
OPEN_TIMEOUT_S = 10.0
# With reconnection off, how long a read may block before the reader looks at its stop flag.
POLL_S = 1.0


@dataclass(frozen=True)
class Decoded:
    image: np.ndarray  # RGB uint8
    pts: float  # seconds


class EndOfStream:
    """Put on the queue once, after the last frame (`error` says why a stream failed)."""

    def __init__(self, error: str | None = None) -> None:
        self.error = error


@dataclass(frozen=True)
class SourceSpec:
    stream: int
    uri: str  # resolved (file:// absolute)
    live: bool
    file_loop: bool = False
    reconnect_interval_s: int = 0
    reconnect_attempts: int = -1
    tcp: bool = False

    @property
    def shown(self) -> str:
        return mask_uri(self.uri)


# (stream, what happened) for the backend to turn into events.
Notify = Callable[[int, str, str], None]  # stream, kind ("reconnect", "error", "eos"), text


class VideoSource:
    """One stream, read by a thread into a bounded queue."""

    def __init__(self, spec: SourceSpec, notify: Notify | None = None) -> None:
        self.spec = spec
        self.queue: queue.Queue[Decoded | EndOfStream] = queue.Queue(maxsize=QUEUE_FRAMES)
        self._stop = threading.Event()
        self._notify = notify or (lambda _s, _k, _t: None)
        self._thread = threading.Thread(
            target=self._run, name=f"preview-source-{spec.stream}", daemon=True
        )
        self.frames = 0
        self.reconnects = 0
        self.ended = False

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        # Unblock a reader waiting on a full queue.
        with contextlib.suppress(queue.Empty):
            while True:
                self.queue.get_nowait()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    # --- the reader thread ---------------------------------------------------------------

    def _put(self, item: Decoded | EndOfStream) -> None:
        while not self._stop.is_set():
            if self.spec.live and isinstance(item, Decoded):
                try:
                    self.queue.put_nowait(item)
                    return
                except queue.Full:
                    with contextlib.suppress(queue.Empty):
                        self.queue.get_nowait()  # a live camera does not wait: drop the oldest
                    continue
            try:
                self.queue.put(item, timeout=0.2)
                return
            except queue.Full:
                continue

    def _run(self) -> None:
        try:
            error = self._read_all()
        except Exception as exc:  # a decoder bug must end this stream, not hang the pipeline
            error = f"{type(exc).__name__}: {exc}"
        if error and not self._stop.is_set():
            self._notify(self.spec.stream, "error", error)
        self.ended = True
        self._put(EndOfStream(error))

    def _read_all(self) -> str | None:
        spec = self.spec
        attempts = 0
        while not self._stop.is_set():
            outcome, got_frames = self._read_once()
            if self._stop.is_set():
                return None
            if not spec.live:
                if outcome is not None:
                    return outcome  # a file that cannot be read is an error, not a loop
                if spec.file_loop and got_frames:
                    continue
                return None
            # Live: an end or an error is a disconnection.
            why = outcome or "the stream ended"
            if spec.reconnect_interval_s <= 0:
                return f"{spec.shown}: {why} (rtsp-reconnect-interval-sec=0: no reconnection)"
            if got_frames:
                attempts = 0  # frames came: the count of failed attempts starts again
            if 0 <= spec.reconnect_attempts <= attempts:
                return (
                    f"{spec.shown}: {why}; gave up after {attempts} reconnection attempt(s) "
                    "(rtsp-reconnect-attempts)"
                )
            attempts += 1
            self._notify(
                spec.stream,
                "reconnect",
                f"{spec.shown}: {why}; reconnecting in {spec.reconnect_interval_s}s",
            )
            if self._stop.wait(spec.reconnect_interval_s):
                return None
            self.reconnects += 1
        return None

    def _open(self) -> InputContainer:
        import av

        spec = self.spec
        options: dict[str, str] = {}
        if spec.live:
            options["rtsp_transport"] = "tcp" if spec.tcp else "udp"
            if not spec.tcp:
                options["rtsp_flags"] = "prefer_tcp"
        read_timeout = float(spec.reconnect_interval_s) if spec.reconnect_interval_s > 0 else POLL_S
        target = spec.uri[len("file://") :] if spec.uri.startswith("file://") else spec.uri
        if not spec.live and not Path(target).is_file():
            raise FileNotFoundError(f"{target}: no such file")
        return av.open(target, options=options, timeout=(OPEN_TIMEOUT_S, read_timeout))

    def _read_once(self) -> tuple[str | None, bool]:
        """Open and decode until the end; (error or None, whether a frame was read)."""
        import av

        got = False
        try:
            container = self._open()
        except (OSError, av.FFmpegError) as exc:
            return f"cannot open: {_why(exc)}", False
        try:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            # FFmpeg would start a thread per core for every stream; many streams share the cores.
            stream.codec_context.thread_count = DECODER_THREADS
            last_frame_at = time.monotonic()
            for packet in container.demux(stream):
                if self._stop.is_set():
                    return None, got
                for frame in packet.decode():
                    pts = float(frame.time) if frame.time is not None else 0.0
                    self._put(Decoded(frame.to_ndarray(format="rgb24"), pts))
                    self.frames += 1
                    got = True
                    last_frame_at = time.monotonic()
                if (
                    self.spec.live
                    and self.spec.reconnect_interval_s > 0
                    and time.monotonic() - last_frame_at > self.spec.reconnect_interval_s
                ):
                    return f"no frame for {self.spec.reconnect_interval_s}s", got
        except (OSError, av.FFmpegError) as exc:
            return (_why(exc) if self.spec.live else f"decoding failed: {_why(exc)}"), got
        except IndexError:
            return "no video stream", got
        finally:
            with contextlib.suppress(Exception):
                container.close()
        return None, got


def _why(exc: BaseException) -> str:
    text = str(exc).strip()
    return mask_uri(text) if text else type(exc).__name__
