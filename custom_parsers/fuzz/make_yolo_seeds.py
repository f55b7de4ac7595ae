"""Writes seeds/fuzz_yolo/*: valid inputs for fuzz_yolo (byte layout: see fuzz_yolo.cpp), so a
short run starts from frames that parse and produce objects instead of finding them by luck.

    python3 custom_parsers/fuzz/make_yolo_seeds.py
"""

import struct
from pathlib import Path

import numpy as np

OUT = Path(__file__).parent / "seeds" / "fuzz_yolo"


def header(nc: int, thresholds: list[int]) -> bytes:
    b = bytes([1]) + struct.pack("<HH", 640, 384) + bytes([nc, len(thresholds)])
    for t in thresholds:  # flag byte even -> threshold = next byte / 255
        b += bytes([0, t])
    return b


def layer(half: bool, nc_byte: int, dims: list[tuple[int, int]], data: np.ndarray) -> bytes:
    flags = 2 if half else 0  # bit 0 clear: FLOAT (0) or HALF (1)
    b = bytes([flags, len(dims), nc_byte])
    for kind, value in dims:  # pickDim: 0 -> 6, 1 -> 4 + nc, 5 -> next byte % 64
        b += bytes([kind]) + (bytes([value]) if kind == 5 else b"")
    b += bytes([1])  # honest numElements
    return b + data.astype(np.float16 if half else np.float32).tobytes()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    rows = np.array(
        [[10, 10, 50, 60, 0.9, 0], [600, 300, 700, 420, 0.6, 1], [5, 5, 6, 6, 0.3, 1],
         [0, 0, 0, 0, 0, 0]], np.float32)  # fmt: skip
    raw = np.concatenate([rng.uniform(0, 640, (2, 8)), rng.uniform(5, 200, (2, 8)),
                          rng.uniform(0, 1, (2, 8))]).astype(np.float32)  # fmt: skip
    seeds = {
        "rows_f32": header(2, [64, 128]) + layer(False, 2, [(5, 4), (0, 0)], rows),
        "rows_f16": header(2, [64, 128]) + layer(True, 2, [(5, 4), (0, 0)], rows),
        "raw_f32": header(2, [64, 64]) + layer(False, 2, [(1, 0), (5, 8)], raw),
        "raw_f16": header(2, [64, 64]) + layer(True, 2, [(1, 0), (5, 8)], raw),
    }
    for name, data in seeds.items():
        (OUT / name).write_bytes(data + bytes([0]))


if __name__ == "__main__":
    main()
