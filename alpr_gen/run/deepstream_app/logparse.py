"""Recognise deepstream-app's output: `**PERF:` lines and its well-known failure messages.

The formats come from DeepStream's own sources (deepstream_app_main.c `perf_cb`, `_intr_handler`,
`main`; deepstream_app.c `bus_callback`; gstnvinfer.cpp; nvdsinfer_context_impl.cpp;
gstnvmsgbroker.cpp; deepstream_config_file_parser.c), see docs/run.md:

    **PERF:  FPS 0 (Avg)	FPS 1 (Avg)	        header, every 20th sample
    **PERF:  30.02 (29.87)	29.98 (29.91)	    one sample, `%.2f (%.2f)\\t` per stream
    PERF(1): 30.02 (29.87)	                    the same when several -c files run at once

DeepStream 6.2+ also prints `Active sources : N` and an asctime() line before each sample; both
are ignored here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from alpr_gen.run.events import Failure, LogEvent, PerfSample, StateChange

_PERF_HEADER = re.compile(r"^\s*\*\*PERF:\s+((?:FPS \d+ \(Avg\)\s*)+)$")
_PERF_SAMPLE = re.compile(r"^\s*(?:\*\*PERF:|PERF\((?P<inst>\d+)\):)\s+(?P<vals>.*)$")
_PERF_PAIR = re.compile(r"(-?\d+(?:\.\d+)?)\s*\((-?\d+(?:\.\d+)?)\)")
_HEADER_ID = re.compile(r"FPS (\d+) \(Avg\)")


@dataclass(frozen=True)
class _Rule:
    id: str
    severity: str
    pattern: re.Pattern[str]
    hint: str  # may use {named groups}


# Order matters only for lines that match several rules (first wins).
RULES: tuple[_Rule, ...] = (
    _Rule(
        "unknown-key",
        "warning",
        re.compile(
            r"Unknown (?:or legacy )?key (?:specified )?'(?P<key>[^']+)' for group "
            r"\[?(?P<group>[^\]\s]+)\]?"
        ),
        "'{key}' in [{group}] is not a key this DeepStream knows: it is ignored, so whatever it "
        "was meant to set keeps its default. Fix the spelling or drop it; "
        "`alpr-gen validate {bundle}` lists every such key before launch.",
    ),
    _Rule(
        "nvinfer-context",
        "error",
        re.compile(r"Failed to create NvDsInferContext instance"),
        "nvinfer could not load or build its model. Check that onnx-file / model-engine-file "
        "and custom-lib-path exist (paths are relative to the nvinfer config file), that the "
        "engine was built by this TensorRT on this GPU, and that parse-bbox-func-name exists in "
        "the parser library; rerun with -vv for nvinfer's own messages.",
    ),
    _Rule(
        "nvinfer-context",
        "error",
        re.compile(r"Config file path: (?P<config>\S+), NvDsInfer Error: (?P<status>\w+)"),
        "nvinfer failed with {status} for {config}. NVDSINFER_CONFIG_FAILED usually means a "
        "missing/unbuildable model or a bad key value; NVDSINFER_CUSTOM_LIB_FAILED a parser "
        "library that does not load (run `alpr-gen build-parser --config {bundle}`).",
    ),
    _Rule(
        "engine-rebuild",
        "warning",
        re.compile(
            r"deserialize backend context from engine from file :?(?P<engine>\S+) failed, "
            r"try rebuild"
        ),
        "The engine {engine} could not be loaded, so nvinfer is building one from the ONNX "
        "(minutes; longer on Jetson). If this happens at every start, model-engine-file does "
        "not name the file nvinfer writes (<onnx-file>_b<batch>_gpu<id>_<fp32|fp16|int8>.engine) "
        "or the engine's batch is smaller than batch-size: render the bundle again, {render}.",
    ),
    _Rule(
        "engine-rebuild",
        "warning",
        re.compile(r"Trying to create engine from model files"),
        "nvinfer is building a TensorRT engine from the model files (minutes; longer on "
        "Jetson). The pipeline starts when it is done; the next start reuses the engine if "
        "model-engine-file names the file it writes.",
    ),
    _Rule(
        "dictionary",
        "error",
        re.compile(
            # alpr-gen's OCR parser, NVIDIA's LPR parser, and other wordings of the same thing.
            r"cannot read the OCR dictionary (?P<dictionary>[^\s:]+)|open dictionary file failed|"
            r"(?i:dict(?:ionary)?\b[^\n]*?(?:not found|cannot open|can't open|could not open|"
            r"failed to open))"
        ),
        "The OCR parser cannot read its character dictionary, so no plate text is produced. "
        "Check that the file named by dictionary= in ocr_parser.cfg exists (relative to that "
        "file); `alpr-gen export-ocr --config {bundle}` deploys it.",
    ),
    _Rule(
        "ocr-settings",
        "error",
        re.compile(r"cannot read OCR settings"),
        "The OCR parser cannot find ocr_parser.cfg. alpr-gen run sets ALPR_OCR_CONFIG to "
        "<bundle>/ocr_parser.cfg when that file exists: re-render the bundle with OCR enabled, "
        "or set ALPR_OCR_CONFIG yourself when running deepstream-app by hand.",
    ),
    _Rule(
        "broker",
        "error",
        re.compile(
            r"unable to connect to broker library|Could not configure supporting library|"
            r"(?i:connection to broker failed|failed to connect to broker)"
        ),
        "The message broker adaptor could not connect. Check msg-broker-conn-str (host;port "
        "with semicolons, not host:port), that the broker is running and reachable from this "
        "machine, the credentials in the broker config file, and that msg-broker-proto-lib "
        "exists (the Kafka adaptor also needs librdkafka).",
    ),
    _Rule(
        "config-parse",
        "error",
        re.compile(r"Failed to parse config file '?(?P<config>[^']+)'?"),
        "deepstream-app rejected {config}: the lines above it name the group and key; "
        "`alpr-gen validate {bundle}` lists them with what to do.",
    ),
    _Rule(
        "x-display",
        "error",
        re.compile(r"Could not open X Display"),
        "A display sink (type=2) needs an X display: set DISPLAY, or use a fakesink (type=1) or "
        "an RTSP/file sink on a headless machine.",
    ),
)

_STATES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("ready", re.compile(r"\*\* INFO: <bus_callback:\d+>: Pipeline ready")),
    ("running", re.compile(r"\*\* INFO: <bus_callback:\d+>: Pipeline running")),
    ("eos", re.compile(r"\*\* INFO: <bus_callback:\d+>: Received EOS")),
    ("interrupted", re.compile(r"User Interrupted\.\.")),
    ("quitting", re.compile(r"^Quitting$")),
    ("success", re.compile(r"^App run successful$")),
    ("failed", re.compile(r"^App run failed$")),
)


# Every rule and state above needs one of these (lowercase) substrings. Checking them first
# keeps the parser cheap on the thousands of GST_DEBUG lines a second that -vvv produces.
_KEYWORDS = (
    "perf", "unknown", "nvdsinfer", "try rebuild", "create engine", "dict", "ocr settings",
    "broker", "supporting library", "parse config", "x display", "bus_callback", "interrupted",
    "quitting", "app run",
)  # fmt: skip


def parse_perf_header(line: str) -> tuple[int, ...] | None:
    """`**PERF:  FPS 0 (Avg)\\tFPS 1 (Avg)\\t` -> (0, 1); None for any other line."""
    m = _PERF_HEADER.match(line.rstrip())
    if not m:
        return None
    return tuple(int(i) for i in _HEADER_ID.findall(m.group(1)))


def parse_perf_line(line: str, stream_ids: tuple[int, ...] = ()) -> PerfSample | None:
    """`**PERF:  30.02 (29.87)\\t...` -> PerfSample; None for headers and other lines."""
    m = _PERF_SAMPLE.match(line.rstrip())
    if not m or parse_perf_header(line) is not None:
        return None
    vals = m.group("vals").strip()
    pairs = _PERF_PAIR.findall(vals)
    # The whole rest of the line must be pairs, or it is some other message mentioning PERF.
    if not pairs or _PERF_PAIR.sub("", vals).strip():
        return None
    fps = tuple(float(f) for f, _ in pairs)
    avg = tuple(float(a) for _, a in pairs)
    return PerfSample(fps, avg, int(m.group("inst") or 0), stream_ids)


# What hints name when the parser does not know the set (tests, a log read on its own).
_NO_CONTEXT = {"bundle": "BUNDLE_DIR", "render": "from its profile"}


def match_failures(line: str, context: Mapping[str, str] | None = None) -> list[Failure]:
    """Every known failure message in `line` (usually none or one). `context` fills the set's
    own values into hints: `bundle` (its directory as typed) and `render` (how to render it)."""
    values = {**_NO_CONTEXT, **(context or {})}
    found: list[Failure] = []
    seen: set[str] = set()
    for rule in RULES:
        m = rule.pattern.search(line)
        if not m or rule.id in seen:
            continue
        seen.add(rule.id)
        groups = {k: v for k, v in m.groupdict().items() if v is not None}
        hint = rule.hint.format(**{**values, **groups})
        found.append(Failure(rule.id, rule.severity, line, hint, groups))
    return found


class LogParser:
    """Stateful line reader: remembers the last perf header to label streams."""

    def __init__(self, hint_context: Mapping[str, str] | None = None) -> None:
        self.stream_ids: tuple[int, ...] = ()
        self.hint_context = dict(hint_context or {})

    def feed(self, line: str) -> list[LogEvent]:
        line = line.rstrip("\r\n")
        low = line.lower()
        if not any(k in low for k in _KEYWORDS):
            return []
        header = parse_perf_header(line)
        if header is not None:
            self.stream_ids = header
            return []
        sample = parse_perf_line(line, self.stream_ids)
        if sample is not None:
            return [sample]
        events: list[LogEvent] = []
        for state, pattern in _STATES:
            if pattern.search(line):
                events.append(StateChange(state, line))
                break
        events.extend(match_failures(line, self.hint_context))
        return events
