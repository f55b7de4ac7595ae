"""nvtracker: track ids on the objects, from the tracker YAML's settings.

- IOU (no state estimator, no visual tracker): NvMultiObjectTracker's IOU tracker, implemented
  here as its guide describes it: detections below `minDetectorConfidence` are dropped; targets
  and detections are matched greedily by score = w_iou * IoU + w_size * size similarity (each
  term and the total above its minimum); an unmatched detection becomes a new target unless it
  overlaps an existing target by more than `minIouDiff4NewTarget`; a new target is in probation
  for `probationAge` frames (not output) and dies after `earlyTerminationAge` missed frames while
  in probation; a confirmed target missed for more than `maxShadowTrackingAge` frames ends, and is
  not output while missed (shadow tracking); at most `maxTargetsPerStream` targets.
- NvSORT, NvDCF, NvDeepSORT: ByteTrack from Roboflow's `trackers` package (Kalman filter +
  Hungarian IoU association), not NVIDIA's trackers: ids, probation (`probationAge` ->
  minimum_consecutive_frames) and shadow tracking (`maxShadowTrackingAge` -> lost_track_buffer,
  in frames) follow the YAML; the visual (DCF) and re-identification features are not emulated.

One tracker per stream, and per class when `checkClassMatch=1`. Ids are 64-bit integers counted
from 0 across all streams (useUniqueID=0). On frames the PGIE skipped (`interval`), confirmed
targets keep their last box with confidence -0.1 (NvDCF would follow them visually).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from alpr_gen.configset.tracker_config import TrackerSettings
from alpr_gen.preview.meta import TRACKER_ONLY_CONFIDENCE, FrameMeta, ObjectMeta


def iou_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of x1, y1, x2, y2 boxes [n, 4] x [m, 4]."""
    if len(a) == 0 or len(b) == 0:
        return np.zeros((len(a), len(b)))
    a, b = a[:, None].astype(np.float64), b[None].astype(np.float64)
    iw = np.clip(np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0]), 0, None)
    ih = np.clip(np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1]), 0, None)
    inter = iw * ih
    area_a = (a[..., 2] - a[..., 0]) * (a[..., 3] - a[..., 1])
    area_b = (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1])
    return np.asarray(inter / np.maximum(area_a + area_b - inter, 1e-9))


def _boxes(objs: list[ObjectMeta]) -> np.ndarray:
    return np.array([[o.left, o.top, o.right, o.bottom] for o in objs], np.float64).reshape(-1, 4)


@dataclass
class _Target:
    box: np.ndarray  # x1, y1, x2, y2
    obj: ObjectMeta
    age: int = 1  # frames since it was created
    hits: int = 1
    missed: int = 0
    key: int = 0  # this tracker's own number for it


class IouTracker:
    """NvMultiObjectTracker's IOU configuration, for one stream (and class)."""

    def __init__(self, s: TrackerSettings) -> None:
        self.s = s
        self.targets: list[_Target] = []
        self._created = 0
        self.w_iou = s.number("DataAssociator", "matchingScoreWeight4Iou", 1.0)
        self.w_size = s.number("DataAssociator", "matchingScoreWeight4SizeSimilarity", 0.0)
        self.min_iou = s.number("DataAssociator", "minMatchingScore4Iou", 0.0)
        self.min_size = s.number("DataAssociator", "minMatchingScore4SizeSimilarity", 0.0)
        self.min_overall = s.number("DataAssociator", "minMatchingScore4Overall", 0.0)

    def update(self, objs: list[ObjectMeta]) -> list[tuple[int, ObjectMeta]]:
        """(local target index key, object) for the confirmed targets matched this frame."""
        objs = [o for o in objs if o.confidence >= self.s.min_detector_confidence]
        tboxes = np.array([t.box for t in self.targets]).reshape(-1, 4)
        dboxes = _boxes(objs)
        iou = iou_matrix(tboxes, dboxes)
        area_t = (tboxes[:, 2] - tboxes[:, 0]) * (tboxes[:, 3] - tboxes[:, 1])
        area_d = (dboxes[:, 2] - dboxes[:, 0]) * (dboxes[:, 3] - dboxes[:, 1])
        size = np.minimum(area_t[:, None], area_d[None]) / np.maximum(
            np.maximum(area_t[:, None], area_d[None]), 1e-9
        )
        score = self.w_iou * iou + self.w_size * size
        ok = (
            (iou > 0)
            & (iou >= self.min_iou)
            & (size >= self.min_size)
            & (score >= self.min_overall)
        )
        pairs = sorted(
            ((score[i, j], i, j) for i, j in zip(*np.nonzero(ok), strict=True)),
            key=lambda p: -p[0],
        )
        used_t: set[int] = set()
        used_d: set[int] = set()
        for _, i, j in pairs:  # greedy: best score first
            if i in used_t or j in used_d:
                continue
            used_t.add(i)
            used_d.add(j)
            t = self.targets[i]
            t.box, t.obj, t.hits, t.missed = dboxes[j], objs[j], t.hits + 1, 0
        for i, t in enumerate(self.targets):
            t.age += 1
            if i not in used_t:
                t.missed += 1
        self.targets = [t for t in self.targets if self._alive(t)]
        for j, o in enumerate(objs):
            if j in used_d or len(self.targets) >= self.s.max_targets_per_stream:
                continue
            overlap = iou_matrix(
                np.array([t.box for t in self.targets]).reshape(-1, 4), dboxes[j : j + 1]
            )
            if overlap.size and overlap.max() > self.s.min_iou_diff_new_target:
                continue
            self._created += 1
            self.targets.append(_Target(dboxes[j], o, key=self._created))
        out = []
        for t in self.targets:
            if t.missed == 0 and t.hits >= max(1, self.s.probation_age):
                out.append((t.key, t.obj))
        return out

    def _alive(self, t: _Target) -> bool:
        confirmed = t.hits >= max(1, self.s.probation_age)
        if not confirmed:
            return t.missed < max(1, self.s.early_termination_age)
        return t.missed <= self.s.max_shadow_tracking_age


