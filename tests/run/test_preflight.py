"""Preflight checks against temporary installs, real sockets and real brokers (127.0.0.1 only)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

from alpr_gen.commands.output import preflight_table
from alpr_gen.configset import load as load_bundle
from alpr_gen.next_steps import bundle_arg
from alpr_gen.run.preflight import FAIL, OK, SKIP, WARN, Check, Environment
from alpr_gen.run.preflight.system import gpu_check as check_gpu
from alpr_gen.run.preflight.system import installed_version

from .conftest import (
    BundleSpec,
    RunningBroker,
    closed_port,
    run_preflight,
    stop_broker,
    write_bundle,
)


def no_which(_name: str) -> str | None:
    return None


def env_for(tmp_path: Path, *, version: str | None = "7.0", gpu: bool = True) -> Environment:
    """A DeepStream install (version file, adaptor libs) and /dev under tmp_path."""
    root = tmp_path / "opt" / "deepstream-7.x"
    (root / "lib").mkdir(parents=True, exist_ok=True)
    for lib in ("libnvds_redis_proto.so", "libnvds_mqtt_proto.so", "libnvds_amqp_proto.so"):
        (root / "lib" / lib).write_bytes(b"\x7fELF")
    if version:
        (root / "version").write_text(f"Version: {version}\nGCID: 1\nEABI:\nDATE: today\n")
    dev = tmp_path / "dev"
    dev.mkdir(exist_ok=True)
    if gpu:
        (dev / "nvidia0").touch()
    return Environment(deepstream_root=root, dev=dev, which=no_which, connect_timeout=0.5)


def finding_rows(checks: list[Check], text: str) -> list[Check]:
    """The rows that show validate's findings (`config DSxxx`) whose detail mentions `text`."""
    return [c for c in checks if c.name.startswith("config DS") and text in c.detail]


def by_name(checks: list[Check]) -> dict[str, Check]:
    return {c.name: c for c in checks}


