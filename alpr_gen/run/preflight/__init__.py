"""Checks before launch: is this machine ready to run the config set?

Each check is a function taking the `PreflightContext` and yielding `Check` rows with one status
type; `CHECKS` is the registry, in the order the table shows them. Facts about the config set
itself are validate's findings (the `config set` check shows them), not repeated here; the other
checks are about the machine: deepstream-app and its version, the GPU, DeepStream's adaptor
libraries, the parser library (built when missing), and reaching cameras and brokers. Nothing
changes the machine except building a missing parser library when asked to.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from alpr_gen.run.preflight import artifacts, network, system
from alpr_gen.run.preflight.model import (
    FAIL,
    OK,
    SKIP,
    WARN,
    Check,
    CheckFunc,
    Environment,
    PreflightContext,
    Status,
)
from alpr_gen.validate.findings import LintReport

__all__ = [
    "CHECKS",
    "FAIL",
    "OK",
    "SKIP",
    "WARN",
    "Check",
    "Environment",
    "PreflightContext",
    "PreflightResult",
    "Status",
    "failed",
    "run_preflight",
]

CHECKS: tuple[CheckFunc, ...] = (
    system.deepstream_app,
    system.deepstream_version,
    system.adaptor_libraries,
    system.gpu,
    artifacts.parser_library,
    artifacts.config_set,
    network.reachability_and_login,
)


@dataclass(frozen=True)
class PreflightResult:
    checks: list[Check]
    deepstream_app: str | None  # the binary found (None in docker mode or when missing)
    report: LintReport | None  # validate's findings on the set

    @property
    def failed(self) -> list[Check]:
        return failed(self.checks)


def run_preflight(ctx: PreflightContext) -> PreflightResult:
    checks: list[Check] = []
    for func in CHECKS:
        checks.extend(func(ctx))
    return PreflightResult(checks, ctx.found_app, ctx.report)


def failed(checks: Iterable[Check]) -> list[Check]:
    return [c for c in checks if c.status is FAIL]