class ByteTracker:
    """ByteTrack (Roboflow `trackers`) standing in for NvSORT / NvDCF / NvDeepSORT."""

    def __init__(self, s: TrackerSettings) -> None:
        from trackers import ByteTrackTracker

        self.s = s
        conf = s.min_detector_confidence
        self.impl = ByteTrackTracker(
            lost_track_buffer=max(0, s.max_shadow_tracking_age),
            frame_rate=30.0,  # lost_track_buffer is then in frames
            track_activation_threshold=conf,
            minimum_consecutive_frames=max(1, s.probation_age),
            minimum_iou_threshold=max(0.1, s.number("DataAssociator", "minMatchingScore4Iou", 0.0)),
            high_conf_det_threshold=conf,
        )

    def update(self, objs: list[ObjectMeta]) -> list[tuple[int, ObjectMeta]]:
        import supervision as sv

        objs = [o for o in objs if o.confidence >= self.s.min_detector_confidence]
        if objs:
            dets = sv.Detections(
                xyxy=_boxes(objs).astype(np.float32),
                confidence=np.array([o.confidence for o in objs], np.float32),
                class_id=np.arange(len(objs)),  # carries the index back
            )
        else:
            dets = sv.Detections.empty()
        out = self.impl.update(dets)
        pairs: list[tuple[int, ObjectMeta]] = []
        if out.class_id is None or out.tracker_id is None:
            return pairs
        for idx, tid in zip(out.class_id, out.tracker_id, strict=True):
            if int(tid) >= 0:
                pairs.append((int(tid), objs[int(idx)]))
        return pairs


@dataclass
class TrackerStage:
    settings: TrackerSettings
    make: Callable[[TrackerSettings], IouTracker | ByteTracker] | None = None
    _trackers: dict[tuple[int, int], IouTracker | ByteTracker] = field(default_factory=dict)
    _ids: dict[tuple[int, int, int], int] = field(default_factory=dict)
    _last: dict[int, list[ObjectMeta]] = field(default_factory=dict)
    next_id: int = 0
    tracks_by_class: dict[int, set[int]] = field(default_factory=dict)

    def _tracker(self, stream: int, class_id: int) -> IouTracker | ByteTracker:
        key = (stream, class_id if self.settings.check_class_match else -1)
        if key not in self._trackers:
            if self.make is not None:
                self._trackers[key] = self.make(self.settings)
            elif self.settings.kind == "IOU":
                self._trackers[key] = IouTracker(self.settings)
            else:
                self._trackers[key] = ByteTracker(self.settings)
        return self._trackers[key]

    def process(self, frame: FrameMeta, inferred: bool) -> None:
        """Replace the frame's objects by the tracked ones (ids set)."""
        if not inferred:
            frame.objects = [self._carry(o) for o in self._last.get(frame.stream, [])]
            return
        groups: dict[int, list[ObjectMeta]] = {}
        for o in frame.objects:
            groups.setdefault(o.class_id if self.settings.check_class_match else -1, []).append(o)
        tracked: list[ObjectMeta] = []
        for cls in sorted(set(groups) | self._classes_seen(frame.stream)):
            tracker = self._tracker(frame.stream, cls)
            for local, obj in tracker.update(groups.get(cls, [])):
                key = (frame.stream, cls, local)
                if key not in self._ids:
                    self._ids[key] = self.next_id
                    self.next_id += 1
                obj.object_id = self._ids[key]
                self.tracks_by_class.setdefault(obj.class_id, set()).add(obj.object_id)
                tracked.append(obj)
        frame.objects = tracked
        self._last[frame.stream] = tracked

    def _classes_seen(self, stream: int) -> set[int]:
        return {cls for (s, cls) in self._trackers if s == stream}

    @staticmethod
    def _carry(o: ObjectMeta) -> ObjectMeta:
        return ObjectMeta(
            o.class_id, o.label, o.left, o.top, o.width, o.height, TRACKER_ONLY_CONFIDENCE,
            o.gie_id, o.object_id,
        )  # fmt: skip
