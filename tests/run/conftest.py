"""Fixtures for `alpr-gen run`: a small hand-written bundle, the deepstream-app stand-in, brokers.

The bundle is written here (not rendered) so these tests do not depend on the profile templates;
one test renders a shipped profile for real. Every address is on 127.0.0.1.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from alpr_gen.configset import ConfigSet
from alpr_gen.run.preflight import Check, Environment, PreflightContext
from alpr_gen.run.preflight import run_preflight as preflight
from alpr_gen.run.preflight.model import ParserBuilder
from brokers.servers import (  # noqa: F401 - broker fixtures and helpers, re-exported
    MQTT_PASSWORD,
    MQTT_USER,
    REDIS_PASSWORD,
    Pki,
    RunningBroker,
    closed_port,
    free_port,
    make_test_ca,
    mosquitto,
    mosquitto_auth,
    mosquitto_tls,
    pki,
    rabbitmq,
    rabbitmq_module,
    rabbitmq_server,
    redis,
    redis_auth,
    start_mosquitto,
    start_redis,
    stop_broker,
)

HERE = Path(__file__).parent
FAKE_DS = HERE / "fake_deepstream_app.py"


@dataclass
class BundleSpec:
    sources: list[str]
    broker_port: int | None = None
    proto_lib: str = ""
    engine: bool = True
    onnx: bool = True
    parser: bool = True
    ocr: bool = True
    dictionary: bool = True
    new_mux: bool = False
    target: str = "7.0"
    platform: str = "dgpu"
    perf_interval: int = 5


def write_bundle(root: Path, spec: BundleSpec) -> Path:
    """Write a deepstream-app config set like `alpr-gen render` does; returns its directory."""
    root.mkdir(parents=True, exist_ok=True)
    n = len(spec.sources)
    engine = f"models/yolo11n.onnx_b{n}_gpu0_fp16.engine"
    app = [
        "[application]",
        "enable-perf-measurement=1",
        f"perf-measurement-interval-sec={spec.perf_interval}",
        "",
    ]
    for i, uri in enumerate(spec.sources):
        app += [f"[source{i}]", "enable=1", "type=4", f"uri={uri}", "latency=200", ""]
    app += ["[streammux]", f"batch-size={n}", "live-source=1", "width=1920", "height=1080"]
    if spec.new_mux:
        app += ["config-file=streammux.yml"]
        (root / "streammux.yml").write_text("property:\n  batch-size: 2\n")
    app += ["", "[primary-gie]", "enable=1", "gie-unique-id=1", f"batch-size={n}"]
    app += [f"model-engine-file={engine}", "config-file=pgie_yolo11.txt", ""]
    app += ["[sink0]", "enable=1", "type=1", "sync=0", ""]
    if spec.broker_port is not None:
        app += [
            "[sink1]",
            "enable=1",
            "type=6",
            "msg-conv-config=msgconv.txt",
            "msg-conv-msg2p-new-api=1",
            f"msg-broker-proto-lib={spec.proto_lib}",
            f"msg-broker-conn-str=127.0.0.1;{spec.broker_port}",
            "topic=alpr-events",
            "msg-broker-config=broker.txt",
            "",
        ]
        (root / "msgconv.txt").write_text("[sensor0]\nenable=1\nid=cam0\n")
        (root / "broker.txt").write_text(
            f"[message-broker]\nhostname=127.0.0.1\nport={spec.broker_port}\npassword=hunter2\n"
        )
    (root / "deepstream_app.txt").write_text("\n".join(app) + "\n")
    (root / "pgie_yolo11.txt").write_text(
        "[property]\ngie-unique-id=1\nonnx-file=models/yolo11n.onnx\n"
        f"model-engine-file={engine}\nlabelfile-path=labels.txt\nbatch-size={n}\n"
        "network-mode=2\nnum-detected-classes=2\nparse-bbox-func-name=NvDsInferParseAlprYolo\n"
        "custom-lib-path=lib/libnvdsinfer_alpr.so\n"
    )
    (root / "labels.txt").write_text("vehicle\nplate\n")
    models = root / "models"
    models.mkdir(exist_ok=True)
    if spec.onnx:
        (models / "yolo11n.onnx").write_bytes(b"onnx")
    if spec.engine:
        (root / engine).write_bytes(b"engine")
    if spec.parser:
        (root / "lib").mkdir(exist_ok=True)
        (root / "lib" / "libnvdsinfer_alpr.so").write_bytes(b"\x7fELF")
    if spec.ocr:
        (root / "ocr_parser.cfg").write_text("[ocr-parser]\ndictionary=models/ocr_dict.txt\n")
        if spec.dictionary:
            (models / "ocr_dict.txt").write_text("A\nB\n")
    manifest = {
        "alpr_gen_version": "0.1.0",
        "site": root.name,
        "target": {"platform": spec.platform, "deepstream": spec.target},
        "files": {},
    }
    (root / "manifest.json").write_text(json.dumps(manifest))
    return root


@pytest.fixture
def fake_ds() -> str:
    return str(FAKE_DS)


@pytest.fixture
def record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the stand-in writes what it saw (argv, cwd, env, signals, exit)."""
    path = tmp_path / "fake_ds_record.jsonl"
    monkeypatch.setenv("FAKE_DS_RECORD", str(path))
    return path


def read_record(path: Path) -> list[dict[str, object]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


# Real brokers on random loopback ports: tests/brokers/servers.py (imported above).


def python_exe() -> str:
    return sys.executable


def run_preflight(
    cs: ConfigSet,
    *,
    deepstream_app: str | None,
    env: Environment,
    build_parser: ParserBuilder | None = None,
    docker_image: str | None = None,
) -> tuple[list[Check], str | None]:
    """Every preflight check on a loaded set, validate's findings included (as `run` does)."""
    from alpr_gen.validate import lint

    ctx = PreflightContext(
        cs,
        env,
        deepstream_app=deepstream_app,
        docker_image=docker_image,
        build_parser=build_parser,
        lint=lint,
        platform=cs.platform,
    )
    result = preflight(ctx)
    return result.checks, result.deepstream_app
