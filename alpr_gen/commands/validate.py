"""`alpr-gen validate`: lint a deepstream-app config set without a GPU."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from alpr_gen.commands.style import default, examples
from alpr_gen.deepstream.layout import DEFAULT_OUT_ROOT

VALIDATE_EXAMPLES = examples(
    "alpr-gen validate out/demo",
    "alpr-gen validate --deployed out/demo   # nothing may be pending",
    "alpr-gen validate -s lot7 --deepstream 8.0   # rendered in memory",
    "alpr-gen validate --all-sites --strict --format github   # CI",
)


class Format(str, Enum):
    human = "human"
    json = "json"
    github = "github"


def validate(
    path: Annotated[
        Path | None,
        typer.Argument(
            metavar="PATH",
            help="Config set: its directory, or the deepstream-app config file.",
            show_default=False,
            hidden=True,  # described in the usage text: typer would show its Python type
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", "-c", metavar="DIR", help="The same as PATH."),
    ] = None,
    site: Annotated[
        list[str] | None,
        typer.Option(
            "--site",
            "-s",
            metavar="NAME",
            help="Render this profile in memory and validate it (repeatable).",
        ),
    ] = None,
    all_sites: Annotated[
        bool, typer.Option("--all-sites", help="Validate every shipped profile.")
    ] = False,
    deployed: Annotated[
        bool,
        typer.Option(
            "--deployed",
            help="The set is where it runs: pending models, library, videos are errors.",
        ),
    ] = False,
    deepstream: Annotated[
        str | None,
        typer.Option(
            "--deepstream",
            metavar="VERSION",
            help="Target DeepStream release, e.g. 7.1." + default("manifest.json, else the newest"),
        ),
    ] = None,
    platform: Annotated[
        str | None,
        typer.Option(
            "--platform",
            metavar="PLATFORM",
            help="jetson, jetson-orin, jetson-thor or dgpu." + default("manifest.json, else dgpu"),
        ),
    ] = None,
    fmt: Annotated[
        Format, typer.Option("--format", help="github: GitHub Actions annotations.")
    ] = Format.human,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 on warnings too.")] = False,
    out: Annotated[
        Path,
        typer.Option(
            "--out", "-o", metavar="DIR", help="Where --site bundles live (paths resolve there)."
        ),
    ] = DEFAULT_OUT_ROOT,
) -> None:
    """Check a config set against DeepStream's rules.

    PATH is the config set: its directory, or its deepstream-app config file. Checks every file
    of the set against DeepStream's keys and the rules between files, without
    a GPU. Files a later step supplies (models, the parser library, videos) are listed as next
    steps; --deployed makes them errors. Exit 1 on errors.
    """
    from alpr_gen.errors import AlprGenError, LintFailed
    from alpr_gen.validate import lint_path
    from alpr_gen.validate.findings import LintReport
    from alpr_gen.validate.report import emit
    from alpr_gen.validate.sites import lint_site, shipped_sites

    if path is not None and config is not None:
        raise AlprGenError("give PATH or --config DIR, not both")
    path = path if path is not None else config
    names = list(site or [])
    if all_sites:
        names += [s for s in shipped_sites() if s not in names]
        if not names:
            raise AlprGenError("--all-sites: no profiles found (profiles/*.yaml)")
    if path is None and not names:
        raise AlprGenError(
            "nothing to validate: give a PATH, --site NAME or --all-sites",
            hint="e.g. `alpr-gen validate out/demo` after `alpr-gen render --site demo`",
        )
    reports: list[tuple[str, LintReport]] = []
    if path is not None:
        reports.append(
            (
                str(path),
                lint_path(path, deepstream=deepstream, platform=platform, deployed=deployed),
            )
        )
    failed = 0
    for name in names:
        try:
            report = lint_site(
                name, out_dir=out, deepstream=deepstream, platform=platform, deployed=deployed
            )
        except AlprGenError as exc:
            if len(names) == 1 and path is None:
                raise
            # One profile that cannot be loaded must not hide the others' findings.
            print(f"error: site {name}: {exc}", file=sys.stderr)
            failed = exc.exit_code
            continue
        reports.append((f"site {name} (rendered in memory)", report))
    if reports:
        emit(reports, fmt.value, sys.stdout)
    if failed:
        raise typer.Exit(failed)
    bad = [r for _, r in reports if r.exit_code(strict=strict)]
    if bad:
        errors = sum(len(r.errors) for r in bad)
        warnings = sum(len(r.warnings) for r in bad)
        what = f"{errors} error(s)" + (f" and {warnings} warning(s) (--strict)" if strict else "")
        raise LintFailed(f"validation failed: {what}", hint="fix the findings listed above")
