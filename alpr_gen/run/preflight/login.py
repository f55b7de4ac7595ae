"""Log in to a message sink's broker with the credentials its adaptor will use."""

from __future__ import annotations

from alpr_gen.configset.views import SinkView
from alpr_gen.launch import broker_login as clients
from alpr_gen.run.preflight.model import FAIL, OK, SKIP, Check, PreflightContext


def broker_login(ctx: PreflightContext, sink: SinkView | None, host: str, port: int) -> Check:
    assert sink is not None  # only broker probes reach here
    name = f"broker login [{sink.group}]"
    proto = sink.adaptor
    if proto not in ("mqtt", "amqp", "redis", "kafka"):
        return Check(name, SKIP, f"no login check for adaptor {sink.proto_lib!r}")
    if proto == "kafka":
        return Check(name, SKIP, "Kafka: TCP check only (no Kafka client here)")
    cfg = sink.broker_config
    if cfg is None and sink.broker_config_path is not None:
        return Check(
            name,
            FAIL,
            f"msg-broker-config {sink.broker_config_path} missing",
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
    settings = sink.broker_settings()
    cfg_name = cfg.logical.name if cfg is not None else "the broker config (msg-broker-config)"
    base = cfg.logical.parent if cfg is not None else ctx.cs.app_config.parent
    timeout, site = ctx.env.login_timeout, ctx.cs.site
    if proto == "mqtt":
        # In the container the adaptor sees only the environment docker passes (none of these).
        environ = {} if ctx.docker_image else ctx.env.environ()
        res = clients.mqtt_login(
            host, port, settings, base_dir=base, environ=environ, timeout=timeout,
            cfg_name=cfg_name, site=site,
        )  # fmt: skip
    elif proto == "amqp":
        parts = sink.conn_parts()
        res = clients.amqp_login(
            host, port, settings, conn_username=parts[2] if len(parts) >= 3 and parts[2] else None,
            timeout=timeout, cfg_name=cfg_name, site=site,
        )  # fmt: skip
    else:
        res = clients.redis_login(
            host, port, settings, timeout=timeout, cfg_name=cfg_name, site=site
        )
    status = SKIP if res.ok is None else OK if res.ok else FAIL
    return Check(name, status, res.message, res.hint)
