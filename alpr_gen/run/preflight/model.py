"""What preflight checks take and give: the context, the environment, one status type."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from alpr_gen.configset import ConfigSet
from alpr_gen.deepstream import facts
from alpr_gen.validate.findings import LintReport

CONNECT_TIMEOUT = 1.5
LOGIN_TIMEOUT = 3.0


class Status(str, Enum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"
    SKIP = "skip"


OK, WARN, FAIL, SKIP = Status.OK, Status.WARN, Status.FAIL, Status.SKIP


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str
    hint: str = ""


@dataclass
class Environment:
    """Where to look; tests point these at temporary directories."""

    deepstream_root: Path = Path(facts.INSTALL_ROOT)
    dev: Path = Path("/dev")
    which: Callable[[str], str | None] = shutil.which
    connect_timeout: float = CONNECT_TIMEOUT
    network: bool = True  # False: skip the broker/camera reachability and login checks
    login_timeout: float = LOGIN_TIMEOUT
    # What deepstream-app will see (the MQTT adaptor reads USER_MQTT/PASSWORD_MQTT).
    environ: Callable[[], dict[str, str]] = field(default=lambda: dict(os.environ))
    run_version: Callable[[str], str | None] = field(default=lambda exe: _version_output(exe))


# Builds the parser library at the given path; returns None on success, else why not.
ParserBuilder = Callable[[Path], "str | None"]
Linter = Callable[[ConfigSet], LintReport]


@dataclass
class PreflightContext:
    cs: ConfigSet
    env: Environment
    deepstream_app: str | None = None  # --deepstream-app as given
    docker_image: str | None = None
    build_parser: ParserBuilder | None = None
    lint: Linter | None = None
    platform: str = "dgpu"
    found_app: str | None = None  # set by the deepstream-app check
    report: LintReport | None = None  # set by the config-set check


CheckFunc = Callable[[PreflightContext], Iterable[Check]]


def _version_output(exe: str) -> str | None:
    try:
        res = subprocess.run([exe, "--version-all"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return res.stdout + res.stderr
