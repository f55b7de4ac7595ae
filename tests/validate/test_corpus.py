"""The broken-config corpus: the clean base set plus ONE defect per case.

Each case names the rule it must trigger and the line, found by searching the mutated file for a
marker (so expected lines come from the fixture text, not from the linter). `extra` lists rule ids
that the defect legitimately triggers as well (e.g. a skipped source changes the source count);
anything else reported is a failure, so the base set must stay clean.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from alpr_gen.validate import lint_path
from alpr_gen.validate.rules import all_rules

APP = "deepstream_app.txt"
PGIE = "pgie_yolo11.txt"
SGIE = "sgie_ocr.txt"


@dataclass(frozen=True)
class Case:
    id: str
    rule: str
    file: str  # file the finding is in
    marker: str | None  # text on the expected line; None: the finding is about the whole file
    edits: tuple[tuple[str, ...], ...]  # (sub, file, old, new) / (append, file, text) / ...
    nth: int = 1  # which occurrence of marker
    extra: frozenset[str] = field(default_factory=frozenset)
    deepstream: str | None = None
    platform: str | None = None


def sub(file: str, old: str, new: str) -> tuple[str, ...]:
    return ("sub", file, old, new)


def append(file: str, text: str) -> tuple[str, ...]:
    return ("append", file, text)


def delete(file: str) -> tuple[str, ...]:
    return ("delete", file)


def write(file: str, text: str) -> tuple[str, ...]:
    return ("write", file, text)


def C(id: str, rule: str, file: str, marker: str | None, *edits: tuple[str, ...], **kw: object):
    return Case(id, rule, file, marker, edits, **kw)  # type: ignore[arg-type]


_SINK3 = "\n[sink3]\nenable=1\ntype=4\ncodec=1\nrtsp-port=8554\nudp-port=5401\n"
_SGIES = "".join(f"\n[secondary-gie{i}]\nenable=0\n" for i in range(1, 17))

CASES = [
    C("no-manifest", "DS001", APP, None, delete("manifest.json")),
    C(
        "manifest-not-json",
        "DS002",
        "manifest.json",
        None,
        write("manifest.json", "{oops"),
        extra=frozenset({"DS001"}),
    ),
    C(
        "manifest-unknown-version",
        "DS002",
        "manifest.json",
        None,
        sub("manifest.json", '"8.0"', '"9.9"'),
    ),
    C(
        "orin-with-deepstream-8",
        "DS004",
        "manifest.json",
        None,
        sub("manifest.json", '"platform": "dgpu"', '"platform": "jetson", "jetson": "orin"'),
        # jetson checks too: this base set is written for a dGPU (cudadec-memtype).
        extra=frozenset({"DS110"}),
    ),
    C(
        "yaml-nvinfer-config",
        "DS003",
        "sgie_ocr.yml",
        None,
        sub(APP, "config-file=sgie_ocr.txt", "config-file=sgie_ocr.yml"),
        write("sgie_ocr.yml", "property:\n  gie-unique-id: 2\n"),
    ),
    C(
        "nvinferserver-config",
        "DS003",
        "sgie_triton.txt",
        None,
        sub(APP, "config-file=sgie_ocr.txt", "config-file=sgie_triton.txt\nplugin-type=1"),
        write("sgie_triton.txt", "infer_config {\n  unique_id: 2\n}\n"),
    ),
    C("group-misspelt", "DS101", APP, "[streamux]", sub(APP, "[streammux]", "[streamux]")),
    C("group-unknown", "DS102", APP, "[my-extension]", append(APP, "\n[my-extension]\nfoo=1\n")),
    C(
        "key-misspelt",
        "DS103",
        PGIE,
        "symetric-padding",
        sub(PGIE, "symmetric-padding=1", "symetric-padding=1"),
    ),
    C(
        "key-misspelt-sink",
        "DS103",
        APP,
        "msg-broker-conn-string",
        sub(APP, "msg-broker-conn-str=", "msg-broker-conn-string="),
        extra=frozenset({"DS402"}),
    ),
    C("key-unknown", "DS104", SGIE, "my-own-setting", append(SGIE, "my-own-setting=7\n")),
    C("type-int", "DS105", APP, "latency=200ms", sub(APP, "latency=200", "latency=200ms")),
    C(
        "type-float",
        "DS105",
        PGIE,
        "pre-cluster-threshold=high",
        sub(PGIE, "pre-cluster-threshold=0.25", "pre-cluster-threshold=high"),
    ),
    C(
        "type-bool",
        "DS105",
        PGIE,
        "maintain-aspect-ratio=yes",
        sub(PGIE, "maintain-aspect-ratio=1", "maintain-aspect-ratio=yes"),
    ),
    C(
        "range-network-mode",
        "DS106",
        PGIE,
        "network-mode=5",
        sub(PGIE, "network-mode=2", "network-mode=5"),
    ),
    C(
        "range-cluster-mode",
        "DS106",
        PGIE,
        "cluster-mode=7",
        sub(PGIE, "cluster-mode=2", "cluster-mode=7"),
    ),
    C(
        "range-colour",
        "DS106",
        APP,
        "text-color=1;1;2;1",
        sub(APP, "text-color=1;1;1;1", "text-color=1;1;2;1"),
    ),
    C("range-sink-type", "DS106", APP, "type=7", sub(APP, "type=1\nsync=0", "type=7\nsync=0")),
    C(
        "choice-analytics-mode",
        "DS106",
        "analytics.txt",
        "mode=fast",
        sub("analytics.txt", "mode=balanced", "mode=fast"),
    ),
    C(
        "length-infer-dims",
        "DS107",
        PGIE,
        "infer-dims=640;640",
        sub(PGIE, "infer-dims=3;640;640", "infer-dims=640;640"),
    ),
    C(
        "length-colour",
        "DS107",
        APP,
        "bbox-border-color0=0;1;0\n",
        sub(APP, "bbox-border-color0=0;1;0;1", "bbox-border-color0=0;1;0"),
    ),
    C(
        "deprecated-threshold",
        "DS108",
        PGIE,
        "threshold=0.3",
        sub(PGIE, "pre-cluster-threshold=0.3", "threshold=0.3"),
    ),
    C(
        "deprecated-input-dims",
        "DS108",
        PGIE,
        "input-dims",
        sub(PGIE, "infer-dims=3;640;640", "input-dims=3;640;640;0"),
    ),
    C(
        "version-global-gpu-id",
        "DS109",
        APP,
        "global-gpu-id",
        sub(
            APP,
            "perf-measurement-interval-sec=5",
            "perf-measurement-interval-sec=5\nglobal-gpu-id=0",
        ),
        deepstream="7.1",
    ),
    C(
        "version-network-mode-best",
        "DS109",
        PGIE,
        "network-mode=3",
        sub(PGIE, "network-mode=2", "network-mode=3"),
        deepstream="7.0",
    ),
    C(
        "version-sub-batches",
        "DS109",
        APP,
        "sub-batches",
        sub(APP, "display-tracking-id=1", "display-tracking-id=1\nsub-batches=2:2"),
        deepstream="6.3",
    ),
    C(
        "platform-csi-on-dgpu",
        "DS110",
        APP,
        "type=5",
        sub(APP, "type=4\nuri=rtsp://192.0.2.11", "type=5\nuri=rtsp://192.0.2.11"),
    ),
    C(
        "platform-cudadec-on-jetson",
        "DS110",
        APP,
        "cudadec-memtype",
        sub(APP, "latency=200", "latency=200\ncudadec-memtype=0"),
        platform="jetson",
    ),
    C(
        "platform-surface-array-on-dgpu",
        "DS110",
        APP,
        "nvbuf-memory-type=4",
        sub(APP, "nvbuf-memory-type=0", "nvbuf-memory-type=4"),
    ),
    C(
        "platform-dla-on-dgpu",
        "DS110",
        PGIE,
        "enable-dla",
        sub(PGIE, "workspace-size=1024", "workspace-size=1024\nenable-dla=1"),
    ),
    C(
        "enable-true-source",
        "DS111",
        APP,
        "enable=true",
        sub(APP, "[source1]\nenable=1", "[source1]\nenable=true"),
        extra=frozenset({"DS306", "DS407", "DS501"}),
    ),
    C(
        "enable-true-tracker",
        "DS111",
        APP,
        "enable=true",
        sub(APP, "[tracker]\nenable=1", "[tracker]\nenable=true"),
        extra=frozenset({"DS314"}),
    ),
    C("enable-missing", "DS112", APP, "[sink2]", sub(APP, "[sink2]\nenable=1\n", "[sink2]\n")),
    C("source-name", "DS113", APP, "[source-extra]", append(APP, "\n[source-extra]\nenable=0\n")),
    C("too-many-sgies", "DS114", APP, "[secondary-gie16]", append(APP, _SGIES)),
    C(
        "source-without-uri",
        "DS115",
        APP,
        "[source1]",
        sub(APP, "uri=rtsp://192.0.2.11/stream1\n", ""),
    ),
    C(
        "gie-without-config",
        "DS115",
        APP,
        "[secondary-gie0]",
        sub(APP, "config-file=sgie_ocr.txt\n", ""),
    ),
    C(
        "analytics-without-width",
        "DS115",
        "analytics.txt",
        "[property]",
        sub("analytics.txt", "config-width=1280\n", ""),
    ),
    C(
        "duplicate-key",
        "DS116",
        APP,
        "batch-size= 2",
        sub(APP, "live-source=1", "live-source=1\nbatch-size= 2"),
    ),
    C("duplicate-group", "DS117", APP, "[osd]", append(APP, "\n[osd]\nshow-clock=0\n"), nth=2),
    C(
        "bad-line",
        "DS118",
        PGIE,
        "this is not a key",
        sub(PGIE, "network-type=0", "network-type=0\nthis is not a key"),
    ),
    C(
        "analytics-config-missing",
        "DS201",
        APP,
        "config-file=analytic.txt",
        sub(APP, "config-file=analytics.txt", "config-file=analytic.txt"),
    ),
    C("labels-missing", "DS201", PGIE, "labelfile-path", delete("labels.txt")),
    C("tracker-yaml-missing", "DS201", APP, "ll-config-file", delete("tracker.yml")),
    C("msgconv-missing", "DS201", APP, "msg-conv-config", delete("msgconv.txt")),
    C("onnx-not-deployed", "DS202", PGIE, "onnx-file", delete("models/yolo11n.onnx")),
    C(
        "dictionary-not-deployed",
        "DS202",
        "ocr_parser.cfg",
        "dictionary",
        delete("models/ocr_dict.txt"),
    ),
    C(
        "source-video-missing",
        "DS207",
        APP,
        "uri=file://media/cam0.mp4",
        sub(APP, "type=4\nuri=rtsp://192.0.2.10/stream1", "type=2\nuri=file://media/cam0.mp4"),
        extra=frozenset({"DS307"}),  # one RTSP source left, live-source=1 still right
    ),
    C(
        "file-sink-dir-missing",
        "DS208",
        APP,
        "output-file=recordings/out.mp4",
        sub(
            APP,
            "[sink0]\nenable=1\ntype=1\nsync=0",
            "[sink0]\nenable=1\ntype=3\nsync=0\ncontainer=1\ncodec=1\n"
            "output-file=recordings/out.mp4",
        ),
    ),
    C(
        "source-uri-scheme-typo",
        "DS119",
        APP,
        "uri=rtps://",
        sub(APP, "uri=rtsp://192.0.2.10/stream1", "uri=rtps://192.0.2.10/stream1"),
    ),
    C(
        "source-uri-without-scheme",
        "DS119",
        APP,
        "uri=/videos/cam0.mp4",
        sub(APP, "type=4\nuri=rtsp://192.0.2.10/stream1", "type=2\nuri=/videos/cam0.mp4"),
        extra=frozenset({"DS307"}),
    ),
    C(
        "value-trailing-space",
        "DS120",
        PGIE,
        "parse-bbox-func-name",
        sub(
            PGIE,
            "parse-bbox-func-name=NvDsInferParseAlprYolo",
            "parse-bbox-func-name=NvDsInferParseAlprYolo ",
        ),
    ),
    C(
        "labels-swapped-against-model",
        "DS323",
        PGIE,
        "labelfile-path",
        write("models/yolo11n.onnx.labels.txt", "plate\nvehicle\n"),
    ),
    C(
        "labels-against-model-sidecar",
        "DS323",
        PGIE,
        "labelfile-path",
        write("models/yolo11n.onnx.json", '{"format": 1, "classes": ["car", "plate"]}'),
    ),
    C(
        "broker-cfg-key-twice",
        "DS116",
        "broker.txt",
        "keep-alive=30",
        append("broker.txt", "keep-alive=30\n"),
    ),
    C(
        "kafka-option-twice",
        "DS411",
        "broker.txt",
        "proto-cfg=",
        sub(APP, "libnvds_mqtt_proto.so", "libnvds_kafka_proto.so"),
        sub(APP, "localhost;1883", "localhost;9092"),
        write(
            "broker.txt",
            '[message-broker]\nproto-cfg="sasl.username=a;message.timeout.ms=5;sasl.username=b"\n'
            "partition-key=sensor.id\n",
        ),
    ),
    C(
        "engine-built-at-start",
        "DS203",
        PGIE,
        "model-engine-file",
        delete("models/yolo11n.onnx_b2_gpu0_fp16.engine"),
    ),
    C(
        "smart-rec-dir-missing",
        "DS204",
        APP,
        "smart-rec-dir-path",
        sub(APP, "latency=200", "latency=200\nsmart-rec-dir-path=recordings"),
    ),
    C("labels-not-utf8", "DS205", "labels.txt", "\udcff", write("labels.txt", "\udcff")),
    C(
        "tracker-lib-elsewhere",
        "DS206",
        APP,
        "ll-lib-file",
        sub(
            APP,
            "ll-lib-file=/opt/nvidia/deepstream/deepstream/lib/libnvds_nvmultiobjecttracker.so",
            "ll-lib-file=/usr/local/lib/libmytracker.so",
        ),
    ),
    C(
        "duplicate-gie-id",
        "DS301",
        APP,
        "gie-unique-id=1",
        sub(APP, "gie-unique-id=2", "gie-unique-id=1"),
        nth=2,
        extra=frozenset({"DS303"}),
    ),
    C(
        "sgie-unreachable",
        "DS302",
        APP,
        "operate-on-gie-id=5",
        sub(APP, "operate-on-gie-id=1", "operate-on-gie-id=5"),
    ),
    C(
        "app-file-disagree",
        "DS303",
        APP,
        "gie-unique-id=1",
        sub(PGIE, "gie-unique-id=1", "gie-unique-id=3"),
    ),
    C("label-count", "DS304", PGIE, "num-detected-classes", append("labels.txt", "bicycle\n")),
    C(
        "class-attrs-out-of-range",
        "DS305",
        PGIE,
        "[class-attrs-2]",
        sub(PGIE, "[class-attrs-1]", "[class-attrs-2]"),
    ),
    C(
        "mux-batch",
        "DS306",
        APP,
        "batch-size=4",
        sub(APP, "batch-size=2\nbatched-push", "batch-size=4\nbatched-push"),
        extra=frozenset({"DS308"}),
    ),
    C("live-source-off", "DS307", APP, "live-source=0", sub(APP, "live-source=1", "live-source=0")),
    C(
        "pgie-batch",
        "DS308",
        APP,
        "batch-size=1",
        sub(
            APP,
            "config-file=pgie_yolo11.txt\nbatch-size=2",
            "config-file=pgie_yolo11.txt\nbatch-size=1",
        ),
        extra=frozenset({"DS303"}),
    ),
    C(
        "engine-name",
        "DS309",
        PGIE,
        "model-engine-file",
        sub(PGIE, "models/yolo11n.onnx_b2_gpu0_fp16.engine", "models/yolo11n_fp16.engine"),
        extra=frozenset({"DS203"}),
    ),
    C(
        "engine-batch-small",
        "DS310",
        PGIE,
        "model-engine-file",
        sub(PGIE, "onnx_b2_gpu0_fp16.engine", "onnx_b1_gpu0_fp16.engine"),
        write("models/yolo11n.onnx_b1_gpu0_fp16.engine", ""),
    ),
    C(
        "engine-precision",
        "DS311",
        PGIE,
        "model-engine-file",
        sub(PGIE, "onnx_b2_gpu0_fp16.engine", "onnx_b2_gpu0_fp32.engine"),
        write("models/yolo11n.onnx_b2_gpu0_fp32.engine", ""),
    ),
    C(
        "int8-no-calib",
        "DS312",
        PGIE,
        "network-mode=1",
        sub(PGIE, "model-engine-file=models/yolo11n.onnx_b2_gpu0_fp16.engine\n", ""),
        sub(PGIE, "network-mode=2", "network-mode=1"),
    ),
    C(
        "async-without-tracker",
        "DS313",
        SGIE,
        "classifier-async-mode=1",
        sub(APP, "[tracker]\nenable=1", "[tracker]\nenable=0"),
        sub(SGIE, "classifier-async-mode=0", "classifier-async-mode=1"),
        extra=frozenset({"DS314"}),
    ),
    C(
        "reinfer-without-tracker",
        "DS314",
        SGIE,
        "secondary-reinfer-interval",
        sub(APP, "[tracker]\nenable=1", "[tracker]\nenable=0"),
    ),
    C("tiles", "DS315", APP, "rows=1", sub(APP, "columns=2", "columns=1")),
    C("rtsp-codec", "DS316", APP, "codec=3", sub(APP, "codec=1", "codec=3")),
    C("rtsp-port-twice", "DS317", APP, "rtsp-port=8554", append(APP, _SINK3), nth=2),
    C("display-sync", "DS318", APP, "sync=1", sub(APP, "type=1\nsync=0", "type=2\nsync=1")),
    C(
        "sgie-class-ids",
        "DS319",
        APP,
        "operate-on-class-ids=1;5",
        sub(APP, "operate-on-class-ids=1", "operate-on-class-ids=1;5"),
    ),
    C(
        "multi-uri",
        "DS320",
        APP,
        "uri=file:///videos/cam.mp4",
        sub(
            APP,
            "type=4\nuri=rtsp://192.0.2.11/stream1",
            "type=3\nuri=file:///videos/cam.mp4\nnum-sources=1",
        ),
        extra=frozenset({"DS207"}),  # /videos/cam.mp4 is not there either
    ),
    C(
        "no-sink",
        "DS321",
        APP,
        None,
        sub(APP, "[sink0]\nenable=1", "[sink0]\nenable=0"),
        sub(APP, "[sink1]\nenable=1", "[sink1]\nenable=0"),
        sub(APP, "[sink2]\nenable=1", "[sink2]\nenable=0"),
    ),
    C(
        "class-attrs-on-classifier",
        "DS322",
        SGIE,
        "[class-attrs-all]",
        append(SGIE, "\n[class-attrs-all]\npre-cluster-threshold=0.4\n"),
    ),
    C(
        "kafka-partition-key",
        "DS410",
        "broker.txt",
        "partition-key",
        sub(APP, "libnvds_mqtt_proto.so", "libnvds_kafka_proto.so"),
        write("broker.txt", "[message-broker]\npartition-key=sensorId\n"),
    ),
    C(
        "no-proto-lib",
        "DS401",
        APP,
        "[sink1]",
        sub(
            APP,
            "msg-broker-proto-lib=/opt/nvidia/deepstream/deepstream/lib/libnvds_mqtt_proto.so\n",
            "",
        ),
    ),
    C("no-conn-str", "DS402", APP, "[sink1]", sub(APP, "msg-broker-conn-str=localhost;1883\n", "")),
    C("no-topic", "DS403", APP, "[sink1]", sub(APP, "topic=alpr/plates\n", "")),
    C(
        "old-api",
        "DS404",
        APP,
        "msg-conv-msg2p-new-api=0",
        sub(APP, "msg-conv-msg2p-new-api=1", "msg-conv-msg2p-new-api=0"),
    ),
    C(
        "custom-payload-no-lib",
        "DS405",
        APP,
        "msg-conv-payload-type=257",
        sub(APP, "msg-conv-payload-type=0", "msg-conv-payload-type=257"),
    ),
    C(
        "broker-no-header",
        "DS406",
        "broker.txt",
        "client-id",
        sub("broker.txt", "[message-broker]\n", ""),
    ),
    C(
        "sensor-index",
        "DS407",
        "msgconv.txt",
        "[sensor2]",
        append("msgconv.txt", "\n[sensor2]\nenable=1\nid=ghost\n"),
    ),
    C(
        "ocr-no-classifier-type",
        "DS408",
        SGIE,
        "[property]",
        sub(SGIE, "classifier-type=licenseplate\n", ""),
    ),
    C(
        "conn-str-format",
        "DS409",
        APP,
        "localhost:1883",
        sub(APP, "localhost;1883", "localhost:1883"),
    ),
    C(
        "analytics-stream",
        "DS501",
        "analytics.txt",
        "[line-crossing-stream-2]",
        sub("analytics.txt", "[line-crossing-stream-1]", "[line-crossing-stream-2]"),
    ),
    C(
        "analytics-point",
        "DS502",
        "analytics.txt",
        "roi-lane",
        sub("analytics.txt", "100;300;1200;300;1200;700", "100;300;1300;300;1200;700"),
    ),
    C(
        "analytics-line-point",
        "DS502",
        "analytics.txt",
        "line-crossing-entry",
        sub("analytics.txt", "200;400;1100;400", "200;400;1100;800"),
    ),
    C(
        "analytics-roi-odd",
        "DS503",
        "analytics.txt",
        "roi-lane",
        sub(
            "analytics.txt",
            "roi-lane=100;300;1200;300;1200;700;100;700",
            "roi-lane=100;300;1200;300;1200",
        ),
    ),
    C(
        "tracker-yaml-syntax",
        "DS601",
        "tracker.yml",
        "probationAge",
        sub("tracker.yml", "  probationAge: 3", "\tprobationAge: 3"),
    ),
    C(
        "tracker-section",
        "DS602",
        "tracker.yml",
        "VisualTraker:",
        sub("tracker.yml", "VisualTracker:", "VisualTraker:"),
    ),
    C("tracker-key", "DS603", "tracker.yml", "useHOG", sub("tracker.yml", "useHog", "useHOG")),
    C(
        "tracker-range",
        "DS604",
        "tracker.yml",
        "featureImgSizeLevel",
        sub("tracker.yml", "featureImgSizeLevel: 2", "featureImgSizeLevel: 9"),
    ),
    C(
        "tracker-type",
        "DS604",
        "tracker.yml",
        "probationAge",
        sub("tracker.yml", "probationAge: 3", "probationAge: three"),
    ),
    C(
        "tracker-width",
        "DS605",
        APP,
        "tracker-width=630",
        sub(APP, "tracker-width=640", "tracker-width=630"),
    ),
    C("ocr-cfg-missing", "DS701", SGIE, "parse-classifier-func-name", delete("ocr_parser.cfg")),
    C(
        "ocr-no-dictionary",
        "DS702",
        "ocr_parser.cfg",
        "[ocr-parser]",
        sub("ocr_parser.cfg", "dictionary=models/ocr_dict.txt\n", ""),
    ),
    C(
        "ocr-bad-formats",
        "DS703",
        "ocr_parser.cfg",
        "formats=",
        append("ocr_parser.cfg", "formats=LLLDDDD;LLX\n"),
    ),
    C(
        "ocr-strict-without-formats",
        "DS703",
        "ocr_parser.cfg",
        "formats-strict=",
        append("ocr_parser.cfg", "formats-strict=1\n"),
    ),
]


def apply(root: Path, edits: tuple[tuple[str, ...], ...]) -> None:
    for edit in edits:
        op, rel = edit[0], root / edit[1]
        if op == "sub":
            text = rel.read_text()
            assert text.count(edit[2]) >= 1, f"{edit[2]!r} not in {edit[1]}"
            rel.write_text(text.replace(edit[2], edit[3], 1))
        elif op == "append":
            rel.write_text(rel.read_text() + edit[2])
        elif op == "delete":
            rel.unlink()
        elif op == "write":
            rel.write_bytes(edit[2].encode("utf-8", "surrogateescape"))


def expected_line(path: Path, marker: str | None, nth: int) -> int:
    if marker is None:
        return 0
    text = path.read_text(errors="surrogateescape")  # a non-UTF-8 file: the bad byte's line
    pos = -1
    for _ in range(nth):
        pos = text.index(marker, pos + 1)
    return text.count("\n", 0, pos) + 1


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_one_defect(case: Case, base_set: Path) -> None:
    apply(base_set, case.edits)
    report = lint_path(base_set, deepstream=case.deepstream, platform=case.platform)
    line = expected_line(base_set / case.file, case.marker, case.nth)
    got = {(f.rule_id, f.file, f.line) for f in report.findings}
    assert (case.rule, case.file, line) in got, report.findings
    others = {f.rule_id for f in report.findings} - {case.rule} - case.extra
    assert not others, report.findings


def test_base_is_clean(base_set: Path) -> None:
    for ds in ("6.3", "7.0", "7.1", "8.0"):
        for platform in ("jetson", "dgpu"):
            report = lint_path(base_set, deepstream=ds, platform=platform)
            assert report.findings == [], (ds, platform, report.findings)


def test_corpus_covers_every_rule() -> None:
    covered = {c.rule for c in CASES}
    missing = set(all_rules()) - covered
    assert not missing, f"rules without a corpus case: {sorted(missing)}"
    assert len(CASES) >= 40


def test_integers_and_booleans_may_end_in_whitespace_decimals_not(base_set: Path) -> None:
    """GLib's integer and boolean parsers accept whitespace after the value, its double parser
    does not (g_key_file_parse_value_as_double: nothing may follow g_ascii_strtod's number;
    tests/nvinfer/test_glib_values.py checks that against libglib). So a clean set stays clean
    with whitespace after every integer and boolean, every padded decimal value (or colour, a
    list of decimals) is a DS105 error on its line, and DS120 names strings alone."""
    from alpr_gen.deepstream.catalogue import T, find_group, find_key
    from alpr_gen.deepstream.keyfile import parse_keyfile

    padded = 0
    decimals: set[tuple[str, int]] = set()
    for name in (APP, PGIE, SGIE, "analytics.txt"):
        path = base_set / name
        kind = {"analytics.txt": "analytics", APP: "app"}.get(name, "nvinfer")
        kf = parse_keyfile(path.read_text(), path)
        lines = path.read_text().split("\n")
        for group in kf.groups.values():
            spec = find_group(kind, group.name, None)
            for entry in group.entries.values():
                key = find_key(spec, entry.key) if spec and spec.keys is not None else None
                if key is not None and key.type not in (T.STR, T.PATH):
                    lines[entry.line - 1] += " \t "
                    padded += 1
                    if key.type in (T.FLOAT, T.FLOAT_LIST, T.COLOR):
                        decimals.add((name, entry.line))
        path.write_text("\n".join(lines))
    assert padded > 30 and len(decimals) > 5
    report = lint_path(base_set)
    assert {(f.file, f.line) for f in report.findings} == decimals, report.findings
    assert all(f.rule_id == "DS105" and "no whitespace after" in f.message for f in report.findings)
