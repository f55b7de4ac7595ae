"""The metadata the preview stages pass along: DeepStream's NvDsFrameMeta / NvDsObjectMeta, reduced
to what alpr-gen's pipeline reads and writes.

Coordinates are in the muxer's output space (streammux width x height), as in DeepStream, where
every element after nvstreammux sees the scaled frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

# NvDsObjectMeta.object_id of an object no tracker has seen (nvdsmeta.h UNTRACKED_OBJECT_ID).
UNTRACKED_OBJECT_ID = 0xFFFFFFFFFFFFFFFF
# NvMultiObjectTracker reports this detector confidence for an object it tracks without a
# detection in this frame (DeepStream's tracker guide).
TRACKER_ONLY_CONFIDENCE = -0.1


@dataclass
class Classification:
    """One NvDsClassifierMeta with its first label (alpr-gen's OCR parser gives one)."""

    gie_id: int
    classifier_type: str  # "" when the SGIE sets no classifier-type
    label: str
    confidence: float


@dataclass
class ObjectMeta:
    class_id: int
    label: str  # obj_label: the detector's label file entry
    left: float
    top: float
    width: float
    height: float
    confidence: float  # the detector's (TRACKER_ONLY_CONFIDENCE when only tracked)
    gie_id: int  # unique_component_id of the GIE that made it
    object_id: int = UNTRACKED_OBJECT_ID
    classifications: list[Classification] = field(default_factory=list)
    lines_crossed: list[str] = field(default_factory=list)  # nvdsanalytics lcStatus
    rois: list[str] = field(default_factory=list)  # roiStatus
    direction: str = ""  # dirStatus

    @property
    def tracked(self) -> bool:
        return self.object_id != UNTRACKED_OBJECT_ID

    @property
    def right(self) -> float:
        return self.left + self.width

    @property
    def bottom(self) -> float:
        return self.top + self.height

    @property
    def plate_read(self) -> Classification | None:
        """The result a `classifier-type=licenseplate` SGIE attached, if any."""
        for c in self.classifications:
            if c.classifier_type == "licenseplate" and c.label:
                return c
        return None

    @property
    def plate_text(self) -> str | None:
        read = self.plate_read
        return read.label if read is not None else None

    def display_text(self, show_track_id: bool) -> str:
        """nvinfer/nvtracker's display_text: label, track id, then the classifier labels."""
        parts = [self.label]
        if show_track_id and self.tracked:
            parts.append(str(self.object_id))
        parts += [c.label for c in self.classifications if c.label]
        return " ".join(parts)


@dataclass
class FrameMeta:
    stream: int  # source_id / pad_index
    frame_num: int  # per stream, from 0, as nvstreammux counts
    pts: float  # seconds since the stream started
    image: np.ndarray  # RGB uint8, muxer width x height
    source_width: int
    source_height: int
    wall_time: float  # time.time() when the muxer took it (the payload's timestamp)
    objects: list[ObjectMeta] = field(default_factory=list)

    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        return int(self.image.shape[0])


Batch = list[FrameMeta]
