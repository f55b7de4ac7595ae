"""A detector GIE end to end, as nvinfer runs it: frame -> the objects it attaches.

The pieces of this package in nvinfer's order: `preprocess` (scale and pad), the model
(`session`, onnxruntime standing in for TensorRT), the custom parser through nvinfer's ABI
(`bridge`), clustering (`cluster`), the undo of the scaling (`geometry.boxes_to_frame`) and the
attach step (`geometry.frame_filter`: detected-min/max, roi offsets, crop-objects-to-roi-boundary).
Every setting comes from the config (`InferSettings`); nothing is re-declared here.

    det = Detector(settings, session, bridge)
    objects = det(frame_rgb)     # [n, 6] left, top, width, height, confidence, class_id (frame px)
"""

from __future__ import annotations

import numpy as np

from alpr_gen.errors import NvinferError
from alpr_gen.nvinfer.bridge import Layer, ParserBridge
from alpr_gen.nvinfer.cluster import cluster_for
from alpr_gen.nvinfer.geometry import ScaleGeometry, boxes_to_frame, frame_filter
from alpr_gen.nvinfer.preprocess import ChannelOrder, Resampler, opencv_resample, preprocess
from alpr_gen.nvinfer.session import InferSession
from alpr_gen.nvinfer.settings import InferSettings


class Detector:
    """One primary detector GIE: its settings, its model and its parser library."""

    def __init__(
        self, settings: InferSettings, session: InferSession, bridge: ParserBridge
    ) -> None:
        if not settings.is_detector or settings.parse_bbox_func_name is None:
            raise NvinferError(
                "not a detector with a custom bbox parser (network-type 0 and "
                "parse-bbox-func-name are needed)"
            )
        self.settings = settings
        self.session = session
        self.bridge = bridge
        self.spec = session.preprocess_spec(settings)

    def parsed(
        self,
        frame: np.ndarray,
        channel_order: ChannelOrder = "RGB",
        resample: Resampler = opencv_resample,
    ) -> tuple:
        """(clustered boxes in network pixels, the frame's ScaleGeometry), before the undo."""
        item = preprocess(frame, self.spec, channel_order=channel_order, resample=resample)
        layers = self.session.frame_layers(item.tensor[None])[0]
        net = (self.spec.net_width, self.spec.net_height, self.spec.channels)
        return parse_detections(self.bridge, self.settings, layers, net), item.geometry

    def __call__(
        self,
        frame: np.ndarray,
        channel_order: ChannelOrder = "RGB",
        resample: Resampler = opencv_resample,
    ) -> np.ndarray:
        """The objects nvinfer attaches for one HxWx3 uint8 frame: [n, 6] float32 rows left,
        top, width, height, confidence, class_id in frame pixels."""
        dets, geo = self.parsed(frame, channel_order, resample)
        h, w = frame.shape[:2]
        return attach(dets, geo, self.settings, (w, h))


def parse_detections(
    bridge: ParserBridge, s: InferSettings, layers: list[Layer], net: tuple[int, int, int]
) -> np.ndarray:
    """One frame's output layers through the custom bbox parser (per-class pre-/post-cluster
    thresholds) and nvdsinfer's clustering: [n, 6] boxes in network pixels."""
    func, n = s.parse_bbox_func_name or "", s.num_detected_classes
    res = bridge.bbox(
        func,
        layers,
        num_classes=n,
        pre_thresholds=[s.attrs_for(c).pre_cluster_threshold for c in range(n)],
        post_thresholds=[s.attrs_for(c).post_cluster_threshold for c in range(n)],
        net=net,
    )
    if not res.ok:
        raise NvinferError(f"{func} returned false: {res.error or 'no reason given'}")
    return cluster_for(res.dets, s)


def attach(
    dets: np.ndarray, geo: ScaleGeometry, s: InferSettings, frame_size: tuple[int, int]
) -> np.ndarray:
    """gst-nvinfer's attach step: boxes back to the frame, then its filters (detected-min/max,
    roi offsets, filter-out-class-ids, crop-objects-to-roi-boundary)."""
    return frame_filter(
        boxes_to_frame(dets, geo),
        s.attrs_for,
        frame_size,
        filter_out_class_ids=frozenset(s.filter_out_class_ids),
        crop_objects_to_roi_boundary=s.crop_objects_to_roi_boundary,
    )


def to_xyxy(objects: np.ndarray) -> np.ndarray:
    """[n, >=6] left, top, width, height, conf, class -> [n, 6] x1, y1, x2, y2, conf, class."""
    o = np.asarray(objects, np.float32).reshape(-1, objects.shape[-1] if len(objects) else 6)
    return np.stack(
        [o[:, 0], o[:, 1], o[:, 0] + o[:, 2], o[:, 1] + o[:, 3], o[:, 4], o[:, 5]], axis=1
    )
