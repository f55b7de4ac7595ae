"""The set's own files: the parser library (built when missing), and validate's findings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from alpr_gen.next_steps import bundle_arg
from alpr_gen.redact import mask_uri
from alpr_gen.run.preflight.model import FAIL, OK, WARN, Check, PreflightContext
from alpr_gen.validate.findings import Finding, Severity

# The engine nvinfer builds at first start: not an error, but the first start takes minutes.
_BUILT_AT_START = "DS203"


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
        how = f"alpr-gen build-parser --config {bundle_arg(ctx.cs)}"
        if ctx.build_parser is None:
            yield Check(name, FAIL, f"{lib} missing", how)
            continue
        error = ctx.build_parser(lib)
        if error is None and lib.is_file():
            yield Check(name, OK, f"{lib} (built now)")
        else:
            yield Check(name, FAIL, f"{lib} missing; build failed: {error}", how)


def config_set(ctx: PreflightContext) -> Iterator[Check]:
    """validate's findings on the set as it will run (`validate --deployed`), as rows: errors,
    pending models and videos included, fail."""
    if ctx.lint is None:
        return
    ctx.report = report = ctx.lint(ctx.cs)
    # The parser library row above covers custom-lib-path (it builds the library).
    shown = [
        f
        for f in report.findings
        if (f.severity is not Severity.INFO or f.rule_id == _BUILT_AT_START)
        and f.key != "custom-lib-path"
    ]
    if not shown:
        yield Check("config set", OK, f"validate: no findings ({len(ctx.cs.files)} files)")
        return
    for f in shown:
        yield _row(f)


def _row(f: Finding) -> Check:
    where = f"{f.file}:{f.line}" if f.line else f.file
    status = FAIL if f.severity is Severity.ERROR else WARN
    # Pending items end their message with the step that supplies them: that is the hint.
    what, sep, todo = f.message.rpartition("; next step: ")
    detail, hint = (what, todo.strip("`")) if sep else (f.message, "")
    return Check(f"config {f.rule_id}", status, mask_uri(f"{where}: {detail}"), hint)
