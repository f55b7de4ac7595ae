"""nvtracker: the tracker YAML's kind, the IOU tracker's rules, ByteTrack for NvSORT/NvDCF."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from alpr_gen.configset.files import FileKind, read_config_file
from alpr_gen.configset.tracker_config import TrackerSettings, tracker_settings
from alpr_gen.preview.meta import TRACKER_ONLY_CONFIDENCE, FrameMeta, ObjectMeta
from alpr_gen.preview.tracker import IouTracker, TrackerStage

GOLDEN = Path(__file__).parents[1] / "golden"


@pytest.mark.parametrize(
    ("site", "kind"), [("demo", "NvDCF"), ("campus-gate", "NvSORT"), ("city-redis", "IOU")]
)
def test_kind_from_the_shipped_sites(site: str, kind: str) -> None:
    path = GOLDEN / site / "tracker.yml"
    s = tracker_settings(read_config_file(FileKind.TRACKER, "tracker.yml", path, path))
    assert s is not None and s.kind == kind
    assert s.probation_age == 3 and s.max_shadow_tracking_age == 30 and s.check_class_match


def settings(**target: float) -> TrackerSettings:
    tm = {"probationAge": 3, "maxShadowTrackingAge": 2, "earlyTerminationAge": 1,
          "minIouDiff4NewTarget": 0.5, "maxTargetsPerStream": 150} | target  # fmt: skip
    return TrackerSettings(
        "IOU",
        {
            "BaseConfig": {"minDetectorConfidence": 0.1},
            "TargetManagement": tm,
            "DataAssociator": {"checkClassMatch": 1, "matchingScoreWeight4Iou": 1.0},
        },
    )


def box(x: float, conf: float = 0.9, cls: int = 0) -> ObjectMeta:
    return ObjectMeta(cls, "vehicle", x, 100.0, 50.0, 50.0, conf, 1)


def test_iou_probation_then_id() -> None:
    t = IouTracker(settings())
    assert t.update([box(0)]) == [] and t.update([box(2)]) == []  # in probation
    out = t.update([box(4)])
    assert len(out) == 1 and out[0][1].left == 4
    key = out[0][0]
    assert [k for k, _ in t.update([box(6)])] == [key]


def test_iou_shadow_tracking_and_end() -> None:
    t = IouTracker(settings())
    for x in (0, 2, 4):
        t.update([box(x)])
    assert t.update([]) == []  # missed: not output while shadow-tracked
    key = t.update([box(6)])[0][0]  # found again: same target
    t.update([])
    t.update([])
    t.update([])  # missed 3 > maxShadowTrackingAge=2: gone
    t.update([box(8)])
    t.update([box(10)])
    assert t.update([box(12)])[0][0] != key


def test_iou_early_termination_and_low_confidence() -> None:
    t = IouTracker(settings())
    t.update([box(0)])
    t.update([])  # missed once in probation: terminated (earlyTerminationAge=1)
    t.update([box(2)])
    assert t.update([box(4)]) == []  # a fresh target, still in probation
    low = IouTracker(settings())
    for x in (0, 2, 4, 6):
        assert low.update([box(x, conf=0.05)]) == []  # below minDetectorConfidence


def test_iou_no_new_target_on_an_existing_one() -> None:
    t = IouTracker(settings())
    for x in (0, 2, 4):
        t.update([box(x)])
    # a second detection overlapping the target by more than minIouDiff4NewTarget
    out = t.update([box(6), box(7)])
    assert len(out) == 1 and len(t.targets) == 1


def frame(objs: list[ObjectMeta], n: int, stream: int = 0) -> FrameMeta:
    return FrameMeta(stream, n, n / 15, np.zeros((10, 10, 3), np.uint8), 10, 10, 0.0, objs)


@pytest.mark.parametrize("kind", ["IOU", "NvDCF"])
def test_stage_ids_per_stream_and_class(kind: str) -> None:
    s = settings()
    stage = TrackerStage(TrackerSettings(kind, s.sections))
    ids: dict[tuple[int, int], set[int]] = {}
    for n in range(8):
        for stream in (0, 1):
            f = frame([box(5 * n), box(300 + 5 * n, cls=1)], n, stream)
            stage.process(f, inferred=True)
            for o in f.objects:
                ids.setdefault((stream, o.class_id), set()).add(o.object_id)
    # one id per object, different across streams and classes, all tracked
    assert all(len(v) == 1 for v in ids.values()) and len(ids) == 4
    assert len({next(iter(v)) for v in ids.values()}) == 4


def test_pgie_skipped_frames_keep_tracks() -> None:
    stage = TrackerStage(settings())
    for n in range(4):
        stage.process(frame([box(5 * n)], n), inferred=True)
    f = frame([], 4)
    stage.process(f, inferred=False)
    assert len(f.objects) == 1 and f.objects[0].confidence == TRACKER_ONLY_CONFIDENCE
