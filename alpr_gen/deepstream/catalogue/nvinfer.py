"""The nvinfer config file: [property], [class-attrs-all], [class-attrs-N]."""

from __future__ import annotations

from alpr_gen.deepstream.catalogue import GPU_ID, GroupSpec, Key, PathKind, T

_NET_MODE = Key(
    T.INT,
    "0 FP32, 1 INT8, 2 FP16, 3 BEST (8.0)",
    choices={0: "FP32", 1: "INT8", 2: "FP16", 3: "BEST"},
    value_since={3: "8.0"},
)

NVINFER_GROUPS: list[GroupSpec] = [
    GroupSpec(
        "property",
        r"property",
        {
            "gie-unique-id": Key(T.INT, "unique id (> 0)", lo=1),
            "gpu-id": GPU_ID,
            "process-mode": Key(
                T.INT, "1 primary, 2 secondary", choices={1: "primary", 2: "secondary"}
            ),
            "interval": Key(T.INT, "frames skipped", lo=0),
            "batch-size": Key(T.INT, "1-1024", lo=1, hi=1024),
            "operate-on-gie-id": Key(T.INT, "GIE whose objects it reads", lo=-1),
            "operate-on-class-ids": Key(T.INT_LIST, "classes it runs on"),
            "filter-out-class-ids": Key(T.INT_LIST, "classes dropped"),
            "onnx-file": Key(T.PATH, "ONNX model", path=PathKind.ARTIFACT),
            "model-engine-file": Key(T.PATH, "TensorRT engine", path=PathKind.ARTIFACT),
            "int8-calib-file": Key(T.PATH, "INT8 calibration cache", path=PathKind.ARTIFACT),
            "labelfile-path": Key(T.PATH, "labels", path=PathKind.CONFIG),
            "custom-network-config": Key(T.PATH, "custom network config", path=PathKind.ARTIFACT),
            "model-file": Key(
                T.PATH, "Caffe model (gone with TensorRT 10)", path=PathKind.ARTIFACT, until="7.0"
            ),
            "proto-file": Key(
                T.PATH,
                "Caffe prototxt (gone with TensorRT 10)",
                path=PathKind.ARTIFACT,
                until="7.0",
            ),
            "uff-file": Key(
                T.PATH, "UFF model (gone with TensorRT 10)", path=PathKind.ARTIFACT, until="7.0"
            ),
            "uff-input-blob-name": Key(T.STR, "UFF input (gone with TensorRT 10)", until="7.0"),
            "uff-input-order": Key(T.INT, "UFF order (gone with TensorRT 10)", until="7.0"),
            "tlt-encoded-model": Key(T.PATH, "TAO .etlt model", path=PathKind.ARTIFACT),
            "tlt-model-key": Key(T.STR, "TAO key"),
            "mean-file": Key(T.PATH, "PPM mean image", path=PathKind.ARTIFACT),
            "infer-dims": Key(T.INT_LIST, "c;h;w", lo=1, length=(3, 3)),
            "input-dims": Key(T.INT_LIST, "c;h;w;order", deprecated="infer-dims"),
            "uff-input-dims": Key(T.INT_LIST, "c;h;w;order", deprecated="infer-dims"),
            "workspace-size": Key(T.INT, "MB", lo=1),
            "network-type": Key(
                T.INT,
                "model kind",
                choices={
                    0: "detector",
                    1: "classifier",
                    2: "segmentation",
                    3: "instance segmentation",
                    100: "other",
                },
            ),
            "is-classifier": Key(T.BOOL, "old switch", deprecated="network-type"),
            "network-mode": _NET_MODE,
            "output-blob-names": Key(T.STR, "output tensor names, ;-separated"),
            "output-io-formats": Key(T.STR, "name:type:format;..."),
            "layer-device-precision": Key(T.STR, "name:precision:device;..."),
            "enable-dla": Key(T.BOOL, "run on DLA", platform="jetson"),
            "use-dla-core": Key(T.INT, "DLA core", lo=0, hi=1, platform="jetson"),
            "net-scale-factor": Key(T.FLOAT, "pixel scale (1/255 for YOLO)", lo=0.0),
            "offsets": Key(T.FLOAT_LIST, "per-channel mean", length=(1, 4)),
            "model-color-format": Key(
                T.INT, "0 RGB, 1 BGR, 2 GRAY", choices={0: "RGB", 1: "BGR", 2: "GRAY"}
            ),
            "maintain-aspect-ratio": Key(T.BOOL, "letterbox"),
            "symmetric-padding": Key(T.BOOL, "centre the letterbox"),
            "scaling-filter": Key(T.INT, "interpolation", lo=0, hi=6),
            "scaling-compute-hw": Key(
                T.INT,
                "0 default, 1 GPU, 2 VIC",
                choices={0: "default", 1: "GPU", 2: "VIC"},
                value_platform={2: "jetson"},
            ),
            "num-detected-classes": Key(T.INT, "classes (= label lines)", lo=1),
            "enable-dbscan": Key(
                T.BOOL, "old switch for cluster-mode=1", deprecated="cluster-mode"
            ),
            "cluster-mode": Key(
                T.INT,
                "clustering",
                choices={0: "GroupRectangles", 1: "DBSCAN", 2: "NMS", 3: "DBSCAN+NMS", 4: "none"},
            ),
            "parse-bbox-func-name": Key(T.STR, "custom bbox parser symbol"),
            "parse-bbox-instance-mask-func-name": Key(T.STR, "instance-mask parser symbol"),
            "parse-classifier-func-name": Key(T.STR, "custom classifier parser symbol"),
            "parse-func": Key(T.INT, "old parser selector", deprecated="parse-bbox-func-name"),
            "custom-lib-path": Key(T.PATH, "custom parser library", path=PathKind.ARTIFACT),
            "engine-create-func-name": Key(T.STR, "custom engine builder symbol"),
            "classifier-threshold": Key(T.FLOAT, "min confidence", lo=0.0, hi=1.0),
            "classifier-type": Key(T.STR, "attribute name in payloads (e.g. licenseplate)"),
            "classifier-async-mode": Key(T.BOOL, "async classification (needs tracker)"),
            "crop-objects-to-roi-boundary": Key(T.BOOL, "crop to ROI"),
            "output-tensor-meta": Key(T.BOOL, "attach raw tensors"),
            "strongly-typed": Key(T.BOOL, "build a strongly typed network", since="9.0"),
            "warmup-engine": Key(T.BOOL, "run the engine once before the first frame", since="9.0"),
            "stabilize-buffer-count": Key(
                T.INT, "buffers before timing is stable", lo=0, since="9.0"
            ),
            "dynamic-properties": Key(T.STR, "k=v;... set on the context", since="9.0"),
            "output-instance-mask": Key(T.BOOL, "instance masks"),
            "segmentation-threshold": Key(T.FLOAT, "mask threshold", lo=0.0, hi=1.0),
            "segmentation-output-order": Key(T.INT, "0 NCHW, 1 NHWC", lo=0, hi=1),
            "force-implicit-batch-dim": Key(
                T.BOOL, "implicit batch (gone with TensorRT 10)", until="7.0"
            ),
            "disable-output-host-copy": Key(T.BOOL, "keep outputs on device"),
            "input-tensor-from-meta": Key(T.BOOL, "use nvdspreprocess tensors"),
            "secondary-reinfer-interval": Key(T.INT, "frames between re-inference", lo=0),
            "input-object-min-width": Key(T.INT, "px", lo=0),
            "input-object-min-height": Key(T.INT, "px", lo=0),
            "input-object-max-width": Key(T.INT, "px", lo=0),
            "input-object-max-height": Key(T.INT, "px", lo=0),
            "gpu-tensor-meta": Key(T.BOOL, "tensors on GPU"),
            "dump-input-tensor": Key(T.BOOL, "debug dump"),
            "dump-output-tensor": Key(T.BOOL, "debug dump"),
        },
        "nvinfer settings",
    ),
]

