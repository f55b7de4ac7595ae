"""`alpr-gen validate`: lint a deepstream-app config set without a GPU."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from alpr_gen.deepstream.layout import DEFAULT_OUT_ROOT


def validate(
    path: Annotated[
        Path | None,
        typer.Argument(help="Config directory or deepstream-app config file.", show_default=False),
    ] = None,
    site: Annotated[
        list[str] | None,
        typer.Option(
            "--site", help="Render this site profile in memory and validate it (repeatable)."
        ),
    ] = None,
    all_sites: Annotated[
        bool, typer.Option("--all-sites", help="Validate every shipped profile.")
    ] = False,
    deepstream: Annotated[
        str | None,
        typer.Option(
            "--deepstream",
            help="Target DeepStream: 6.3, 7.0, 7.1 or 8.0 (default: manifest.json, else 8.0).",
        ),
    ] = None,
    platform: Annotated[
        str | None,
        typer.Option(
            "--platform", help="Target platform: jetson or dgpu (default: manifest.json)."
        ),
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="human, json or github (annotations).")
    ] = "human",
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 on warnings too.")] = False,
    out: Annotated[
        Path, typer.Option("--out", help="Where --site bundles live (model paths resolve there).")
    ] = DEFAULT_OUT_ROOT,
) -> None:
    """Check configs against DeepStream's keys and cross-file rules. Exit 1 on errors."""
    from alpr_gen.errors import AlprGenError, LintFailed
    from alpr_gen.validate import lint_path
    from alpr_gen.validate.findings import LintReport
    from alpr_gen.validate.report import FORMATS, emit
    from alpr_gen.validate.sites import lint_site, shipped_sites

    if fmt not in FORMATS:
        raise AlprGenError(f"--format {fmt}: use one of {', '.join(FORMATS)}")
    names = list(site or [])
    if all_sites:
        names += [s for s in shipped_sites() if s not in names]
        if not names:
            raise AlprGenError("--all-sites: no profiles found (profiles/*.yaml)")
    if path is None and not names:
        raise AlprGenError("nothing to validate: give a PATH, --site NAME or --all-sites")
    reports: list[tuple[str, LintReport]] = []
    if path is not None:
        reports.append((str(path), lint_path(path, deepstream=deepstream, platform=platform)))
    failed = 0
    for name in names:
        try:
            report = lint_site(name, out_dir=out, deepstream=deepstream, platform=platform)
        except AlprGenError as exc:
            if len(names) == 1 and path is None:
                raise
            # One profile that cannot be loaded must not hide the others' findings.
            print(f"error: site {name}: {exc}", file=sys.stderr)
            failed = exc.exit_code
            continue
        reports.append((f"site {name} (rendered in memory)", report))
    if reports:
        emit(reports, fmt, sys.stdout)
    if failed:
        raise typer.Exit(failed)
    bad = [r for _, r in reports if r.exit_code(strict=strict)]
    if bad:
        errors = sum(len(r.errors) for r in bad)
        warnings = sum(len(r.warnings) for r in bad)
        what = f"{errors} error(s)" + (f" and {warnings} warning(s) (--strict)" if strict else "")
        raise LintFailed(f"validation failed: {what}", hint="fix the findings listed above")
