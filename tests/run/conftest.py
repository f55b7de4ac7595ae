"""Fixtures for `alpr-gen run`: a small hand-written bundle, the deepstream-app stand-in, brokers.

The bundle is written here (not rendered) so these tests do not depend on the profile templates;
one test renders a shipped profile for real. Every address is on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from alpr_gen.configset import ConfigSet
from alpr_gen.run.preflight import Check, Environment, PreflightContext
from alpr_gen.run.preflight import run_preflight as preflight
from alpr_gen.run.preflight.model import ParserBuilder

HERE = Path(__file__).parent
FAKE_DS = HERE / "fake_deepstream_app.py"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def closed_port() -> int:
    """A loopback port nothing listens on (bound then released)."""
    return free_port()


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


# --- real brokers on random loopback ports ----------------------------------------------------


@dataclass
class RunningBroker:
    name: str
    port: int
    proc: subprocess.Popen[bytes]
    startup_s: float
    base: Path | None = None  # rabbitmq: its data dir (the VM's pid file is there)


def _wait_port(port: int, proc: subprocess.Popen[bytes], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def stop_broker(broker: RunningBroker) -> None:
    if broker.base is not None:
        _stop_rabbit_vm(broker.base)
    if broker.proc.poll() is None:
        os.killpg(broker.proc.pid, signal.SIGTERM)
        try:
            broker.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(broker.proc.pid, signal.SIGKILL)
            broker.proc.wait(timeout=5)


def _start(
    name: str, argv: list[str], port: int, timeout: float, log: Path, **kw: object
) -> RunningBroker:
    t0 = time.monotonic()
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            argv,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **kw,  # type: ignore[arg-type]
        )
    if not _wait_port(port, proc, timeout):
        broker = RunningBroker(name, port, proc, 0.0)
        stop_broker(broker)
        tail = log.read_text(errors="replace").strip().splitlines()[-8:]
        pytest.fail(
            f"{name} did not listen on 127.0.0.1:{port} within {timeout}s:\n" + "\n".join(tail)
        )
    return RunningBroker(name, port, proc, time.monotonic() - t0)


def _mosquitto_exe() -> str:
    exe = shutil.which("mosquitto") or (
        "/usr/sbin/mosquitto" if Path("/usr/sbin/mosquitto").exists() else None
    )
    if exe is None:
        pytest.skip("mosquitto not installed (apt-get install mosquitto)")
    return exe


def start_mosquitto(tmp_path: Path, settings: list[str], name: str = "mosquitto") -> RunningBroker:
    """mosquitto on a free loopback port; `settings` go under its listener line."""
    exe = _mosquitto_exe()
    port = free_port()
    conf = tmp_path / f"{name}.conf"
    lines = [f"listener {port} 127.0.0.1", *settings, "persistence false"]
    if os.geteuid() == 0:
        # Run as root, mosquitto would switch to the `mosquitto` user, which cannot read
        # pytest's 0700 tmp dir (password file, certificates).
        lines.insert(0, "user root")
    conf.write_text("\n".join(lines) + "\n")
    return _start(name, [exe, "-c", str(conf)], port, 10, tmp_path / f"{name}.log")


@pytest.fixture
def mosquitto(tmp_path: Path) -> Iterator[RunningBroker]:
    broker = start_mosquitto(tmp_path, ["allow_anonymous true"])
    yield broker
    stop_broker(broker)


MQTT_USER, MQTT_PASSWORD = "alpr", "s3cret-mqtt-pw"


@pytest.fixture
def mosquitto_auth(tmp_path: Path) -> Iterator[RunningBroker]:
    """mosquitto that wants MQTT_USER/MQTT_PASSWORD (password file, no anonymous clients)."""
    _mosquitto_exe()
    tool = shutil.which("mosquitto_passwd")
    if tool is None:
        pytest.skip("mosquitto_passwd not installed (apt-get install mosquitto)")
    pw_file = tmp_path / "mosquitto.passwd"
    subprocess.run([tool, "-c", "-b", str(pw_file), MQTT_USER, MQTT_PASSWORD], check=True,
                   capture_output=True)  # fmt: skip
    broker = start_mosquitto(
        tmp_path, ["allow_anonymous false", f"password_file {pw_file}"], "mosquitto-auth"
    )
    yield broker
    stop_broker(broker)


@dataclass
class Pki:
    ca: Path  # the CA that signed the server certificate
    other_ca: Path  # an unrelated CA (the "wrong CA file")
    cert: Path
    key: Path


def make_test_ca(root: Path) -> Pki:
    """A CA and a server certificate for 127.0.0.1, made with the openssl CLI."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl not installed (apt-get install openssl)")
    root.mkdir(parents=True, exist_ok=True)

    def run(*args: str) -> None:
        subprocess.run([openssl, *args], check=True, capture_output=True, cwd=root)

    for ca in ("ca", "other-ca"):
        run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-keyout", f"{ca}.key", "-out", f"{ca}.crt", "-subj", f"/CN=alpr-gen test {ca}",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")  # fmt: skip
    (root / "server.ext").write_text(
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
        "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n"
        "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"
    )
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
        "-subj", "/CN=127.0.0.1")  # fmt: skip
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
        "-CAcreateserial", "-days", "2", "-out", "server.crt", "-extfile", "server.ext")  # fmt: skip
    return Pki(root / "ca.crt", root / "other-ca.crt", root / "server.crt", root / "server.key")


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_test_ca(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def mosquitto_tls(tmp_path: Path, pki: Pki) -> Iterator[RunningBroker]:
    """mosquitto with a TLS listener (server certificate for 127.0.0.1 signed by pki.ca)."""
    broker = start_mosquitto(
        tmp_path,
        [
            f"cafile {pki.ca}",
            f"certfile {pki.cert}",
            f"keyfile {pki.key}",
            "allow_anonymous true",
        ],
        "mosquitto-tls",
    )
    yield broker
    stop_broker(broker)


def start_redis(tmp_path: Path, extra: list[str], name: str = "redis") -> RunningBroker:
    exe = shutil.which("redis-server")
    if exe is None:
        pytest.skip("redis-server not installed (apt-get install redis-server)")
    port = free_port()
    argv = [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    return _start(
        "redis-server", [*argv, "--dir", str(tmp_path), *extra], port, 10, tmp_path / f"{name}.log"
    )


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[RunningBroker]:
    broker = start_redis(tmp_path, [])
    yield broker
    stop_broker(broker)


REDIS_PASSWORD = "s3cret-redis-pw"


@pytest.fixture
def redis_auth(tmp_path: Path) -> Iterator[RunningBroker]:
    """redis-server with --requirepass REDIS_PASSWORD."""
    broker = start_redis(tmp_path, ["--requirepass", REDIS_PASSWORD], "redis-auth")
    yield broker
    stop_broker(broker)


@pytest.fixture
def rabbitmq() -> Iterator[RunningBroker]:
    with rabbitmq_server() as broker:
        yield broker


@pytest.fixture(scope="module")
def rabbitmq_module() -> Iterator[RunningBroker]:
    """One rabbitmq-server for a whole test module (it takes seconds to start)."""
    with rabbitmq_server() as broker:
        yield broker


@contextlib.contextmanager
def rabbitmq_server() -> Iterator[RunningBroker]:
    """rabbitmq-server with its own node name, ports, data dirs and epmd (nothing shared).

    Measured here: up in ~6 s on 2 cores, down in ~1 s after SIGTERM.
    """
    exe = shutil.which("rabbitmq-server") or (
        "/usr/sbin/rabbitmq-server" if Path("/usr/sbin/rabbitmq-server").exists() else None
    )
    epmd = shutil.which("epmd") or next(
        iter(sorted(Path("/usr/lib/erlang").glob("erts-*/bin/epmd"))), None
    )
    if exe is None or epmd is None:
        pytest.skip("rabbitmq-server not installed (apt-get install rabbitmq-server)")
    # Not under pytest's tmp dir: that is 0700 root, and the server runs as the rabbitmq user.
    base = Path(tempfile.mkdtemp(prefix="alpr-gen-rabbit-"))
    for sub in ("mnesia", "log"):
        (base / sub).mkdir()
    (base / "enabled_plugins").write_text("[].\n")
    os.chmod(base, 0o777)  # the wrapper script drops to the rabbitmq user when run as root
    for p in base.rglob("*"):
        os.chmod(p, 0o777)
    port, dist_port, epmd_port = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "HOME": str(base),
        "ERL_EPMD_PORT": str(epmd_port),
        "RABBITMQ_NODE_PORT": str(port),
        "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
        "RABBITMQ_DIST_PORT": str(dist_port),
        "RABBITMQ_NODENAME": f"alprgen{port}@localhost",
        "RABBITMQ_MNESIA_BASE": str(base / "mnesia"),
        "RABBITMQ_LOG_BASE": str(base / "log"),
        "RABBITMQ_ENABLED_PLUGINS_FILE": str(base / "enabled_plugins"),
        "RABBITMQ_FEATURE_FLAGS_FILE": str(base / "feature_flags"),
        "RABBITMQ_PID_FILE": str(base / "rabbit.pid"),
        "RABBITMQ_CONFIG_FILE": str(base / "rabbitmq"),
    }
    # Our own epmd on its own port, as our child, so stopping it touches nobody else's.
    epmd_proc = subprocess.Popen(
        [str(epmd), "-port", str(epmd_port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        broker = _start("rabbitmq-server", ["nice", exe], port, 60, base / "out.log", env=env)
    except BaseException:
        epmd_proc.kill()
        epmd_proc.wait()
        shutil.rmtree(base, ignore_errors=True)
        raise
    broker.base = base
    try:
        yield broker
    finally:
        stop_broker(broker)
        epmd_proc.terminate()
        epmd_proc.wait(timeout=5)
        shutil.rmtree(base, ignore_errors=True)


def _stop_rabbit_vm(base: Path) -> None:
    # The wrapper runs `su rabbitmq`; the Erlang VM (its pid in RABBITMQ_PID_FILE) is what
    # listens, and it stops cleanly on SIGTERM.
    pid_file = base / "rabbit.pid"
    if pid_file.exists() and pid_file.read_text().strip().isdigit():
        vm = int(pid_file.read_text().strip())
        with contextlib.suppress(ProcessLookupError):
            os.kill(vm, signal.SIGTERM)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                os.kill(vm, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)


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