@pytest.fixture
def rtsp_server() -> Iterator[int]:
    """A loopback server answering one RTSP OPTIONS per connection."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    stop = threading.Event()

    def serve() -> None:
        srv.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(2)
                try:
                    if conn.recv(1024).startswith(b"OPTIONS "):
                        conn.sendall(b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nPublic: DESCRIBE\r\n\r\n")
                except OSError:
                    pass

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    yield int(srv.getsockname()[1])
    stop.set()
    t.join(2)
    srv.close()


def test_all_green(tmp_path: Path, fake_ds: str, rtsp_server: int) -> None:
    env = env_for(tmp_path)
    cams = [f"rtsp://user:pw@127.0.0.1:{rtsp_server}/a"]
    b = load_bundle(write_bundle(tmp_path / "b", BundleSpec(cams)))
    checks, found = run_preflight(b, deepstream_app=fake_ds, env=env)
    assert found == str(Path(fake_ds).resolve())
    assert [c.status for c in checks] == [OK] * len(checks), checks
    names = [c.name for c in checks]
    # Model, engine and OCR dictionary are validate's findings now: none, so one "config set" row.
    assert names == [
        "deepstream-app", "DeepStream version", "GPU", "parser library", "config set",
        "camera [source0]",
    ]  # fmt: skip
    cam = by_name(checks)["camera [source0]"]
    assert "RTSP/1.0 200 OK" in cam.detail and "pw" not in cam.detail


def test_missing_things_fail_with_hints(tmp_path: Path) -> None:
    env = env_for(tmp_path, version="6.3", gpu=False)
    spec = BundleSpec([f"rtsp://127.0.0.1:{closed_port()}/a"], engine=False, onnx=False,
                      parser=False, dictionary=False)  # fmt: skip
    b = load_bundle(write_bundle(tmp_path / "b", spec))
    checks, found = run_preflight(b, deepstream_app=str(tmp_path / "nope"), env=env)
    c = by_name(checks)
    assert found is None
    assert c["deepstream-app"].status == FAIL
    assert "nvcr.io/nvidia/deepstream:7.0-triton-multiarch" in c["deepstream-app"].hint
    assert c["DeepStream version"].status == FAIL
    assert c["DeepStream version"].detail == "6.3 installed, bundle targets 7.0"
    assert c["parser library"].status == FAIL
    assert c["parser library"].hint == f"alpr-gen build-parser --config {bundle_arg(b)}"
    model = finding_rows(checks, "onnx-file=")
    assert model and all(r.status == FAIL and "alpr-gen export" in r.hint for r in model)
    (dictionary,) = finding_rows(checks, "dictionary=")
    assert dictionary.status == FAIL and "export-ocr" in dictionary.hint
    assert c["GPU"].status == FAIL
    assert c["camera [source0]"].status == WARN  # cameras may come up later: not fatal


def test_engine_missing_but_onnx_present_warns_about_the_build(tmp_path: Path) -> None:
    b = load_bundle(write_bundle(tmp_path / "b", BundleSpec(["file:///v.mp4"], engine=False)))
    checks = run_preflight(b, deepstream_app=None, env=env_for(tmp_path))[0]
    rows = [c for c in checks if c.name == "config DS203"]  # engine built at first start
    assert rows and all(c.status == WARN for c in rows)
    assert all("yolo11n.onnx_b1_gpu0_fp16.engine" in c.detail and "minutes" in c.detail
               for c in rows)  # fmt: skip


def test_parser_is_built_when_missing(tmp_path: Path) -> None:
    b = load_bundle(write_bundle(tmp_path / "b", BundleSpec(["file:///v.mp4"], parser=False)))
    built: list[Path] = []

    def builder(lib: Path) -> str | None:
        built.append(lib)
        lib.parent.mkdir(parents=True, exist_ok=True)
        lib.write_bytes(b"\x7fELF")
        return None

    checks, _ = run_preflight(b, deepstream_app=None, env=env_for(tmp_path), build_parser=builder)
    assert built == [b.app_config.parent.resolve() / "lib" / "libnvdsinfer_alpr.so"]
    assert by_name(checks)["parser library"] == Check(
        "parser library", OK, f"{built[0]} (built now)"
    )

    (tmp_path / "b" / "lib" / "libnvdsinfer_alpr.so").unlink()
    checks, _ = run_preflight(
        b, deepstream_app=None, env=env_for(tmp_path), build_parser=lambda _l: "make not found"
    )
    c = by_name(checks)["parser library"]
    assert c.status == FAIL and "make not found" in c.detail


def test_version_sources(tmp_path: Path, fake_ds: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # 1) the version file
    env = env_for(tmp_path / "a", version="7.1")
    assert installed_version(env, None) == ("7.1", str(env.deepstream_root / "version"))
    # 2) the versioned directory the `deepstream` symlink points at
    real = tmp_path / "opt" / "deepstream-6.3"
    real.mkdir(parents=True)
    link = tmp_path / "opt" / "deepstream"
    link.symlink_to(real)
    env = Environment(deepstream_root=link, which=no_which)
    assert installed_version(env, None)[0] == "6.3"
    # 3) `deepstream-app --version-all` (the stand-in prints deepstream-app's two lines)
    monkeypatch.setenv("FAKE_DS_VERSION", "8.0.0")
    env = Environment(deepstream_root=tmp_path / "none", which=no_which)
    version, where = installed_version(env, fake_ds)
    assert (version, where) == ("8.0", f"{fake_ds} --version-all")


def test_gpu_check_variants(tmp_path: Path) -> None:
    dev = tmp_path / "dev"
    dev.mkdir()
    env = Environment(dev=dev, which=no_which)
    assert check_gpu(env, "dgpu").status == FAIL
    (dev / "nvhost-ctrl-gpu").touch()
    assert check_gpu(env, "jetson") == Check("GPU", OK, "Jetson (nvhost-ctrl-gpu)")
    smi = tmp_path / "nvidia-smi"
    smi.write_text("#!/bin/sh\necho 'GPU 0: NVIDIA T4 (UUID: GPU-1)'\n")
    smi.chmod(0o755)
    env = Environment(
        dev=tmp_path / "nodev", which=lambda n: str(smi) if n == "nvidia-smi" else None
    )
    assert check_gpu(env, "dgpu") == Check("GPU", OK, "GPU 0: NVIDIA T4 (UUID: GPU-1)")


def test_port_open_but_not_rtsp(tmp_path: Path) -> None:
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    try:
        port = srv.getsockname()[1]
        b = load_bundle(write_bundle(tmp_path / "b", BundleSpec([f"rtsp://127.0.0.1:{port}/"])))
        checks, _ = run_preflight(b, deepstream_app=None, env=env_for(tmp_path))
        cam = by_name(checks)["camera [source0]"]
        assert cam.status == WARN and "no RTSP answer" in cam.detail
    finally:
        srv.close()


def test_docker_mode_checks_the_image_version(tmp_path: Path) -> None:
    b = load_bundle(write_bundle(tmp_path / "b", BundleSpec(["file:///v.mp4"])))
    checks, found = run_preflight(
        b, deepstream_app=None, docker_image="nvcr.io/nvidia/deepstream:6.4-triton-multiarch",
        env=env_for(tmp_path),
    )  # fmt: skip
    c = by_name(checks)
    assert found is None and c["docker"].status == FAIL
    assert c["DeepStream version"].detail == "6.4 installed, bundle targets 7.0"


def test_table_lists_every_check(tmp_path: Path) -> None:
    checks = [Check("GPU", OK, "/dev/nvidia0"), Check("broker [sink1]", FAIL, "x", "start it")]
    console = Console(width=200, record=True, force_terminal=False)
    console.print(preflight_table(checks))
    text = console.export_text()
    assert "GPU" in text and "/dev/nvidia0" in text and "broker [sink1]" in text
    assert "fail" in text and "start it" in text


# --- real brokers -----------------------------------------------------------------------------


def _broker_check(tmp_path: Path, port: int, lib: str) -> Check:
    env = env_for(tmp_path)
    proto = str(env.deepstream_root / "lib" / lib)
    b = load_bundle(write_bundle(tmp_path / "b", BundleSpec(["file:///v.mp4"], broker_port=port,
                                                             proto_lib=proto)))  # fmt: skip
    checks = by_name(run_preflight(b, deepstream_app=None, env=env)[0])
    assert checks["broker adaptor [sink1]"].status == OK
    return checks["broker [sink1]"]


def _reachable_then_not(tmp_path: Path, broker: RunningBroker, lib: str) -> None:
    up = _broker_check(tmp_path / "up", broker.port, lib)
    assert up.status == OK and up.detail == f"127.0.0.1:{broker.port}: TCP connect ok"
    stop_broker(broker)
    down = _broker_check(tmp_path / "down", broker.port, lib)
    assert down.status == FAIL and "refused" in down.detail.lower()


@pytest.mark.brokers
def test_mosquitto_reachable_then_not(tmp_path: Path, mosquitto: RunningBroker) -> None:
    _reachable_then_not(tmp_path, mosquitto, "libnvds_mqtt_proto.so")


@pytest.mark.brokers
def test_redis_reachable_then_not(tmp_path: Path, redis: RunningBroker) -> None:
    _reachable_then_not(tmp_path, redis, "libnvds_redis_proto.so")


@pytest.mark.brokers
@pytest.mark.slow
def test_rabbitmq_reachable_then_not(tmp_path: Path, rabbitmq: RunningBroker) -> None:
    _reachable_then_not(tmp_path, rabbitmq, "libnvds_amqp_proto.so")


def test_real_profile_renders_and_preflights(tmp_path: Path) -> None:
    """A shipped profile rendered for real, then read by `run` (network checks off: its
    cameras are not on this machine)."""
    from alpr_gen.writer import render_to_dir

    out = tmp_path / "city-redis"
    assert render_to_dir("city-redis", out).written
    b = load_bundle(out)
    assert b.target.source == "manifest" and b.msg_sinks and b.num_streams >= 1
    env = env_for(tmp_path)
    env.network = False
    checks = by_name(run_preflight(b, deepstream_app=None, env=env)[0])
    assert checks["brokers, cameras"].status == SKIP
    rows = list(checks.values())
    # Models are deployed by `export`: the detector's ONNX is a failing finding...
    assert all(r.status == FAIL for r in finding_rows(rows, "pgie_yolo11.txt"))
    # ...and so is the OCR SGIE's model, read from the rendered app config.
    assert finding_rows(rows, "sgie_ocr.txt")


def test_stand_in_is_executable() -> None:
    # The stand-in is also used as a plain executable (`--deepstream-app PATH`).
    from .conftest import FAKE_DS

    assert os.access(FAKE_DS, os.X_OK)
    res = subprocess.run(
        [sys.executable, str(FAKE_DS), "--version"], capture_output=True, text=True
    )
    assert res.stdout.splitlines()[:2] == ["deepstream-app version 7.0.0", "DeepStreamSDK 7.0.0"]
