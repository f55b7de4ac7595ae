"""`alpr-gen render`, `alpr-gen profiles`, `alpr-gen schema`."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    app.command("render")(render)
    app.command("profiles")(profiles)
    app.command("schema")(schema)


def render(
    site: str = typer.Option(
        ..., "--site", "-s", help="Profile name (see `alpr-gen profiles`) or a .yaml path."
    ),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Output directory [default: out/SITE]."
    ),
    force: bool = typer.Option(False, "--force", help="Write even if validation finds errors."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would change; write nothing."),
    check: bool = typer.Option(False, "--check", help="Exit 1 if the output on disk differs (CI)."),
) -> None:
    """Render a site profile into the config set deepstream-app needs."""
    from alpr_gen.site import render_to_dir

    code = render_to_dir(site, out, force=force, dry_run=dry_run, check=check)
    if code:
        raise typer.Exit(code)


def profiles() -> None:
    """List the shipped site profiles."""
    from alpr_gen.site import list_profiles

    list_profiles()


def schema(
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Write to this file instead of stdout."
    ),
) -> None:
    """Print the JSON Schema of a site profile (for editor completion)."""
    from alpr_gen.site import profile_schema

    profile_schema(out)
