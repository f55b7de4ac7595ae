"""nvstreammux's batching and scaling, with sources fed by hand."""

from __future__ import annotations

import threading
import time

import numpy as np

from alpr_gen.preview.sources import Decoded, EndOfStream, SourceSpec, VideoSource
from alpr_gen.preview.streammux import MuxSettings, Streammux, scale_frame


def source(stream: int, live: bool = False) -> VideoSource:
    return VideoSource(SourceSpec(stream, f"file:///x{stream}.mp4", live))


def feed(src: VideoSource, n: int, end: bool = True) -> None:
    def run() -> None:
        for i in range(n):
            src.queue.put(Decoded(np.full((4, 8, 3), i, np.uint8), i / 10))
        if end:
            src.queue.put(EndOfStream())

    threading.Thread(target=run, daemon=True).start()


def test_files_one_frame_per_source_per_batch_until_the_end() -> None:
    a, b = source(0), source(1)
    feed(a, 3)
    feed(b, 5)
    mux = Streammux(MuxSettings(2, 8, 4, False, False, -1), [a, b])
    batches = list(mux.batches(threading.Event()))
    streams = [[f.stream for f in batch] for batch in batches]
    assert streams[:3] == [[0, 1], [1, 0], [0, 1]]  # round-robin start rotates
    assert sum(len(b) for b in batches) == 8
    nums = [f.frame_num for batch in batches for f in batch if f.stream == 1]
    assert nums == [0, 1, 2, 3, 4]  # frame_num counts each stream from 0
    assert mux.ended == {0: None, 1: None}


def test_batch_size_smaller_than_sources() -> None:
    srcs = [source(i) for i in range(3)]
    for s in srcs:
        feed(s, 2)
    mux = Streammux(MuxSettings(1, 8, 4, False, False, -1), srcs)
    assert all(len(b) == 1 for b in mux.batches(threading.Event()))


def test_live_pushes_a_partial_batch_after_the_timeout() -> None:
    a, b = source(0, live=True), source(1, live=True)
    feed(a, 1, end=False)  # b never delivers
    mux = Streammux(MuxSettings(2, 8, 4, False, True, 50_000), [a, b])
    stop = threading.Event()
    t0 = time.monotonic()
    batch = next(mux.batches(stop))
    assert [f.stream for f in batch] == [0]
    assert 0.04 <= time.monotonic() - t0 < 2.0


def test_scaling_and_padding() -> None:
    img = np.full((100, 200, 3), 200, np.uint8)
    assert scale_frame(img, 400, 400, False).shape == (400, 400, 3)
    padded = scale_frame(img, 400, 400, True)
    assert padded.shape == (400, 400, 3)
    assert padded[:200].min() == 200 and padded[200:].max() == 0  # aspect kept, black below
    assert scale_frame(img, 200, 100, False) is img  # same size: untouched
