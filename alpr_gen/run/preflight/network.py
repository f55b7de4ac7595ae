"""Reaching the outside: cameras answer RTSP, brokers accept a connection and the login.

Network checks run in parallel, each TCP connect with a short timeout; a broker login runs only
where its TCP check passed. The RTSP probe carries no credentials.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

from alpr_gen.brokers import KINDS, BrokerSettings, LoginStatus, login
from alpr_gen.configset.views import SinkView
from alpr_gen.deepstream.facts import DEFAULT_RTSP_PORT
from alpr_gen.errors import BrokerError
from alpr_gen.redact import mask_uri, printable
from alpr_gen.run.preflight.model import FAIL, OK, SKIP, WARN, Check, PreflightContext


def uri_host_port(uri: str, default_port: int) -> tuple[str, int] | None:
    """`rtsp://user:pw@cam:8554/x` -> ("cam", 8554); None when there is no host."""
    try:
        parts = urlsplit(uri)
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    return (host, port or default_port) if host else None


def conn_host_port(conn_str: str) -> tuple[str, int] | None:
    """msg-broker-conn-str `host;port[;topic]` -> (host, port). Also accepts `host:port`
    (wrong for DeepStream, but the reachability check should still say where it looked)."""
    parts = [p.strip() for p in conn_str.split(";") if p.strip()]
    if len(parts) >= 2 and parts[1].isdigit():
        return parts[0], int(parts[1])
    if len(parts) == 1 and parts[0].count(":") == 1:
        host, _, port = parts[0].partition(":")
        if port.isdigit():
            return host, int(port)
    return None


def broker_settings(ctx: PreflightContext, sink: SinkView) -> BrokerSettings:
    """The sink's broker as its adaptor resolves it (host, port, credentials); BrokerError when
    the adaptor would refuse the connection string."""
    cfg = sink.broker_config
    return BrokerSettings.from_config(
        proto_lib=sink.proto_lib,
        conn_str=sink.conn_str,
        topic=sink.topic,
        cfg=sink.broker_settings(),
        base_dir=cfg.logical.parent if cfg is not None else ctx.cs.app_config.parent,
        # In a container the adaptor sees only the environment docker passes: none of ours.
        environ={} if ctx.docker_image else ctx.env.environ(),
        cfg_name=cfg.logical.name if cfg is not None else "msg-broker-config",
        site=ctx.cs.site,
    )


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
    TLS, so only the connect is checked there.
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
        # The camera's words: shown escaped, never as terminal control sequences.
        return True, printable(reply.split(b"\r\n", 1)[0].decode("ascii", "replace"))
    return False, f"port open but no RTSP answer to OPTIONS ({why if not reply else 'not RTSP'})"


@dataclass(frozen=True)
class _Probe:
    name: str
    host: str
    port: int
    shown: str
    uri: str | None  # the camera's URI; None for a broker
    sink: SinkView | None = None
    settings: BrokerSettings | None = None


def reachability_and_login(ctx: PreflightContext) -> Iterator[Check]:
    if not ctx.env.network:
        yield Check("brokers, cameras", SKIP, "reachability not checked")
        return
    probes: list[_Probe] = []
    for sink in ctx.cs.msg_sinks:
        if sink.adaptor not in KINDS:
            continue  # not a broker alpr-gen knows (validate reports a wrong proto-lib)
        try:
            settings = broker_settings(ctx, sink)
        except BrokerError as exc:
            yield Check(f"broker [{sink.group}]", FAIL, exc.message, exc.hint or "")
            continue
        shown = f"{settings.host}:{settings.port}"
        probes.append(
            _Probe(
                f"broker [{sink.group}]", settings.host, settings.port, shown, None, sink, settings
            )
        )
    for src in ctx.cs.sources:
        if src.is_rtsp and (hp := uri_host_port(src.uri, DEFAULT_RTSP_PORT)):
            probes.append(_Probe(f"camera [{src.group}]", *hp, mask_uri(src.uri), src.uri))

    timeout = ctx.env.connect_timeout

    def probe(p: _Probe) -> tuple[bool, str]:
        if p.uri is not None:
            return rtsp_answers(p.uri, p.host, p.port, timeout)
        why = tcp_reachable(p.host, p.port, timeout)
        return why is None, why or "TCP connect ok"

    with ThreadPoolExecutor(max_workers=min(16, max(1, len(probes)))) as pool:
        results = list(pool.map(probe, probes))
    reachable: list[_Probe] = []
    for p, (ok, why) in zip(probes, results, strict=True):
        if ok:
            yield Check(p.name, OK, f"{p.shown}: {why}")
            if p.sink is not None:
                reachable.append(p)
        elif p.uri is None:
            yield Check(
                p.name,
                FAIL,
                f"{p.shown}: {why}",
                "start the broker or fix msg-broker-conn-str; deepstream-app stops when the "
                "adaptor cannot connect",
            )
        else:
            yield Check(
                p.name,
                WARN,
                f"{p.shown}: {why}",
                "check the camera's address, port and network; deepstream-app retries when "
                "rtsp-reconnect-interval-sec is set",
            )
    if reachable:
        with ThreadPoolExecutor(max_workers=min(8, len(reachable))) as pool:
            yield from pool.map(lambda p: broker_login(ctx, p), reachable)


_LOGIN_STATUS = {LoginStatus.OK: OK, LoginStatus.SKIPPED: SKIP}


def broker_login(ctx: PreflightContext, probe: _Probe) -> Check:
    """Log in with the credentials the sink's adaptor will use (its TCP check passed)."""
    assert probe.sink is not None and probe.settings is not None  # broker probes carry both
    name = f"broker login [{probe.sink.group}]"
    cfg = probe.sink.broker_config
    if cfg is None and probe.sink.broker_config_path is not None:
        return Check(
            name,
            FAIL,
            f"msg-broker-config {probe.sink.broker_config_path} missing",
            "re-render the bundle (`alpr-gen render`) or fix msg-broker-config",
        )
    if cfg is not None and cfg.keyfile is None:
        return Check(name, SKIP, f"{cfg.rel} unreadable (see the config set findings)")
    if cfg is not None and cfg.keyfile is not None and cfg.keyfile.group("message-broker") is None:
        return Check(
            name,
            FAIL,
            f"{cfg.rel}: no [message-broker] group (the adaptor reads nothing without it)",
            "re-render the bundle (`alpr-gen render`)",
        )
    res = login(probe.settings, ctx.env.login_timeout)
    return Check(name, _LOGIN_STATUS.get(res.status, FAIL), res.message, res.hint)
