"""`alpr-gen render`, `alpr-gen profiles`, `alpr-gen schema`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from alpr_gen.cli_args import nonempty_path


def render(
    site: Annotated[
        str,
        typer.Option(
            "--site", "-s", help="Profile name (see `alpr-gen profiles`) or a .yaml path."
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", parser=nonempty_path, help="Output directory [default: out/SITE]."
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Write even if validation finds errors, overwriting files alpr-gen did not "
            "write (or that were edited since).",
        ),
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Show what would change, as a diff; write nothing."),
    ] = False,
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 if the output on disk differs (CI).")
    ] = False,
) -> None:
    """Render a site profile into the config set deepstream-app needs."""
    from alpr_gen.commands.output import console, print_changes, print_render_summary, safe
    from alpr_gen.writer import render_to_dir

    out_console = console()
    outcome = render_to_dir(site, out, force=force, dry_run=dry_run, check=check)
    print_changes(outcome, out_console)
    if dry_run and outcome.diff:
        typer.echo(outcome.diff, nl=False)  # already masked and escaped, line by line
    if outcome.written:
        print_render_summary(outcome, out_console)
    elif check and outcome.drift:
        out_console.print(
            f"{len(outcome.drift)} file(s) differ from the profile: run alpr-gen render "
            f"--site {safe(site)}"
            + ("" if out is None else f" --out {safe(out)}")
            + (" --force (it overwrites the edited files)" if outcome.conflicts else "")
        )
        raise typer.Exit(1)


def profiles() -> None:
    """List the shipped site profiles."""
    from alpr_gen.commands.output import console, safe
    from alpr_gen.profile import profile_summaries

    out = console()
    for name, description in profile_summaries():
        out.print(f"[bold]{safe(name):<14}[/] {safe(description)}")


def schema(
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", parser=nonempty_path, help="Write to this file instead of stdout."
        ),
    ] = None,
) -> None:
    """Print the JSON Schema of a site profile (for editor completion)."""
    from alpr_gen.profile import profile_json_schema

    text = profile_json_schema()
    if out is None:
        typer.echo(text, nl=False)
        return
    from alpr_gen.fsutil import write_text_atomic

    write_text_atomic(out, text)
