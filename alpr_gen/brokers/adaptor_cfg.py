"""How each DeepStream adaptor turns conn-str, cfg and environment into host, port and login.

Read from the adaptor sources shipped with DeepStream (sources/libs/*_protocol_adaptor/, 7.1;
see docs/deepstream-notes.md, "Broker adaptors"): which string wins, which environment variable
overrides which key, and when the adaptor refuses to connect at all. Standard library only;
`base` imports this module, so nothing here imports `base`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from alpr_gen.deepstream.facts import BROKERS

if TYPE_CHECKING:
    from alpr_gen.brokers.base import Credentials


def _port(text: str, where: str) -> int:
    text = text.strip()
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ValueError(f"port {text!r} in {where} is not a port number (1-65535)")
    return int(text)


def endpoint(kind: str, conn_str: str, cfg: Mapping[str, str]) -> tuple[str, int]:
    """(host, port) the adaptor connects to.

    MQTT and Kafka take `host;port` from the conn-str only (a third part, a legacy topic, is
    ignored; more is refused). AMQP uses the conn-str when it has at least 5 characters
    (`host;port[;user[;password]]`), else the cfg's hostname/port (port 5672 by default);
    Redis uses it when longer than 3 characters, else the cfg's hostname/port.
    """
    parts = conn_str.split(";")
    use_conn = {
        "mqtt": True,
        "kafka": True,
        "amqp": len(conn_str) >= 5,  # amqp_client.cpp parse_config: strlen(str) >= 5
        "redis": len(conn_str) > 3,  # nvds_redis_client.cpp parse_config: strlen(str) > 3
    }[kind]
    if use_conn:
        # ';' count the adaptor accepts (the Redis adaptor just reads the first two fields)
        limit = {"mqtt": 2, "kafka": 2, "amqp": 3}.get(kind, len(conn_str))
        if conn_str.count(";") > limit or conn_str.count(";") < 1:
            shown = ";".join(parts[:2]) + (";..." if len(parts) > 2 else "")
            raise ValueError(
                f"msg-broker-conn-str {shown!r}: the {kind} adaptor wants host;port"
                + (";user" if kind == "amqp" else "")
            )
        host = parts[0].strip()
        if not host:
            raise ValueError("msg-broker-conn-str: the host is empty")
        return host, _port(parts[1], "msg-broker-conn-str")
    host = (cfg.get("hostname") or "").strip()
    if not host:
        raise ValueError(
            f"no msg-broker-conn-str and no hostname= in [message-broker]: the {kind} adaptor "
            "has nowhere to connect"
        )
    default = str(BROKERS[kind].default_port) if kind == "amqp" else ""
    return host, _port(cfg.get("port") or default, "[message-broker] port=")


def credentials(
    kind: str,
    conn_parts: tuple[str, ...],
    cfg: Mapping[str, str],
    environ: Mapping[str, str],
    cfg_name: str,
) -> Credentials:
    """Username and password as the adaptor resolves them (environment over cfg)."""
    from alpr_gen.brokers.base import Credentials, Secret

    in_cfg = f"{{}}= in {cfg_name}"
    if kind == "kafka":
        # librdkafka reads SASL from proto-cfg; producer-proto-cfg is applied after it.
        options = {**parse_proto_cfg(cfg.get("proto-cfg", "")),
                   **parse_proto_cfg(cfg.get("producer-proto-cfg", ""))}  # fmt: skip
        user, password = options.get("sasl.username"), options.get("sasl.password")
        return Credentials(
            user or None,
            Secret(password) if password else None,
            "sasl.username in proto-cfg" if user else "",
            "sasl.password in proto-cfg" if password else "",
        )
    user, user_from = cfg.get("username") or "", in_cfg.format("username")
    password, password_from = cfg.get("password") or "", in_cfg.format("password")
    problem = None
    if kind == "amqp":
        user, user_from, password, password_from, problem = _amqp_conn_credentials(
            conn_parts, environ, user, user_from, password, password_from
        )
    broker = BROKERS[kind]
    # The adaptors test g_getenv(...) != NULL: a variable set to "" still overrides.
    if broker.user_env and broker.user_env in environ:
        user, user_from = environ[broker.user_env], broker.user_env
    if broker.password_env and broker.password_env in environ:
        password, password_from = environ[broker.password_env], broker.password_env
    if kind == "redis":
        user, user_from = "", ""  # the Redis adaptor sends `AUTH password`: no user name
    return Credentials(
        user or None,
        Secret(password) if password else None,
        user_from if user else "",
        password_from if password else "",
        problem,
    )


def _amqp_conn_credentials(
    parts: tuple[str, ...],
    environ: Mapping[str, str],
    user: str,
    user_from: str,
    password: str,
    password_from: str,
) -> tuple[str, str, str, str, str | None]:
    """amqp_client.cpp parse_config: the conn-str's user (and password) win over the cfg's.

    `host;port` needs username and password in the cfg, or both USER_AMQP and PASSWORD_AMQP;
    `host;port;user` needs a password in the cfg or PASSWORD_AMQP. Otherwise the adaptor
    refuses to connect (there is no guest/guest default).
    """
    env_user = BROKERS["amqp"].user_env or ""
    env_pw = BROKERS["amqp"].password_env or ""
    joined = ";".join(parts)
    problem = None
    if len(joined) < 5:  # cfg only (hostname/port/username/password)
        pass
    elif len(parts) == 4:  # host;port;user;password (deprecated)
        user, user_from = parts[2], "msg-broker-conn-str"
        password, password_from = parts[3], "msg-broker-conn-str"
    elif len(parts) == 3:  # host;port;user (deprecated): password from the cfg
        user, user_from = parts[2], "msg-broker-conn-str"
        if not password and env_pw not in environ:
            problem = f"no password: the AMQP adaptor needs password= in the cfg or {env_pw}"
    elif (not password or not user) and (env_pw not in environ or env_user not in environ):
        problem = (
            "the AMQP adaptor needs username= and password= in the cfg, or both "
            f"{env_user} and {env_pw} set: it does not connect without them"
        )
    return user, user_from, password, password_from, problem


def parse_proto_cfg(raw: str) -> dict[str, str]:
    """librdkafka options from a Kafka cfg value, as nvds_kafka_proto.cpp reads them.

    The value must be quoted (`proto-cfg="k=v;k=v"`: strip_quote refuses anything else, and
    then the adaptor does not connect). Inside, each key runs to the next `=` and its value to
    the next `;`; nothing is trimmed, and a later key wins. Raises ValueError when unquoted.
    """
    if not raw:
        return {}
    if len(raw) < 3 or raw[0] != '"' or raw[-1] != '"':
        raise ValueError('proto-cfg must be quoted: proto-cfg="key=value;key=value"')
    body = raw[1:-1]
    out: dict[str, str] = {}
    pos = 0
    while pos < len(body):
        eq = body.find("=", pos)
        if eq < 0:
            break  # a trailing fragment without '=' is ignored, as in the adaptor
        semi = body.find(";", eq + 1)
        end = len(body) if semi < 0 else semi
        out[body[pos:eq]] = body[eq + 1 : end]
        pos = end + 1
    return out
