"""Checks before launch, each a result with a hint: is this machine ready to run the bundle?

Every check is a small function returning a `Check`; `run_preflight` collects them (network
checks run in parallel, each TCP connect with a short timeout). Nothing here changes the
machine except building a missing parser library when asked to.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import socket
import subprocess
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from alpr_gen.deepstream.keyfile import read_keyfile
from alpr_gen.launch import broker_login
from alpr_gen.launch.bundle import Bundle, MsgSink, conn_host_port, uri_host_port
from alpr_gen.launch.command import DEEPSTREAM_ROOT, mask_uri

OK, WARN, FAIL, SKIP = "ok", "warn", "fail", "skip"
CONNECT_TIMEOUT = 1.5
RTSP_PORT = 554
# Rough TensorRT build times of a YOLO11n-sized ONNX, first start (from public reports: a
# ResNet-10 detector took 20 s on a dGPU and 60 s on a Jetson; YOLO models take several times
# that). Shown as an order of magnitude, not a promise.
ENGINE_BUILD_ESTIMATE = {"dgpu": "about 1-5 minutes", "jetson": "about 5-20 minutes"}

GET_DEEPSTREAM = (
    "get DeepStream: use NVIDIA's container (`alpr-gen run --docker "
    "nvcr.io/nvidia/deepstream:{ver}-triton-multiarch ...`, needs the NVIDIA Container Toolkit) "
    "or install the DeepStream SDK {ver} (docs.nvidia.com/metropolis/deepstream/dev-guide), "
    "or point --deepstream-app at the binary"
)


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # ok | warn | fail | skip
    detail: str
    hint: str = ""


@dataclass
class Environment:
    """Where to look; tests point these at temporary directories."""

    deepstream_root: Path = DEEPSTREAM_ROOT
    dev: Path = Path("/dev")
    which: Callable[[str], str | None] = shutil.which
    connect_timeout: float = CONNECT_TIMEOUT
    network: bool = True  # False: skip the broker/camera reachability and login checks
    login_timeout: float = broker_login.LOGIN_TIMEOUT
    # What deepstream-app will see (the MQTT adaptor reads USER_MQTT/PASSWORD_MQTT).
    environ: Callable[[], dict[str, str]] = field(default=lambda: dict(os.environ))
    run_version: Callable[[str], str | None] = field(default=lambda exe: _version_output(exe))


def find_deepstream_app(explicit: str | None, env: Environment) -> str | None:
    if explicit:
        path = Path(explicit).expanduser()
        if path.is_file():
            return str(path.resolve())
        return env.which(explicit)
    return env.which("deepstream-app")


def check_deepstream_app(explicit: str | None, found: str | None, target: str | None) -> Check:
    if found:
        return Check("deepstream-app", OK, found)
    where = f"{explicit!r} not found" if explicit else "not on PATH"
    return Check("deepstream-app", FAIL, where, GET_DEEPSTREAM.format(ver=target or "7.1"))


def installed_version(env: Environment, deepstream_app: str | None) -> tuple[str | None, str]:
    """(major.minor, where it was read) from the install, or (None, why not)."""
    version_file = env.deepstream_root / "version"
    if version_file.is_file():
        m = re.search(r"Version:\s*(\d+\.\d+)", version_file.read_text(errors="replace"))
        if m:
            return m.group(1), str(version_file)
    if env.deepstream_root.is_symlink() or env.deepstream_root.is_dir():
        m = re.search(r"deepstream-(\d+\.\d+)", str(env.deepstream_root.resolve()))
        if m:
            return m.group(1), f"{env.deepstream_root} -> {env.deepstream_root.resolve()}"
    if deepstream_app:
        text = env.run_version(deepstream_app)
        m = re.search(r"DeepStreamSDK\s+(\d+\.\d+)", text or "")
        if m:
            return m.group(1), f"{deepstream_app} --version-all"
    return None, "no version file, no versioned install dir, no --version-all output"


def check_version(found: str | None, where: str, target: str | None) -> Check:
    if found is None:
        return Check(
            "DeepStream version",
            FAIL if target else WARN,
            where,
            "install DeepStream (see the deepstream-app check)",
        )
    if target is None:
        return Check(
            "DeepStream version",
            WARN,
            f"{found} ({where}); bundle has no target",
            "render with `alpr-gen render` so manifest.json names the target",
        )
    if found != target:
        return Check(
            "DeepStream version",
            FAIL,
            f"{found} installed, bundle targets {target}",
            f"re-render for {found} (profile target.deepstream) or run in "
            f"nvcr.io/nvidia/deepstream:{target}-triton-multiarch with --docker",
        )
    return Check("DeepStream version", OK, f"{found} ({where}) = target")


def image_version(image: str) -> str | None:
    """nvcr.io/nvidia/deepstream:7.0-triton-multiarch -> 7.0."""
    m = re.search(r":(\d+\.\d+)", image.rsplit("/", 1)[-1])
    return m.group(1) if m else None


def check_adaptors(bundle: Bundle, env: Environment, in_docker: bool) -> list[Check]:
    out: list[Check] = []
    for sink in bundle.msg_sinks:
        name = f"broker adaptor [{sink.group}]"
        if not sink.proto_lib:
            out.append(
                Check(
                    name,
                    FAIL,
                    "msg-broker-proto-lib not set",
                    "set it to the adaptor for the broker, e.g. "
                    f"{env.deepstream_root}/lib/libnvds_mqtt_proto.so",
                )
            )
            continue
        lib = Path(sink.proto_lib)
        if not lib.is_absolute():
            lib = bundle.app_config.parent / lib
        if in_docker and str(lib).startswith(str(DEEPSTREAM_ROOT.parent)):
            out.append(Check(name, SKIP, f"{lib} (inside the container)"))
        elif lib.is_file():
            out.append(Check(name, OK, str(lib)))
        else:
            out.append(
                Check(
                    name,
                    FAIL,
                    f"{lib} missing",
                    "DeepStream ships the adaptors in its lib/ directory; install the "
                    "SDK (the Kafka adaptor also needs librdkafka)",
                )
            )
    return out


def check_parsers(bundle: Bundle, build: Callable[[Path], str | None] | None) -> list[Check]:
    """custom-lib-path of every nvinfer file: built, or built now, or the command to build it."""
    out: list[Check] = []
    seen: set[Path] = set()
    for infer in bundle.infer:
        value = infer.prop("custom-lib-path")
        if infer.keyfile is None:
            out.append(
                Check(
                    f"nvinfer config [{infer.group}]",
                    FAIL,
                    f"{infer.path} missing",
                    "render the bundle again (`alpr-gen render`)",
                )
            )
            continue
        if not value:
            continue
        lib = infer.resolve(value)
        if lib in seen:
            continue
        seen.add(lib)
        name = "parser library"
        if lib.is_file():
            out.append(Check(name, OK, str(lib)))
            continue
        if build is not None:
            error = build(lib)
            if error is None and lib.is_file():
                out.append(Check(name, OK, f"{lib} (built now)"))
                continue
            out.append(
                Check(
                    name,
                    FAIL,
                    f"{lib} missing; build failed: {error}",
                    f"alpr-gen build-parser --out {lib.parent}",
                )
            )
            continue
        out.append(Check(name, FAIL, f"{lib} missing", f"alpr-gen build-parser --out {lib.parent}"))
    return out


def check_ocr_dictionary(bundle: Bundle) -> list[Check]:
    """The OCR parser's dictionary (ocr_parser.cfg dictionary=, relative to that file)."""
    cfg = bundle.ocr_config
    if cfg is None:
        return []
    grp = read_keyfile(cfg).group("ocr-parser")
    value = grp.get("dictionary") if grp else None
    if not value:
        return [
            Check(
                "OCR dictionary",
                FAIL,
                f"{cfg}: no [ocr-parser] dictionary=",
                "re-render the bundle (`alpr-gen render`)",
            )
        ]
    path = Path(value) if Path(value).is_absolute() else cfg.parent / value
    if path.is_file():
        return [Check("OCR dictionary", OK, str(path))]
    return [
        Check(
            "OCR dictionary",
            FAIL,
            f"{path} missing",
            "deploy the OCR model and its dictionary: "
            f"`alpr-gen export-ocr --site {bundle.site or 'NAME'}`",
        )
    ]


