"""The OCR secondary GIE: nvinfer on objects (process-mode=2) with gst-nvinfer's rules.

should_infer_object (gstnvinfer.cpp), in its order: the object must come from `operate-on-gie-id`
(when set), be at least `input-object-min-width/-height` (never below nvinfer's floor for the set's
release and platform, `versions.min_object_size`) and at most the max sizes (0: no limit), and be
of a class in `operate-on-class-ids` (empty: all). A tracked object inferred before is inferred
again only when its area grew by more than 20 % since that inference, or more than
`secondary-reinfer-interval` frames have passed; otherwise the cached result (the latest: a new
result replaces the old one, even an empty one) is attached. Untracked objects are inferred on
every frame. Objects are cropped (alpr_gen.nvinfer.preprocess with the object's rectangle), batched
up to `batch-size`, and the classifier parser of `custom-lib-path` is called through nvinfer's ABI
with `classifier-threshold`; its first attribute's label is the text, attached as an
NvDsClassifierMeta with the SGIE's `classifier-type` (licenseplate puts it in the payload)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from alpr_gen.deepstream.facts import NVINFER_MIN_OBJECT_SIZE, REINFER_AREA_GROWTH
from alpr_gen.errors import PreviewError
from alpr_gen.nvinfer.geometry import Rect
from alpr_gen.preview.gie import InferInstance
from alpr_gen.preview.meta import Batch, Classification, FrameMeta, ObjectMeta


@dataclass
class History:
    last_frame: int
    last_area: float
    cached: Classification | None = None


@dataclass(frozen=True)
class Read:
    stream: int
    frame: int
    object_id: int
    text: str
    confidence: float


@dataclass
class SecondaryGie:
    inst: InferInstance
    # nvinfer's floor under input-object-min-width/-height: versions.min_object_size of the
    # set's release and platform (16 where unknown).
    min_object: int = NVINFER_MIN_OBJECT_SIZE
    history: dict[tuple[int, int], History] = field(default_factory=dict)
    calls: dict[tuple[int, int], int] = field(default_factory=dict)  # OCR calls per track
    untracked_calls: int = 0
    reads: list[Read] = field(default_factory=list)

    def should_infer(self, frame: FrameMeta, o: ObjectMeta, hist: History | None) -> bool:
        s = self.inst.settings
        if s.operate_on_gie_id > -1 and o.gie_id != s.operate_on_gie_id:
            return False
        min_w = max(s.input_object_min_width, self.min_object)
        min_h = max(s.input_object_min_height, self.min_object)
        if o.width < min_w or o.height < min_h:
            return False
        if s.input_object_max_width > 0 and o.width > s.input_object_max_width:
            return False
        if s.input_object_max_height > 0 and o.height > s.input_object_max_height:
            return False
        ids = s.operate_on_class_ids
        if ids and o.class_id not in ids:
            return False
        if hist is None:
            return True
        grown = hist.last_area * (1 + REINFER_AREA_GROWTH) < o.width * o.height
        due = frame.frame_num - hist.last_frame > s.secondary_reinfer_interval
        return grown or due

    def eligible(self, o: ObjectMeta) -> bool:
        """The object's source and class are ones this SGIE reads (sizes aside)."""
        s = self.inst.settings
        if s.operate_on_gie_id > -1 and o.gie_id != s.operate_on_gie_id:
            return False
        return not s.operate_on_class_ids or o.class_id in s.operate_on_class_ids

    def process(self, batch: Batch) -> list[Read]:
        """Infer on the objects that need it, attach results (new or cached)."""
        todo: list[tuple[FrameMeta, ObjectMeta]] = []
        for frame in batch:
            for o in frame.objects:
                key = (frame.stream, o.object_id)
                hist = self.history.get(key) if o.tracked else None
                if not self.should_infer(frame, o, hist):
                    if hist is not None and hist.cached is not None:
                        o.classifications.append(hist.cached)
                    continue
                if o.tracked:
                    self.history[key] = History(frame.frame_num, o.width * o.height)
                todo.append((frame, o))
        new: list[Read] = []
        step = max(1, self.inst.settings.batch_size)
        for i in range(0, len(todo), step):
            new += self._infer(todo[i : i + step])
        self.reads += new
        return new

    def _infer(self, items: list[tuple[FrameMeta, ObjectMeta]]) -> list[Read]:
        from alpr_gen.nvinfer.preprocess import preprocess

        s = self.inst.settings
        func = s.parse_classifier_func_name
        if not func:
            raise PreviewError("the OCR SGIE has no parse-classifier-func-name")
        tensors = []
        for frame, o in items:
            rect = _clip(o, frame.width, frame.height)
            tensors.append(preprocess(frame.image, self.inst.spec, roi=rect).tensor)
        layers = self.inst.frame_layers(np.stack(tensors))
        out = []
        for (frame, o), frame_layers in zip(items, layers, strict=True):
            ok, attrs, _ = self.inst.bridge.classifier(
                func, frame_layers, threshold=s.classifier_threshold, net=self.inst.net
            )
            key = (frame.stream, o.object_id)
            if o.tracked:
                self.calls[key] = self.calls.get(key, 0) + 1
            else:
                self.untracked_calls += 1
            first = attrs[0] if ok and attrs else None
            result = (
                Classification(
                    s.gie_unique_id,
                    s.classifier_type or "",
                    first.label or "",
                    float(first.confidence),
                )
                if first is not None and first.label
                else None
            )
            if o.tracked and key in self.history:
                self.history[key].cached = result  # the latest result replaces the cache
            if result is not None:
                o.classifications.append(result)
                out.append(Read(frame.stream, frame.frame_num, o.object_id, result.label,
                                result.confidence))  # fmt: skip
        return out


def _clip(o: ObjectMeta, width: int, height: int) -> Rect:
    """The object's rectangle inside the frame (nvinfer crops only what the surface holds)."""
    left = min(max(0.0, o.left), float(width - 2))
    top = min(max(0.0, o.top), float(height - 2))
    right = min(float(width), o.right)
    bottom = min(float(height), o.bottom)
    return Rect(left, top, max(2.0, right - left), max(2.0, bottom - top))