_CLASS_ATTRS = {
    "pre-cluster-threshold": Key(
        T.FLOAT, "min confidence before clustering", lo=0.0, hi=1.0, default="0.2"
    ),
    "threshold": Key(T.FLOAT, "old name", lo=0.0, hi=1.0, deprecated="pre-cluster-threshold"),
    "post-cluster-threshold": Key(T.FLOAT, "min confidence after clustering", lo=0.0, hi=1.0),
    "nms-iou-threshold": Key(T.FLOAT, "NMS IoU", lo=0.0, hi=1.0, default="0.3"),
    "topk": Key(T.INT, "-1 keeps all", lo=-1, default="-1"),
    "eps": Key(T.FLOAT, "DBSCAN/GroupRectangles eps", lo=0.0),
    "group-threshold": Key(T.INT, "GroupRectangles", lo=0),
    "minBoxes": Key(T.INT, "DBSCAN", lo=0),
    "dbscan-min-score": Key(T.FLOAT, "DBSCAN", lo=0.0),
    "detected-min-w": Key(T.INT, "px", lo=0),
    "detected-min-h": Key(T.INT, "px", lo=0),
    "detected-max-w": Key(T.INT, "px", lo=0),
    "detected-max-h": Key(T.INT, "px", lo=0),
    "roi-top-offset": Key(T.INT, "px", lo=0),
    "roi-bottom-offset": Key(T.INT, "px", lo=0),
    "border-color": Key(T.COLOR, "r;g;b;a box colour", lo=0.0, hi=1.0, length=(4, 4)),
    "bg-color": Key(T.COLOR, "r;g;b;a box fill", lo=0.0, hi=1.0, length=(4, 4)),
}
NVINFER_GROUPS += [
    GroupSpec("class-attrs-all", r"class-attrs-all", _CLASS_ATTRS, "defaults for every class"),
    GroupSpec(
        "class-attrs-N", r"class-attrs-\d+", _CLASS_ATTRS, "class N (< num-detected-classes)"
    ),
]