def check_engines(bundle: Bundle, platform: str) -> list[Check]:
    out: list[Check] = []
    for infer in bundle.infer:
        if infer.keyfile is None:
            continue
        name = f"model [{infer.group}]"
        onnx = infer.prop("onnx-file")
        engine_path = infer.engine_path(bundle.app_config.parent)
        onnx_path = infer.resolve(onnx) if onnx else None
        if engine_path and engine_path.is_file():
            out.append(Check(name, OK, f"engine {engine_path}"))
        elif onnx_path and onnx_path.is_file():
            est = ENGINE_BUILD_ESTIMATE.get(platform, ENGINE_BUILD_ESTIMATE["dgpu"])
            out.append(
                Check(
                    name,
                    WARN,
                    f"no engine yet; ONNX {onnx_path}",
                    f"the first start builds {engine_path or 'the engine'} from the ONNX ({est}); "
                    "later starts reuse it",
                )
            )
        else:
            missing = ", ".join(str(p) for p in (engine_path, onnx_path) if p) or "none named"
            out.append(
                Check(
                    name,
                    FAIL,
                    f"neither engine nor ONNX present ({missing})",
                    f"deploy the model: `alpr-gen export --site {bundle.site or 'NAME'}`",
                )
            )
    return out


def check_gpu(env: Environment, platform: str | None) -> Check:
    smi = env.which("nvidia-smi")
    if smi:
        try:
            res = subprocess.run([smi, "-L"], capture_output=True, text=True, timeout=10)
            if res.returncode == 0 and "GPU" in res.stdout:
                return Check("GPU", OK, res.stdout.strip().splitlines()[0])
        except (OSError, subprocess.TimeoutExpired):
            pass
    if (env.dev / "nvidia0").exists():
        return Check("GPU", OK, f"{env.dev / 'nvidia0'}")
    jetson = sorted(glob.glob(str(env.dev / "nvhost-*")))
    if jetson:
        return Check("GPU", OK, f"Jetson ({Path(jetson[0]).name})")
    hint = (
        "on Jetson: run on the device itself (JetPack installed)"
        if platform == "jetson"
        else "install the NVIDIA driver; in a container pass --gpus all (NVIDIA Container Toolkit)"
    )
    return Check("GPU", FAIL, "no nvidia-smi, /dev/nvidia0 or /dev/nvhost-*", hint)


