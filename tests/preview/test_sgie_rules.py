"""The OCR SGIE's secondary-GIE rules (gstnvinfer.cpp should_infer_object), with the model and
parser replaced by recorders: which objects get read, when they are read again, what is cached."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pytest

from alpr_gen.deepstream.facts import INT_MAX, NVINFER_MIN_OBJECT_SIZE
from alpr_gen.nvinfer.bridge import Attribute
from alpr_gen.nvinfer.settings import InferSettings
from alpr_gen.preview.gie import InferInstance
from alpr_gen.preview.meta import UNTRACKED_OBJECT_ID, FrameMeta, ObjectMeta
from alpr_gen.preview.sgie import SecondaryGie


@dataclass
class FakeSession:
    batches: list[int] = field(default_factory=list)
    max_batch: int | None = None

    def frame_layers(self, batch: np.ndarray) -> list[list[object]]:
        self.batches.append(len(batch))
        return [[] for _ in batch]


@dataclass
class FakeBridge:
    texts: list[str | None]  # what successive calls read (None: nothing above threshold)
    thresholds: list[float] = field(default_factory=list)

    def classifier(self, func, layers, *, threshold, net):  # type: ignore[no-untyped-def]
        self.thresholds.append(threshold)
        text = self.texts.pop(0) if self.texts else "SAME"
        attrs = [Attribute(0, 1, 0.9, text)] if text else []
        return True, attrs, text or ""


def sgie(texts: list[str | None], **props: str) -> tuple[SecondaryGie, FakeSession, FakeBridge]:
    base = {
        "gie-unique-id": "2", "process-mode": "2", "network-type": "1", "operate-on-gie-id": "1",
        "operate-on-class-ids": "1", "input-object-min-width": "48",
        "input-object-min-height": "14", "classifier-type": "licenseplate",
        "classifier-threshold": "0.5", "parse-classifier-func-name": "NvDsInferParseAlprOcr",
        "infer-dims": "3;48;320", "batch-size": "4", "maintain-aspect-ratio": "1",
    } | props  # fmt: skip
    settings = InferSettings.from_mapping(base)
    session, bridge = FakeSession(), FakeBridge(list(texts))
    inst = InferInstance(None, settings, session, settings.preprocess_spec(), bridge, [])  # type: ignore[arg-type]
    return SecondaryGie(inst), session, bridge


def plate(w: float, h: float = 20.0, oid: int = 7, cls: int = 1, gie: int = 1) -> ObjectMeta:
    return ObjectMeta(cls, "plate", 100.0, 100.0, w, h, 0.9, gie, oid)


def run(s: SecondaryGie, n: int, o: ObjectMeta) -> FrameMeta:
    f = FrameMeta(0, n, n / 15, np.zeros((720, 1280, 3), np.uint8), 1280, 720, 0.0, [o])
    s.process([f])
    return f


def test_read_once_then_cached() -> None:
    s, session, bridge = sgie(["ABC123"])
    for n in range(5):
        f = run(s, n, plate(60))
        assert f.objects[0].plate_text == "ABC123"  # attached every frame: new, then cached
    assert session.batches == [1] and s.calls == {(0, 7): 1}
    assert bridge.thresholds == [0.5]  # classifier-threshold handed to the parser


def test_reread_only_after_more_than_20_percent_growth() -> None:
    s, _, _ = sgie(["A1", "A2", "A3"])
    run(s, 0, plate(60))  # area 1200
    run(s, 1, plate(72))  # 1440 = exactly +20 %: not more, no re-read
    assert s.calls[(0, 7)] == 1
    f = run(s, 2, plate(72.1))
    assert s.calls[(0, 7)] == 2 and f.objects[0].plate_text == "A2"
    run(s, 3, plate(80))  # grown vs the last *inferred* area (1442): 1600 < 1730
    assert s.calls[(0, 7)] == 2


def test_reinfer_interval() -> None:
    s, _, _ = sgie([], **{"secondary-reinfer-interval": "5"})
    for n in range(13):
        run(s, n, plate(60))
    assert s.calls[(0, 7)] == 3  # frames 0, 6, 12: more than 5 frames since the last read
    never, _, _ = sgie([])
    for n in range(30):
        run(never, n, plate(60))
    assert never.inst.settings.secondary_reinfer_interval == INT_MAX
    assert never.calls[(0, 7)] == 1


def test_latest_result_replaces_the_cache_even_when_empty() -> None:
    s, _, _ = sgie(["ABC123", None])
    assert run(s, 0, plate(60)).objects[0].plate_text == "ABC123"
    assert run(s, 1, plate(80)).objects[0].plate_text is None  # re-read found nothing
    assert run(s, 2, plate(80)).objects[0].plate_text is None  # and that is what stays


@pytest.mark.parametrize(
    ("obj", "props", "read"),
    [
        (plate(47), {}, False),  # below input-object-min-width
        (plate(60, h=13), {}, False),
        (plate(15, h=15), {"input-object-min-width": "0", "input-object-min-height": "0"}, False),
        (plate(16, h=16), {"input-object-min-width": "0", "input-object-min-height": "0"}, True),
        (plate(60, cls=0), {}, False),  # not in operate-on-class-ids
        (plate(60, gie=3), {}, False),  # not from operate-on-gie-id
        (plate(60, cls=0), {"operate-on-class-ids": ""}, True),  # empty list: all classes
        (plate(500), {"input-object-max-width": "400"}, False),
    ],
)
def test_which_objects_are_read(obj: ObjectMeta, props: dict[str, str], read: bool) -> None:
    s, _, _ = sgie([], **props)
    run(s, 0, obj)
    assert bool(s.calls) == read
    assert NVINFER_MIN_OBJECT_SIZE == 16


def test_untracked_objects_every_frame_and_batching() -> None:
    s, session, _ = sgie([])
    for n in range(3):
        run(s, n, plate(60, oid=UNTRACKED_OBJECT_ID))
    assert s.untracked_calls == 3 and s.calls == {}
    many, session, _ = sgie([])
    objs = [plate(60, oid=i) for i in range(10)]
    f = FrameMeta(0, 0, 0.0, np.zeros((720, 1280, 3), np.uint8), 1280, 720, 0.0, objs)
    many.process([f])
    assert session.batches == [4, 4, 2]  # batch-size=4


@pytest.mark.parametrize(
    ("deepstream", "platform", "smallest"),
    [
        ("6.3", "dgpu", 16),
        ("7.0", "dgpu", 16),
        ("7.1", "dgpu", 1),
        ("9.0", "dgpu", 1),
        ("7.1", "jetson", 16),
    ],
)
def test_the_floor_follows_the_release_and_platform(
    deepstream: str, platform: str, smallest: int
) -> None:
    """No minimum in the config: nvinfer's own floor decides (versions.min_object_size), as the
    preview backend builds the stage from the set's release and platform."""
    from alpr_gen.deepstream.versions import min_object_size

    floor = min_object_size(deepstream, platform)
    assert floor == smallest
    for size, read in ((floor, True), (floor - 1, False)):
        s, _, _ = sgie([], **{"input-object-min-width": "0", "input-object-min-height": "0"})
        s.min_object = floor
        if size > 0:
            run(s, 0, plate(float(size), h=float(size)))
            assert bool(s.calls) == read, (deepstream, platform, size)
