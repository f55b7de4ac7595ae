"""The set's own files: the parser library (built when missing), and validate's findings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from alpr_gen.redact import mask_uri
from alpr_gen.run.preflight.model import FAIL, OK, WARN, Check, PreflightContext
from alpr_gen.validate.findings import Finding, Severity

# Findings that are warnings while editing a set but block a launch: the artifact is needed now.
_REQUIRED_AT_LAUNCH = {"DS202"}


def parser_library(ctx: PreflightContext) -> Iterator[Check]:
    """custom-lib-path of every enabled GIE: there, or built now, or the command to build it."""
    seen: set[Path] = set()
    for gie in ctx.cs.enabled_gies:
        lib = gie.path("custom-lib-path")
        if lib is None or lib in seen:
            continue
        seen.add(lib)
        name = "parser library"
        if lib.is_file():
            yield Check(name, OK, str(lib))
            continue
        how = f"alpr-gen build-parser --out {lib.parent}"
        if ctx.build_parser is None:
            yield Check(name, FAIL, f"{lib} missing", how)
            continue
        error = ctx.build_parser(lib)
        if error is None and lib.is_file():
            yield Check(name, OK, f"{lib} (built now)")
        else:
            yield Check(name, FAIL, f"{lib} missing; build failed: {error}", how)


def config_set(ctx: PreflightContext) -> Iterator[Check]:
    """validate's findings on the set, as rows: errors and undeployed artifacts fail."""
    if ctx.lint is None:
        return
    ctx.report = report = ctx.lint(ctx.cs)
    # The parser library row above covers custom-lib-path (it builds the library).
    shown = [
        f for f in report.findings if f.severity is not Severity.INFO and f.key != "custom-lib-path"
    ]
    if not shown:
        yield Check("config set", OK, f"validate: no findings ({len(ctx.cs.files)} files)")
        return
    for f in shown:
        yield _row(f)


def _row(f: Finding) -> Check:
    where = f"{f.file}:{f.line}" if f.line else f.file
    status = FAIL if f.severity is Severity.ERROR or f.rule_id in _REQUIRED_AT_LAUNCH else WARN
    # Rules end their message with what to do ("...: run `alpr-gen ...`"): that is the hint.
    what, sep, todo = f.message.rpartition(": run ")
    detail, hint = (what, f"run {todo}") if sep else (f.message, "")
    return Check(f"config {f.rule_id}", status, mask_uri(f"{where}: {detail}"), hint)