def tcp_reachable(host: str, port: int, timeout: float) -> str | None:
    """None when a TCP connect succeeds, else the reason."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return None
    except OSError as exc:
        return exc.strerror or str(exc) or type(exc).__name__


def rtsp_answers(uri: str, host: str, port: int, timeout: float) -> tuple[bool, str]:
    """(True, why) when host:port answers an RTSP OPTIONS request with an RTSP status line.

    A TCP connect alone proves little (a firewall or proxy may accept anything). rtsps:// is
    TLS, so only the connect is checked there. The request carries no credentials.
    """
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except OSError as exc:
        return False, exc.strerror or str(exc) or type(exc).__name__
    with sock:
        if uri.lower().startswith("rtsps://"):
            return True, "TCP connect ok (TLS: RTSP not probed)"
        try:
            sock.sendall(f"OPTIONS rtsp://{host}:{port}/ RTSP/1.0\r\nCSeq: 1\r\n\r\n".encode())
            reply = sock.recv(64)
        except OSError as exc:
            reply = b""
            why = exc.strerror or str(exc) or type(exc).__name__
        else:
            why = "connection closed"
    if reply.startswith(b"RTSP/1."):
        return True, reply.split(b"\r\n", 1)[0].decode("ascii", "replace")
    return False, f"port open but no RTSP answer to OPTIONS ({why if not reply else 'not RTSP'})"


def broker_endpoints(bundle: Bundle) -> list[tuple[str, str, int | None]]:
    """(sink group, host, port) per message sink; port None when conn-str is unusable."""
    out: list[tuple[str, str, int | None]] = []
    for sink in bundle.msg_sinks:
        hp = conn_host_port(sink.conn_str) if sink.conn_str else None
        if hp is None and sink.broker_config is not None and sink.broker_config.is_file():
            # AMQP/Redis may keep hostname/port in the broker config instead of conn-str.
            grp = read_keyfile(sink.broker_config).group("message-broker")
            host = (grp.get("hostname") or grp.get("host")) if grp else None
            port = grp.get("port") if grp else None
            if host and port and port.isdigit():
                hp = (host, int(port))
        out.append((sink.group, hp[0], hp[1]) if hp else (sink.group, sink.conn_str, None))
    return out


def check_reachability(bundle: Bundle, env: Environment) -> list[Check]:
    # (check name, host, port, shown target, uri or None for a broker)
    jobs: list[tuple[str, str, int, str, str | None]] = []
    out: list[Check] = []
    for group, host, port in broker_endpoints(bundle):
        if port is None:
            out.append(
                Check(
                    f"broker [{group}]",
                    FAIL,
                    f"cannot read host;port from {host!r}",
                    "msg-broker-conn-str must be host;port (semicolons)",
                )
            )
        else:
            jobs.append((f"broker [{group}]", host, port, f"{host}:{port}", None))
    for src in bundle.sources:
        if not src.is_rtsp:
            continue
        hp = uri_host_port(src.uri, RTSP_PORT)
        if hp:
            jobs.append((f"camera [{src.group}]", hp[0], hp[1], mask_uri(src.uri), src.uri))

    def probe(job: tuple[str, str, int, str, str | None]) -> tuple[bool, str]:
        _name, host, port, _shown, uri = job
        if uri is not None:
            return rtsp_answers(uri, host, port, env.connect_timeout)
        why = tcp_reachable(host, port, env.connect_timeout)
        return why is None, why or "TCP connect ok"

    with ThreadPoolExecutor(max_workers=min(16, max(1, len(jobs)))) as pool:
        results = list(pool.map(probe, jobs))
    for (name, _host, _port, shown, uri), (ok, why) in zip(jobs, results, strict=False):
        if ok:
            out.append(Check(name, OK, f"{shown}: {why}"))
        elif uri is None:
            out.append(
                Check(
                    name,
                    FAIL,
                    f"{shown}: {why}",
                    "start the broker or fix msg-broker-conn-str; deepstream-app stops "
                    "when the adaptor cannot connect",
                )
            )
        else:
            out.append(
                Check(
                    name,
                    WARN,
                    f"{shown}: {why}",
                    "check the camera's address, port and network; deepstream-app "
                    "retries when rtsp-reconnect-interval-sec is set",
                )
            )
    return out


def _login_one(
    bundle: Bundle, sink: MsgSink, host: str, port: int, env: Environment, in_docker: bool
) -> Check:
    name = f"broker login [{sink.group}]"
    proto = broker_login.protocol_of(sink.proto_lib)
    if proto is None:
        return Check(name, SKIP, f"no login check for adaptor {Path(sink.proto_lib).name!r}")
    if proto == "kafka":
        return Check(name, SKIP, "Kafka: TCP check only (no Kafka client here)")
    cfg = sink.broker_config
    settings: dict[str, str] = {}
    cfg_name = "the broker config (msg-broker-config)"
    if cfg is not None:
        cfg_name = cfg.name
        if not cfg.is_file():
            return Check(
                name,
                FAIL,
                f"msg-broker-config {cfg} missing",
                "re-render the bundle (`alpr-gen render`) or fix msg-broker-config",
            )
        grp = read_keyfile(cfg).group("message-broker")
        if grp is None:
            return Check(
                name,
                FAIL,
                f"{cfg}: no [message-broker] group (the adaptor reads nothing without it)",
                "re-render the bundle (`alpr-gen render`)",
            )
        settings = {key: entry.value for key, entry in grp.entries.items()}
    base = cfg.parent if cfg is not None else bundle.app_config.parent
    timeout, site = env.login_timeout, bundle.site
    if proto == "mqtt":
        # In the container the adaptor sees only the environment docker passes (none of these).
        environ = {} if in_docker else env.environ()
        res = broker_login.mqtt_login(
            host, port, settings, base_dir=base, environ=environ, timeout=timeout,
            cfg_name=cfg_name, site=site,
        )  # fmt: skip
    elif proto == "amqp":
        parts = [p.strip() for p in sink.conn_str.split(";")]
        res = broker_login.amqp_login(
            host, port, settings, conn_username=parts[2] if len(parts) >= 3 and parts[2] else None,
            timeout=timeout, cfg_name=cfg_name, site=site,
        )  # fmt: skip
    else:
        res = broker_login.redis_login(
            host, port, settings, timeout=timeout, cfg_name=cfg_name, site=site
        )
    status = SKIP if res.ok is None else OK if res.ok else FAIL
    return Check(name, status, res.message, res.hint)


def check_broker_logins(
    bundle: Bundle, env: Environment, reachable: set[str], in_docker: bool = False
) -> list[Check]:
    """Log in to each sink's broker whose TCP check passed (`reachable`: sink groups)."""
    jobs: list[tuple[MsgSink, str, int]] = []
    sinks = {s.group: s for s in bundle.msg_sinks}
    for group, host, port in broker_endpoints(bundle):
        if group in reachable and port is not None:
            jobs.append((sinks[group], host, port))
    if not jobs:
        return []
    with ThreadPoolExecutor(max_workers=min(8, len(jobs))) as pool:
        return list(
            pool.map(lambda job: _login_one(bundle, *job, env=env, in_docker=in_docker), jobs)
        )


