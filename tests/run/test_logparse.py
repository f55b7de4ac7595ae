"""deepstream-app's output -> perf samples, states and hinted failures.

Perf lines are built here with deepstream-app's own printf formats (perf_cb in
deepstream_app_main.c: "\\n**PERF:  " + "FPS %d (Avg)\\t" per stream, then "**PERF:  " +
"%.2f (%.2f)\\t" per stream). Failure lines are copied from public deepstream-app logs (the
DeepStream-Yolo and NVIDIA forum threads cited in docs/run.md) or from the printf formats in
DeepStream's sources.
"""

from __future__ import annotations

import pytest

from alpr_gen.run.deepstream_app.logparse import (
    RULES,
    Failure,
    LogParser,
    PerfSample,
    StateChange,
    match_failures,
    parse_perf_header,
    parse_perf_line,
)


def perf_header(n: int) -> str:
    return "**PERF:  " + "".join("FPS %d (Avg)\t" % i for i in range(n))  # noqa: UP031


def perf_sample(pairs: list[tuple[float, float]], instance: int | None = None) -> str:
    head = "**PERF:  " if instance is None else "PERF(%d): " % instance  # noqa: UP031
    return head + "".join("%.2f (%.2f)\t" % p for p in pairs)  # noqa: UP031


def test_header_and_sample_in_deepstream_format() -> None:
    parser = LogParser()
    assert parser.feed("") == []
    assert parser.feed(perf_header(3)) == []
    pairs = [(30.02, 29.87), (0.0, 12.5), (29.98, 29.91)]
    (sample,) = parser.feed(perf_sample(pairs))
    assert isinstance(sample, PerfSample)
    assert sample.streams() == [(i, f, a) for i, (f, a) in enumerate(pairs)]
    assert parse_perf_header(perf_header(2)) == (0, 1)


def test_several_instances_and_stream_ids_from_header() -> None:
    sample = parse_perf_line(perf_sample([(1.0, 2.0)], instance=1))
    assert sample is not None and sample.instance == 1 and sample.fps == (1.0,)
    # nvmultiurisrcbin prints only the active source ids in the header.
    parser = LogParser()
    parser.feed("**PERF:  FPS 2 (Avg)\tFPS 5 (Avg)\t")
    (s,) = parser.feed(perf_sample([(10.0, 9.0), (20.0, 19.0)]))
    assert isinstance(s, PerfSample)
    assert [sid for sid, _, _ in s.streams()] == [2, 5]


@pytest.mark.parametrize(
    "line",
    [
        "Active sources : 2",
        "Tue Nov 24 01:03:00 2026",
        "**PERF:  FPS 0 (Avg)\t",  # a header is not a sample
        "**PERF: something else entirely",
        "Runtime commands:",
    ],
)
def test_other_lines_are_not_samples(line: str) -> None:
    assert parse_perf_line(line) is None


