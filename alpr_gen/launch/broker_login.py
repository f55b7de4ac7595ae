"""Compatibility shim: the broker logins moved to `alpr_gen.brokers`.

preflight still calls these with the old signatures; they build BrokerSettings and call
`alpr_gen.brokers.login`. Delete this module once preflight uses `alpr_gen.brokers` directly.
AMQP and Redis get no environment here, as before the move (preflight passed none).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from alpr_gen import brokers
from alpr_gen.brokers import INSTALL_HINT, LOGIN_TIMEOUT, MASK, LoginResult, LoginStatus
from alpr_gen.brokers.masking import mask as _mask
from alpr_gen.deepstream.facts import BROKERS, broker_of_adaptor
from alpr_gen.errors import BrokerError

__all__ = [
    "INSTALL_HINT",
    "LOGIN_TIMEOUT",
    "MASK",
    "Login",
    "amqp_login",
    "mask",
    "mqtt_login",
    "protocol_of",
    "redis_login",
]


class Login(NamedTuple):
    """ok: True logged in, False refused or failed, None not checked (no client library...)."""

    ok: bool | None
    message: str
    hint: str = ""


def protocol_of(proto_lib: str) -> str | None:
    kind = broker_of_adaptor(proto_lib)
    return kind if kind in BROKERS else None


def mask(text: str, secrets: list[str | None]) -> str:
    return _mask(text, secrets)


def _login(
    kind: str,
    host: str,
    port: int,
    settings: Mapping[str, str],
    conn: str,
    *,
    base_dir: Path,
    environ: Mapping[str, str],
    timeout: float,
    cfg_name: str,
    site: str | None,
) -> Login:
    try:
        s = brokers.BrokerSettings.from_config(
            proto_lib=BROKERS[kind].adaptor, conn_str=conn, topic="", cfg=settings,
            base_dir=base_dir, environ=environ, cfg_name=cfg_name, site=site,
        )  # fmt: skip
    except BrokerError as exc:
        return Login(False, exc.message, exc.hint or "")
    res: LoginResult = brokers.login(s, timeout)
    ok = None if res.status is LoginStatus.SKIPPED else res.ok
    return Login(ok, res.message, res.hint)


def mqtt_login(
    host: str,
    port: int,
    settings: Mapping[str, str],
    *,
    base_dir: Path,
    environ: Mapping[str, str] | None = None,
    timeout: float = LOGIN_TIMEOUT,
    cfg_name: str = "broker.txt",
    site: str | None = None,
) -> Login:
    return _login("mqtt", host, port, settings, f"{host};{port}", base_dir=base_dir,
                  environ=environ or {}, timeout=timeout, cfg_name=cfg_name, site=site)  # fmt: skip


def amqp_login(
    host: str,
    port: int,
    settings: Mapping[str, str],
    *,
    conn_username: str | None = None,
    timeout: float = LOGIN_TIMEOUT,
    cfg_name: str = "broker.txt",
    site: str | None = None,
) -> Login:
    conn = f"{host};{port}" + (f";{conn_username}" if conn_username else "")
    return _login("amqp", host, port, settings, conn, base_dir=Path("."), environ={},
                  timeout=timeout, cfg_name=cfg_name, site=site)  # fmt: skip


def redis_login(
    host: str,
    port: int,
    settings: Mapping[str, str],
    *,
    timeout: float = LOGIN_TIMEOUT,
    cfg_name: str = "broker.txt",
    site: str | None = None,
) -> Login:
    return _login("redis", host, port, settings, f"{host};{port}", base_dir=Path("."),
                  environ={}, timeout=timeout, cfg_name=cfg_name, site=site)  # fmt: skip