def run_preflight(
    bundle: Bundle,
    *,
    deepstream_app: str | None,
    docker_image: str | None = None,
    env: Environment | None = None,
    build_parser: Callable[[Path], str | None] | None = None,
) -> tuple[list[Check], str | None]:
    """All checks, in table order, and the deepstream-app path found (None in docker mode)."""
    env = env or Environment()
    target = bundle.target_deepstream
    platform = bundle.target_platform or (
        "jetson" if glob.glob(str(env.dev / "nvhost-*")) else "dgpu"
    )
    checks: list[Check] = []
    found: str | None = None
    if docker_image:
        docker = env.which("docker")
        checks.append(
            Check(
                "docker",
                OK if docker else FAIL,
                docker or "not on PATH",
                "" if docker else "install Docker and the NVIDIA Container Toolkit",
            )
        )
        checks.append(check_version(image_version(docker_image), f"image {docker_image}", target))
    else:
        found = find_deepstream_app(deepstream_app, env)
        checks.append(check_deepstream_app(deepstream_app, found, target))
        version, where = installed_version(env, found)
        checks.append(
            check_version(version, where, target)
            if found or version
            else Check("DeepStream version", SKIP, "no DeepStream install found")
        )
    checks += check_adaptors(bundle, env, in_docker=bool(docker_image))
    checks += check_parsers(bundle, build_parser)
    checks += check_engines(bundle, platform)
    checks += check_ocr_dictionary(bundle)
    checks.append(check_gpu(env, platform))
    if env.network:
        reach = check_reachability(bundle, env)
        checks += reach
        up = {
            c.name[len("broker [") : -1]
            for c in reach
            if c.name.startswith("broker [") and c.status == OK
        }
        checks += check_broker_logins(bundle, env, up, in_docker=bool(docker_image))
    else:
        checks.append(Check("brokers, cameras", SKIP, "reachability not checked"))
    return checks, found


def failed(checks: Iterable[Check]) -> list[Check]:
    return [c for c in checks if c.status == FAIL]


def _version_output(exe: str) -> str | None:
    try:
        res = subprocess.run([exe, "--version-all"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return res.stdout + res.stderr
