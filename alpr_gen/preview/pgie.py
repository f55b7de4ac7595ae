"""The primary GIE: nvinfer on whole frames (process-mode=1), as gst-nvinfer runs a detector.

Per batch (gst_nvinfer_process_full_frame): skipped unless `interval_counter++ % (interval + 1)`
is 0; otherwise every frame is scaled into the network input (alpr_gen.nvinfer.preprocess), the
batch runs through the model (onnxruntime), and per frame the bbox parser of `custom-lib-path`
is called through nvinfer's ABI with the per-class pre-/post-cluster thresholds, then nvdsinfer's
clustering (`cluster-mode`, class-attrs), then gst-nvinfer's mapping back to the frame and its
filters (detected-min/max-w/h, roi offsets, filter-out-class-ids). Each object gets the label
from the label file and unique_component_id = gie-unique-id.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from alpr_gen.errors import NvinferError, PreviewError
from alpr_gen.nvinfer.bridge import Layer
from alpr_gen.preview.gie import InferInstance
from alpr_gen.preview.meta import Batch, FrameMeta, ObjectMeta


@dataclass
class PrimaryGie:
    inst: InferInstance
    interval_counter: int = 0
    batches_inferred: int = 0
    frames_inferred: int = 0

    def detect(self, frame: FrameMeta, layers: list[Layer]) -> np.ndarray:
        """One frame's parsed, clustered detections in network pixels [n, 6]."""
        from alpr_gen.nvinfer.detector import parse_detections

        if not self.inst.settings.parse_bbox_func_name:
            raise PreviewError(
                f"{self.inst.gie.config.rel if self.inst.gie.config else ''}: no "
                "parse-bbox-func-name; the preview backend needs the custom parser",
            )
        try:
            return parse_detections(self.inst.bridge, self.inst.settings, layers, self.inst.net)
        except NvinferError as exc:
            raise PreviewError(
                f"{exc.message} (frame {frame.frame_num} of stream {frame.stream})",
                hint="the model's output does not match the parser (re-export the model?)",
            ) from None

    def process(self, batch: Batch) -> bool:
        """Attach objects to the batch's frames; False when `interval` skips this batch."""
        from alpr_gen.nvinfer.detector import attach
        from alpr_gen.nvinfer.preprocess import preprocess_batch

        s = self.inst.settings
        skip = self.interval_counter % (s.interval + 1) > 0
        self.interval_counter += 1
        if skip:
            return False
        tensor, geos = preprocess_batch([f.image for f in batch], self.inst.spec)
        per_frame = self.inst.frame_layers(tensor)
        for frame, layers, geo in zip(batch, per_frame, geos, strict=True):
            dets = attach(self.detect(frame, layers), geo, s, (frame.width, frame.height))
            frame.objects = [self._object(row) for row in dets]
        self.batches_inferred += 1
        self.frames_inferred += len(batch)
        return True

    def _object(self, row: np.ndarray) -> ObjectMeta:
        cls = int(row[5])
        labels = self.inst.labels
        return ObjectMeta(
            class_id=cls,
            label=labels[cls] if 0 <= cls < len(labels) else "",
            left=float(row[0]),
            top=float(row[1]),
            width=float(row[2]),
            height=float(row[3]),
            confidence=float(row[4]),
            gie_id=self.inst.settings.gie_unique_id,
        )
