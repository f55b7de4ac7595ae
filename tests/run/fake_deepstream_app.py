#!/usr/bin/env python3
"""A small stand-in for deepstream-app, for tests on machines without DeepStream.

It behaves like deepstream-app where `alpr-gen run` can observe it, with the messages copied in
form from DeepStream's sources (deepstream_app_main.c, deepstream_app.c, gstnvinfer.cpp,
nvdsinfer_context_impl.cpp, gstnvmsgbroker.cpp):

- `-c FILE` (also `--cfg-file`), `--version`, `--version-all`; no -c: "Specify config file with
  -c option", exit 255 (deepstream-app returns -1).
- Reads the app config: counts enabled [sourceN] (type 3 counts num-sources), reads
  [application] enable-perf-measurement / perf-measurement-interval-sec, the nvinfer files of
  the enabled GIEs, and the type-6 sinks.
- Engine: model-engine-file present -> "deserialized trt engine"; absent -> nvinfer's rebuild
  warnings; neither engine nor onnx-file present -> "Failed to create NvDsInferContext
  instance", "App run failed", exit 255.
- Broker: a type-6 sink whose conn-str host;port refuses a TCP connect -> "unable to connect to
  broker library", exit 255 (the real adaptors fail in nvds_msgapi_connect the same way).
- Prints `**PERF:` header and sample lines every interval, `%.2f (%.2f)\\t` per stream.
- One SIGINT: "User Interrupted..", leaves the loop within 400 ms, "Quitting", "App run
  successful", exit 0; the handler then restores the default action, so a second SIGINT kills.
  SIGTERM is not handled (as in deepstream-app).
- Prints its lines unbuffered. Real deepstream-app is block-buffered into a pipe, which is why
  `alpr-gen run` starts it under `stdbuf -oL`.

Test controls (environment): FAKE_DS_SCENARIO = ok | unknown-key | dictionary | crash |
hang-on-quit; FAKE_DS_FAIL_TIMES=N with FAKE_DS_STATE=file (fail the first N starts);
FAKE_DS_DURATION (seconds, then EOS); FAKE_DS_PERF_INTERVAL (seconds, overrides the config);
FAKE_DS_FPS; FAKE_DS_VERSION; FAKE_DS_RECORD=file (JSON lines: what it saw and did).
"""

from __future__ import annotations

import configparser
import json
import os
import signal
import socket
import sys
import time
from pathlib import Path

VERSION = os.environ.get("FAKE_DS_VERSION", "7.0.0")
_interrupted = False


