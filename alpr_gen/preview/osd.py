"""nvdsosd and the file sink: boxes, labels, track ids, plate text, analytics lines and zones, drawn
on the muxed frames, tiled as [tiled-display] says, encoded into the type-3 sink's file.

Drawing follows what deepstream-app asks nvdsosd for: box borders `[osd] border-width` in the
PGIE group's `bbox-border-color<class>` (r;g;b;a in 0..1; red otherwise), the object's display
text (label, track id when `display-tracking-id=1`, then classifier labels) at its top-left on
`text-bg-color` in `text-color`, and, when the analytics `osd-mode` > 0, its lines (with the
direction arrow and count) and ROIs. OpenCV's Hershey font stands in for nvdsosd's Pango fonts.
The encoder is FFmpeg's through PyAV: codec 1 H.264 (libx264), 2 H.265 (libx265), 3 MPEG-4;
container 1 MP4, 2 MKV; `bitrate` in bit/s.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, cast

import numpy as np

from alpr_gen.preview.analytics import AnalyticsStage
from alpr_gen.preview.meta import FrameMeta

Color = tuple[int, int, int]  # RGB 0..255
_CODECS = {1: "libx264", 2: "libx265", 3: "mpeg4"}
_CONTAINERS = {1: "mp4", 2: "matroska"}


def rgba(value: str | None, default: Color) -> Color:
    """`r;g;b;a` floats in 0..1 -> RGB bytes (the default when unreadable)."""
    if not value:
        return default
    try:
        parts = [float(v) for v in value.strip().rstrip(";").split(";")]
    except ValueError:
        return default
    if len(parts) < 3:
        return default
    r, g, b = (round(max(0.0, min(1.0, p)) * 255) for p in parts[:3])
    return (r, g, b)


@dataclass(frozen=True)
class OsdStyle:
    enabled: bool = True
    border_width: int = 2
    text_size: int = 15
    text_color: Color = (255, 255, 255)
    text_bg: Color = (77, 77, 77)
    display_text: bool = True
    display_bbox: bool = True
    show_track_id: bool = True
    class_colors: dict[int, Color] = field(default_factory=dict)


@dataclass(frozen=True)
class TileLayout:
    rows: int
    columns: int
    width: int
    height: int


def _text(img: np.ndarray, text: str, x: int, y: int, style: OsdStyle) -> None:
    import cv2

    scale = max(0.3, style.text_size / 30.0)
    (tw, th), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, 1)
    y = max(th + base, y)
    cv2.rectangle(img, (x, y - th - base), (x + tw, y + base // 2), style.text_bg, cv2.FILLED)
    cv2.putText(img, text, (x, y - base // 2), cv2.FONT_HERSHEY_SIMPLEX, scale, style.text_color, 1,
                cv2.LINE_AA)  # fmt: skip


def draw(frame: FrameMeta, style: OsdStyle, analytics: AnalyticsStage | None = None) -> np.ndarray:
    """The frame as nvdsosd leaves it (a new RGB array)."""
    import cv2

    img = np.ascontiguousarray(frame.image.copy())
    if analytics is not None and analytics.view.enabled and analytics.view.osd_mode > 0:
        _draw_analytics(img, frame.stream, analytics, style)
    for o in frame.objects:
        color = style.class_colors.get(o.class_id, (255, 0, 0))
        p1 = (int(o.left), int(o.top))
        p2 = (int(o.right), int(o.bottom))
        if style.display_bbox and style.border_width > 0:
            cv2.rectangle(img, p1, p2, color, style.border_width)
        if style.display_text:
            _text(img, o.display_text(style.show_track_id), p1[0], p1[1] - 2, style)
    return img


def _draw_analytics(img: np.ndarray, stream: int, a: AnalyticsStage, style: OsdStyle) -> None:
    import cv2

    for rule in a.view.rois:
        if rule.stream == stream and rule.enabled:
            pts = np.array([a.to_frame(p) for p in rule.points], np.int32)
            cv2.polylines(img, [pts], True, (255, 255, 0), 2)
            count = a.roi_counts.get((stream, rule.label), 0)
            _text(img, f"{rule.label}: {count}", int(pts[0][0]), int(pts[0][1]), style)
    for line in a.view.lines:
        if line.stream != stream or not line.enabled:
            continue
        (x1, y1), (x2, y2) = a.line_in_frame(line)
        cv2.line(img, (int(x1), int(y1)), (int(x2), int(y2)), (255, 255, 0), 2)
        d0, d1 = a.to_frame(line.direction[0]), a.to_frame(line.direction[1])
        cv2.arrowedLine(img, (int(d0[0]), int(d0[1])), (int(d1[0]), int(d1[1])), (0, 255, 255), 2)
        if a.view.osd_mode >= 2:
            count = a.line_counts.get((stream, line.label), 0)
            _text(img, f"{line.label}: {count}", int(x1), int(y1) - 4, style)


def tile(frames: dict[int, np.ndarray], layout: TileLayout, n_streams: int) -> np.ndarray:
    """nvmultistreamtiler: stream i at row i // columns, column i % columns, each scaled to its
    cell (keeping the aspect ratio, black around); the last frame of each stream stays shown."""
    import cv2

    out = np.zeros((layout.height, layout.width, 3), np.uint8)
    cw, ch = layout.width // max(1, layout.columns), layout.height // max(1, layout.rows)
    for i in range(min(n_streams, layout.rows * layout.columns)):
        img = frames.get(i)
        if img is None:
            continue
        h, w = img.shape[:2]
        r = min(cw / w, ch / h)
        nw, nh = max(1, int(w * r)), max(1, int(h * r))
        x = (i % layout.columns) * cw + (cw - nw) // 2
        y = (i // layout.columns) * ch + (ch - nh) // 2
        out[y : y + nh, x : x + nw] = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_AREA)
    return out


class VideoWriter:
    """The file sink: frames in, an encoded file out (written to a temp name, then renamed)."""

    def __init__(
        self, path: Path, *, width: int, height: int, fps: float, codec: int, container: int,
        bitrate: int,
    ) -> None:  # fmt: skip
        import av

        self.path = path
        self._tmp = path.with_name(f".{path.name}.part")
        path.parent.mkdir(parents=True, exist_ok=True)
        self._out: Any = av.open(str(self._tmp), mode="w", format=_CONTAINERS.get(container, "mp4"))
        rate = Fraction(fps).limit_denominator(1001) if fps > 0 else Fraction(30)
        # PyAV types add_stream's result as a union of stream kinds; this one is video.
        self._stream = cast(Any, self._out.add_stream(_CODECS.get(codec, "libx264"), rate=rate))
        self._stream.width, self._stream.height = width - width % 2, height - height % 2
        self._stream.pix_fmt = "yuv420p"
        if bitrate > 0:
            self._stream.bit_rate = bitrate
        self.frames = 0

    def write(self, rgb: np.ndarray) -> None:
        import av

        h, w = self._stream.height, self._stream.width
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb[:h, :w]), format="rgb24")
        for packet in self._stream.encode(frame):
            self._out.mux(packet)
        self.frames += 1

    def close(self) -> None:
        for packet in self._stream.encode():
            self._out.mux(packet)
        self._out.close()
        if self.frames:
            self._tmp.replace(self.path)
        else:
            self._tmp.unlink(missing_ok=True)


def fps_of(pts: list[float], default: float = 30.0) -> float:
    """A stream's frame rate from its first timestamps."""
    steps = [b - a for a, b in itertools.pairwise(pts) if b > a]
    if not steps:
        return default
    step = sorted(steps)[len(steps) // 2]
    return 1.0 / step if step > 0 and math.isfinite(step) else default