LOG_LINES = {
    "unknown-key": [
        "** WARN: <parse_source:1148>: Unknown key 'latencyy' for group [source0]",
        "Unknown or legacy key specified 'is-classifier' for group [property]",
    ],
    "nvinfer-context": [
        "ERROR from primary_gie: Failed to create NvDsInferContext instance",
        "0:00:03.1 WARN nvinfer gstnvinfer.cpp:898:gst_nvinfer_start:<primary_gie> error: "
        "Config file path: /cfg/pgie_yolo11.txt, NvDsInfer Error: NVDSINFER_CONFIG_FAILED",
    ],
    "engine-rebuild": [
        "0:00:03.208012177 44335 0xaaab006e8730 WARN                 nvinfer "
        "gstnvinfer.cpp:643:gst_nvinfer_logger:<primary_gie> NvDsInferContext[UID 1]: Warning "
        "from NvDsInferContextImpl::generateBackendContext() <nvdsinfer_context_impl.cpp:2002> "
        "[UID = 1]: deserialize backend context from engine from file "
        ":/home/u/DeepStream-Yolo/model_b1_gpu0_fp32.engine failed, try rebuild",
        "0:00:03.208114678 44335 0xaaab006e8730 INFO                 nvinfer "
        "gstnvinfer.cpp:646:gst_nvinfer_logger:<primary_gie> NvDsInferContext[UID 1]: Info from "
        "NvDsInferContextImpl::buildModel() <nvdsinfer_context_impl.cpp:1923> [UID = 1]: "
        "Trying to create engine from model files",
    ],
    "dictionary": [
        "NvDsInferParseAlprOcr: cannot read the OCR dictionary /b/models/ocr_dict.txt: No such "
        "file or directory (named by /b/ocr_parser.cfg)",
        "open dictionary file failed.",
    ],
    "ocr-settings": [
        "NvDsInferParseAlprOcr: cannot read OCR settings ocr_parser.cfg: No such file or "
        "directory (set ALPR_OCR_CONFIG or run deepstream-app from the bundle directory)",
    ],
    "broker": [
        "ERROR from sink_sub_bin_sink1: Could not configure supporting library.",
        "unable to connect to broker library",
    ],
    "config-parse": ["** ERROR: <main:687>: Failed to parse config file 'deepstream_app.txt'"],
    "x-display": ["** ERROR: <main:797>: Could not open X Display"],
}


@pytest.mark.parametrize(
    ("rule_id", "line"), [(rid, line) for rid, lines in LOG_LINES.items() for line in lines]
)
def test_each_known_failure_gets_its_hint(rule_id: str, line: str) -> None:
    found = match_failures(line)
    assert [f.id for f in found] == [rule_id]
    assert found[0].hint and "{" not in found[0].hint  # every placeholder filled


@pytest.mark.parametrize("line", [line for lines in LOG_LINES.values() for line in lines])
def test_the_stateful_parser_sees_every_known_failure(line: str) -> None:
    # LogParser skips lines without a keyword (speed): none of the known failures may be lost.
    assert [e for e in LogParser().feed(line) if isinstance(e, Failure)] == match_failures(line)


def test_every_rule_has_a_sample_line() -> None:
    assert {r.id for r in RULES} == set(LOG_LINES)


def test_hints_name_what_the_line_named() -> None:
    (f,) = match_failures(LOG_LINES["unknown-key"][0])
    assert f.detail == {"key": "latencyy", "group": "source0"}
    assert "'latencyy' in [source0]" in f.hint
    (f,) = match_failures(LOG_LINES["engine-rebuild"][0])
    assert "/home/u/DeepStream-Yolo/model_b1_gpu0_fp32.engine" in f.hint
    (f,) = match_failures(LOG_LINES["nvinfer-context"][1])
    assert "NVDSINFER_CONFIG_FAILED" in f.hint and "/cfg/pgie_yolo11.txt" in f.hint


def test_ordinary_lines_match_nothing() -> None:
    for line in [
        "** INFO: <bus_callback:225>: Pipeline running",
        "deserialized trt engine from :/b/models/yolo11n.onnx_b2_gpu0_fp16.engine",
        "Dictionary loaded: 36 entries",
        perf_sample([(30.0, 30.0)]),
    ]:
        assert match_failures(line) == []


def test_life_cycle_states() -> None:
    parser = LogParser()
    lines = {
        "** INFO: <bus_callback:239>: Pipeline ready": "ready",
        "** INFO: <bus_callback:225>: Pipeline running": "running",
        "** ERROR: <_intr_handler:140>: User Interrupted.. ": "interrupted",
        "** INFO: <bus_callback:262>: Received EOS. Exiting ...": "eos",
        "Quitting": "quitting",
        "App run successful": "success",
        "App run failed": "failed",
    }
    for line, state in lines.items():
        events = parser.feed(line)
        assert isinstance(events[0], StateChange) and events[0].state == state
    assert all(not isinstance(e, Failure) for e in parser.feed("App run successful"))