def out(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def err(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def record(event: str, **data: object) -> None:
    path = os.environ.get("FAKE_DS_RECORD")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps({"event": event, "pid": os.getpid(), "t": time.time(), **data}))
            f.write("\n")


def finish(code: int) -> None:
    out("Quitting")
    out("App run successful" if code == 0 else "App run failed")
    record("exit", code=code)
    sys.exit(255 if code else 0)


def read_ini(path: Path) -> configparser.ConfigParser:
    cp = configparser.ConfigParser(interpolation=None, strict=False, comment_prefixes=("#",))
    cp.optionxform = str  # type: ignore[assignment,method-assign]
    cp.read(path, encoding="utf-8")
    return cp


def on_sigint(_signum: int, _frame: object) -> None:
    global _interrupted
    out("** ERROR: <_intr_handler:140>: User Interrupted.. \n")
    record("sigint")
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    _interrupted = True


def count_streams(cp: configparser.ConfigParser) -> int:
    n = 0
    for name in cp.sections():
        if (
            name.startswith("source")
            and name[6:].isdigit()
            and cp.getint(name, "enable", fallback=0)
        ):
            n += (
                cp.getint(name, "num-sources", fallback=1)
                if cp.get(name, "type", fallback="") == "3"
                else 1
            )
    return n


def resolve(base: Path, value: str) -> Path:
    p = Path(value.strip())
    return p if p.is_absolute() else base / p


def check_gie(app_dir: Path, group: str, cp: configparser.ConfigParser) -> bool:
    """nvinfer start-up: load the engine, or say it rebuilds, or fail. False = failed."""
    cfg = resolve(app_dir, cp.get(group, "config-file"))
    infer = read_ini(cfg)
    prop = infer["property"] if infer.has_section("property") else {}
    uid = prop.get("gie-unique-id", "1")
    # The app's GIE group overrides the nvinfer file's model-engine-file.
    app_engine = cp.get(group, "model-engine-file", fallback=None)
    engine_file = prop.get("model-engine-file")
    engine = (
        resolve(app_dir, app_engine)
        if app_engine
        else resolve(cfg.parent, engine_file)
        if engine_file
        else None
    )
    onnx = prop.get("onnx-file")
    elem = "primary_gie" if group == "primary-gie" else "secondary_gie_0"
    ts = "0:00:01.234567890  4242 0x55d5c0a0d0c0"
    if engine and engine.is_file():
        out(
            f"{ts} INFO                 nvinfer gstnvinfer.cpp:682:gst_nvinfer_logger:<{elem}> "
            f"NvDsInferContext[UID {uid}]: Info from NvDsInferContextImpl::"
            f"deserializeEngineAndBackend() <nvdsinfer_context_impl.cpp:2092> [UID = {uid}]: "
            f"deserialized trt engine from :{engine}"
        )
        return True
    if engine:
        path = engine
        out(f"WARNING: Deserialize engine failed because file path: {path} open error")
        out(
            f"{ts} WARN                 nvinfer gstnvinfer.cpp:679:gst_nvinfer_logger:<{elem}> "
            f"NvDsInferContext[UID {uid}]: Warning from NvDsInferContextImpl::"
            f"generateBackendContext() <nvdsinfer_context_impl.cpp:2083> [UID = {uid}]: "
            f"deserialize backend context from engine from file :{path} failed, try rebuild"
        )
    out(
        f"{ts} INFO                 nvinfer gstnvinfer.cpp:682:gst_nvinfer_logger:<{elem}> "
        f"NvDsInferContext[UID {uid}]: Info from NvDsInferContextImpl::buildModel() "
        f"<nvdsinfer_context_impl.cpp:2008> [UID = {uid}]: Trying to create engine from model files"
    )
    if onnx and resolve(cfg.parent, onnx).is_file():
        return True  # the real one now builds for minutes; the stand-in builds nothing
    out(f"ERROR: Cannot access ONNX file '{resolve(cfg.parent, onnx or '')}'")
    out("ERROR: failed to build network since parsing model errors.")
    msg = f"Config file path: {cfg}, NvDsInfer Error: NVDSINFER_CONFIG_FAILED"
    out(
        f"{ts} WARN                 nvinfer gstnvinfer.cpp:912:gst_nvinfer_start:<{elem}> error: "
        "Failed to create NvDsInferContext instance"
    )
    out(
        f"{ts} WARN                 nvinfer gstnvinfer.cpp:912:gst_nvinfer_start:<{elem}> "
        f"error: {msg}"
    )
    out("** ERROR: <main:716>: Failed to set pipeline to PAUSED")
    err(f"ERROR from {elem}: Failed to create NvDsInferContext instance")
    err(
        f"Debug info: gstnvinfer.cpp(912): gst_nvinfer_start (): /GstPipeline:pipeline/"
        f"GstBin:{elem}_bin/GstNvInfer:{elem}:\n{msg}"
    )
    return False


def check_brokers(cp: configparser.ConfigParser) -> bool:
    for name in cp.sections():
        if not name.startswith("sink") or cp.getint(name, "enable", fallback=0) == 0:
            continue
        if cp.get(name, "type", fallback="") != "6":
            continue
        parts = [p for p in cp.get(name, "msg-broker-conn-str", fallback="").split(";") if p]
        ok = False
        if len(parts) >= 2 and parts[1].isdigit():
            try:
                socket.create_connection((parts[0], int(parts[1])), timeout=1).close()
                ok = True
            except OSError:
                ok = False
        if not ok:
            elem = f"sink_sub_bin_sink{name[4:] or '0'}"
            err(f"ERROR from {elem}: Could not configure supporting library.")
            err(
                f"Debug info: gstnvmsgbroker.cpp(402): legacy_gst_nvmsgbroker_start (): "
                f"/GstPipeline:pipeline/GstBin:sink_sub_bin{name[4:]}/GstNvMsgBroker:{elem}:\n"
                "unable to connect to broker library"
            )
            return False
    return True


def fail_this_start() -> bool:
    times = int(os.environ.get("FAKE_DS_FAIL_TIMES", "0") or 0)
    state = os.environ.get("FAKE_DS_STATE")
    if not times or not state:
        return False
    path = Path(state)
    n = int(path.read_text() or 0) if path.exists() else 0
    path.write_text(str(n + 1))
    return n < times


def main(argv: list[str]) -> None:
    cfg_file = None
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("-v", "--version", "--version-all"):
            out(f"deepstream-app version {VERSION}")
            out(f"DeepStreamSDK {VERSION}")
            if a == "--version-all":
                out("CUDA Driver Version: 12.2\nCUDA Runtime Version: 12.2\nTensorRT Version: 8.6")
                out("cuDNN Version: 8.9\nlibNVWarp360 Version: 2.0.1d3")
            sys.exit(0)
        if a in ("-c", "--cfg-file") and i + 1 < len(argv):
            cfg_file = argv[i + 1]
            i += 1
        elif a.startswith("--cfg-file="):
            cfg_file = a.split("=", 1)[1]
        i += 1
    watched = ("USE_NEW_NVSTREAMMUX", "GST_DEBUG", "ALPR_OCR_CONFIG", "DISPLAY")
    record("start", argv=argv, cwd=os.getcwd(), env={k: os.environ.get(k) for k in watched})
    if not cfg_file:
        out("** ERROR: <main:658>: Specify config file with -c option")
        finish(1)
    path = Path(cfg_file)
    try:
        cp = read_ini(path) if path.is_file() else None
    except configparser.Error:
        cp = None
    if cp is None or not cp.sections():
        out(f"** ERROR: <main:687>: Failed to parse config file '{cfg_file}'")
        finish(1)
    assert cp is not None
    scenario = os.environ.get("FAKE_DS_SCENARIO", "ok")
    if scenario == "unknown-key":
        out(
            "** WARN: <parse_source:1148>: Unknown key "
            f"'{os.environ.get('FAKE_DS_KEY', 'bogus-key')}' for group [source0]"
        )
    if fail_this_start():
        out("** ERROR: <main:716>: Failed to set pipeline to PAUSED")
        err("ERROR from primary_gie: Failed to create NvDsInferContext instance")
        finish(1)
    for group in ("primary-gie", *[s for s in cp.sections() if s.startswith("secondary-gie")]):
        if (
            cp.has_section(group)
            and cp.getint(group, "enable", fallback=0)
            and cp.has_option(group, "config-file")
        ) and not check_gie(path.parent, group, cp):
            finish(1)
    if not check_brokers(cp):
        finish(1)
    if scenario == "dictionary":
        out("open dictionary file failed.")
    signal.signal(signal.SIGINT, on_sigint)
    n = max(count_streams(cp), 1)
    perf_on = (
        cp.getint("application", "enable-perf-measurement", fallback=0)
        if cp.has_section("application")
        else 0
    )
    interval = float(
        os.environ.get("FAKE_DS_PERF_INTERVAL")
        or (cp.getint("application", "perf-measurement-interval-sec", fallback=5) if perf_on else 0)
    )
    fps = float(os.environ.get("FAKE_DS_FPS", "30"))
    duration = float(os.environ.get("FAKE_DS_DURATION", "0") or 0)
    out("\nRuntime commands:\n\th: Print this help\n\tq: Quit\n\n\tp: Pause\n\tr: Resume\n")
    out("** INFO: <bus_callback:239>: Pipeline ready\n")
    out("** INFO: <bus_callback:225>: Pipeline running\n")
    if scenario == "crash":
        os.kill(os.getpid(), signal.SIGSEGV)
    start = last = time.monotonic()
    samples = 0
    frames = 0.0
    while not _interrupted:
        time.sleep(min(0.05, interval or 0.05))
        now = time.monotonic()
        if interval and now - last >= interval:
            if samples % 20 == 0:
                out("\n**PERF:  " + "".join(f"FPS {k} (Avg)\t" for k in range(n)))
            samples += 1
            frames += fps * (now - last)
            avg = frames / (now - start)
            out("**PERF:  " + "".join(f"{fps:.2f} ({avg:.2f})\t" for _ in range(n)))
            last = now
        if duration and now - start >= duration:
            out("** INFO: <bus_callback:262>: Received EOS. Exiting ...\n")
            finish(0)
    if scenario == "hang-on-quit":
        record("hanging")
        while True:  # a teardown that never ends; only SIGKILL (or a second SIGINT) stops it
            time.sleep(0.1)
    finish(0)


if __name__ == "__main__":
    main(sys.argv[1:])
