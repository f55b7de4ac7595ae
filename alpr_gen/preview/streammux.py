"""nvstreammux: batches of frames from the sources, scaled to the muxer's resolution.

As the DeepStream plugin guide describes the (default, legacy) muxer:
- frames are collected round-robin from the sources, at most `batch-size` per batch;
- the batch is pushed when full, or, for live sources, `batched-push-timeout` µs after its first
  frame (-1: wait for a full batch, or for every remaining source to have nothing); a non-live
  set waits for each source's next frame (files are never late);
- each frame is scaled to `width` x `height`; `enable-padding=1` keeps the aspect ratio and pads
  with black (placed at the top-left, padding right/bottom: nvstreammux is closed source and its
  padding placement is not documented; alpr-gen renders enable-padding=0);
- `frame_num` counts each stream's frames from 0.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from alpr_gen.preview.meta import Batch, FrameMeta
from alpr_gen.preview.sources import Decoded, EndOfStream, VideoSource

_IDLE_WAIT_S = 0.005


@dataclass(frozen=True)
class MuxSettings:
    batch_size: int
    width: int
    height: int
    enable_padding: bool
    live: bool
    push_timeout_us: int  # -1: none


def scale_frame(image: np.ndarray, width: int, height: int, padding: bool) -> np.ndarray:
    """The muxer's output frame for a source frame."""
    import cv2

    src_h, src_w = image.shape[:2]
    if (src_w, src_h) == (width, height) or width <= 0 or height <= 0:
        return image
    if not padding:
        return cv2.resize(image, (width, height), interpolation=cv2.INTER_LINEAR)
    ratio = min(width / src_w, height / src_h)
    w, h = max(1, int(src_w * ratio)), max(1, int(src_h * ratio))
    out = np.zeros((height, width, 3), np.uint8)
    out[:h, :w] = cv2.resize(image, (w, h), interpolation=cv2.INTER_LINEAR)
    return out


class Streammux:
    def __init__(self, settings: MuxSettings, sources: list[VideoSource]) -> None:
        self.settings = settings
        self.sources = sources
        self.active = list(sources)
        self.frame_nums = {s.spec.stream: 0 for s in sources}
        self.ended: dict[int, str | None] = {}  # stream -> error (None: a clean end)
        self._next = 0  # round-robin position

    def _frame(self, src: VideoSource, item: Decoded) -> FrameMeta:
        s = self.settings
        h, w = item.image.shape[:2]
        num = self.frame_nums[src.spec.stream]
        self.frame_nums[src.spec.stream] = num + 1
        return FrameMeta(
            stream=src.spec.stream,
            frame_num=num,
            pts=item.pts,
            image=scale_frame(item.image, s.width, s.height, s.enable_padding),
            source_width=w,
            source_height=h,
            wall_time=time.time(),
        )

    def _take(self, src: VideoSource, block: bool, timeout: float) -> FrameMeta | None:
        try:
            item = src.queue.get(block=block, timeout=timeout if block else None)
        except queue.Empty:
            return None
        if isinstance(item, EndOfStream):
            self.ended[src.spec.stream] = item.error
            self.active.remove(src)
            return None
        return self._frame(src, item)

    def batches(self, stop: threading.Event) -> Iterator[Batch]:
        """Batches until every source has ended or `stop` is set."""
        while self.active and not stop.is_set():
            batch = self._live_batch(stop) if self.settings.live else self._file_batch(stop)
            if batch:
                yield batch

    def _rotate(self) -> list[VideoSource]:
        n = len(self.active)
        start = self._next % n if n else 0
        self._next = start + 1
        return self.active[start:] + self.active[:start]

    def _file_batch(self, stop: threading.Event) -> Batch:
        batch: Batch = []
        for src in self._rotate():
            if len(batch) >= self.settings.batch_size or stop.is_set():
                break
            frame = None
            while frame is None and src in self.active and not stop.is_set():
                frame = self._take(src, True, 0.2)
            if frame is not None:
                batch.append(frame)
        return batch

    def _live_batch(self, stop: threading.Event) -> Batch:
        batch: Batch = []
        started: float | None = None
        timeout_s = (
            self.settings.push_timeout_us / 1e6 if self.settings.push_timeout_us > 0 else None
        )
        while self.active and not stop.is_set() and len(batch) < self.settings.batch_size:
            got = False
            for src in self._rotate():
                if len(batch) >= self.settings.batch_size:
                    break
                frame = self._take(src, False, 0)
                if frame is not None:
                    batch.append(frame)
                    got = True
                    started = started if started is not None else time.monotonic()
            waited = time.monotonic() - started if started is not None else 0.0
            if timeout_s is not None and waited >= timeout_s:
                break
            if not got:
                time.sleep(_IDLE_WAIT_S)
            if started is not None and timeout_s is None and not got and batch:
                # -1: push when nothing more is available rather than block forever on a source
                # that went quiet (GStreamer would block; a preview should keep moving).
                break
        return batch
