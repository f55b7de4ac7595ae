"""nvdsanalytics: line crossing, ROI filtering, direction detection and overcrowding, per stream.

What DeepStream documents, kept exactly: every rule works on the bottom-centre point of the
object's box (left + width/2, top + height); coordinates are in config-width x config-height and
scaled to the frame; a rule applies to the classes in its `class-id` list (empty or -1: all);
line crossing and direction need a tracked object; `extended=1` makes the line infinite; ROI and
overcrowding results are annotations (roiStatus, a per-frame count), objects are not removed.

The low-level library (libnvds_analytics) is closed source, so its mode thresholds are not
published. Here: an object crosses a line when the segment between its previous and its current
point intersects the line and its motion over the last LAST_N_FRAMES (10) points makes an angle
with the direction vector below 90 deg (loose), 60 deg (balanced) or 30 deg (strict); each object
counts once per line. Direction detection reports the configured direction closest to that motion
within the mode's angle.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from alpr_gen.configset.analytics import AnalyticsView, LineRule, Point
from alpr_gen.preview.meta import FrameMeta, ObjectMeta

if TYPE_CHECKING:
    import numpy as np

LAST_N_FRAMES = 10  # nvds_analytics.h
MODE_MAX_ANGLE_DEG = {"loose": 90.0, "balanced": 60.0, "strict": 30.0}
FPoint = tuple[float, float]


def bottom_centre(o: ObjectMeta) -> FPoint:
    return (o.left + o.width / 2.0, o.top + o.height)


def _cross(o: FPoint, a: FPoint, b: FPoint) -> float:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def segments_intersect(p0: FPoint, p1: FPoint, a: FPoint, b: FPoint, *, extended: bool) -> bool:
    """Whether the motion p0 -> p1 crosses line a-b (a segment, or infinite when extended).

    A point exactly on the line counts as crossed on the step that arrives there, not again on
    the step that leaves it."""
    d0, d1 = _cross(a, b, p0), _cross(a, b, p1)
    if not ((d0 < 0 <= d1) or (d0 > 0 >= d1)):
        return False
    if extended:
        return True
    e0, e1 = _cross(p0, p1, a), _cross(p0, p1, b)
    return (e0 <= 0 <= e1) or (e0 >= 0 >= e1)


def angle_deg(u: FPoint, v: FPoint) -> float:
    nu, nv = math.hypot(*u), math.hypot(*v)
    if nu == 0 or nv == 0:
        return 180.0
    cos = max(-1.0, min(1.0, (u[0] * v[0] + u[1] * v[1]) / (nu * nv)))
    return math.degrees(math.acos(cos))


def _applies(class_ids: tuple[int, ...], o: ObjectMeta) -> bool:
    return not class_ids or -1 in class_ids or o.class_id in class_ids


@dataclass(frozen=True)
class Crossing:
    stream: int
    frame: int
    object_id: int
    class_id: int
    label: str  # the line's label
    direction: tuple[float, float]  # the configured direction vector (frame space)
    motion: tuple[float, float]  # the object's motion that crossed


@dataclass
class AnalyticsStage:
    view: AnalyticsView
    frame_size: tuple[int, int]  # the muxer's width, height
    history: dict[tuple[int, int], deque[FPoint]] = field(default_factory=dict)
    counted: set[tuple[int, int, str]] = field(default_factory=set)
    crossings: list[Crossing] = field(default_factory=list)
    line_counts: dict[tuple[int, str], int] = field(default_factory=dict)
    roi_counts: dict[tuple[int, str], int] = field(default_factory=dict)  # last frame's

    # ROI polygons in frame space, per rule: built once, tested for every object of every frame.
    _polygons: dict[int, np.ndarray] = field(default_factory=dict, repr=False)

    def to_frame(self, p: Point) -> FPoint:
        """A point of the analytics config (config-width x config-height) in the frame."""
        w, h = self.frame_size
        sx = w / self.view.config_width if self.view.config_width else 1.0
        sy = h / self.view.config_height if self.view.config_height else 1.0
        return (p[0] * sx, p[1] * sy)

    def line_in_frame(self, rule: LineRule) -> tuple[FPoint, FPoint]:
        return (self.to_frame(rule.line[0]), self.to_frame(rule.line[1]))

    def process(self, frame: FrameMeta) -> list[Crossing]:
        if not self.view.enabled:
            return []
        found: list[Crossing] = []
        for o in frame.objects:
            point = bottom_centre(o)
            key = (frame.stream, o.object_id)
            past = self.history.get(key) if o.tracked else None
            if o.tracked:
                self.history.setdefault(key, deque(maxlen=LAST_N_FRAMES)).append(point)
            if past is not None and len(past) >= 2:
                found += self._lines(frame, o, past)
                o.direction = self._direction(frame.stream, o, past)
            o.rois = self._rois(frame.stream, o, point)
        self.roi_counts = {}
        for rule in self.view.rois:
            if rule.enabled and rule.stream == frame.stream:
                n = sum(1 for o in frame.objects if rule.label in o.rois)
                self.roi_counts[(frame.stream, rule.label)] = n
        self.crossings += found
        return found

    def _motion(self, past: deque[FPoint]) -> FPoint:
        return (past[-1][0] - past[0][0], past[-1][1] - past[0][1])

    def _lines(self, frame: FrameMeta, o: ObjectMeta, past: deque[FPoint]) -> list[Crossing]:
        out = []
        motion = self._motion(past)
        for rule in self.view.lines:
            if not rule.enabled or rule.stream != frame.stream or not _applies(rule.class_ids, o):
                continue
            once = (frame.stream, o.object_id, rule.label)
            if once in self.counted:
                continue
            a, b = self.line_in_frame(rule)
            if not segments_intersect(past[-2], past[-1], a, b, extended=rule.extended):
                continue
            d0, d1 = self.to_frame(rule.direction[0]), self.to_frame(rule.direction[1])
            direction = (d1[0] - d0[0], d1[1] - d0[1])
            if angle_deg(motion, direction) >= MODE_MAX_ANGLE_DEG[rule.mode]:
                continue
            self.counted.add(once)
            o.lines_crossed.append(rule.label)
            key = (frame.stream, rule.label)
            self.line_counts[key] = self.line_counts.get(key, 0) + 1
            out.append(
                Crossing(
                    frame.stream, frame.frame_num, o.object_id, o.class_id, rule.label,
                    direction, motion,
                )
            )  # fmt: skip
        return out

    def _direction(self, stream: int, o: ObjectMeta, past: deque[FPoint]) -> str:
        motion = self._motion(past)
        best, best_angle = "", 180.0
        for rule in self.view.directions:
            if not rule.enabled or rule.stream != stream or not _applies(rule.class_ids, o):
                continue
            s, e = self.to_frame(rule.start), self.to_frame(rule.end)
            angle = angle_deg(motion, (e[0] - s[0], e[1] - s[1]))
            if angle < MODE_MAX_ANGLE_DEG[rule.mode] and angle < best_angle:
                best, best_angle = rule.label, angle
        return best

    def _rois(self, stream: int, o: ObjectMeta, point: FPoint) -> list[str]:
        import cv2
        import numpy as np

        out = []
        for rule in self.view.rois:
            if not rule.enabled or rule.stream != stream or not _applies(rule.class_ids, o):
                continue
            poly = self._polygons.get(id(rule))
            if poly is None:
                poly = np.array([self.to_frame(p) for p in rule.points], np.float32)
                self._polygons[id(rule)] = poly
            inside = cv2.pointPolygonTest(poly, point, False) >= 0
            if inside != rule.inverse:
                out.append(rule.label)
        return out
