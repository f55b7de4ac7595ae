"""`alpr-gen render`, `alpr-gen profiles`, `alpr-gen schema`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from alpr_gen.cli_args import nonempty_path
from alpr_gen.commands.style import default, examples, out_option, site_option

RENDER_EXAMPLES = examples(
    "alpr-gen render --site demo",
    "alpr-gen render -s lot7 -o /srv/alpr/lot7 --dry-run",
    "alpr-gen render -s profiles/lot7.yaml --check   # CI: exit 1 on drift",
)


def render(
    site: Annotated[
        str,
        site_option("Profile name (see `alpr-gen profiles`) or a .yaml file."),
    ],
    out: Annotated[
        Path | None,
        out_option("Bundle directory." + default("out/SITE"), parser=nonempty_path),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            "-f",
            help="Write even if validation finds errors, and overwrite files alpr-gen did not "
            "write (or that were edited since).",
        ),
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", "-n", help="Show what would change, as a diff; write nothing."),
    ] = False,
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 if the files on disk differ (CI).")
    ] = False,
) -> None:
    """Render a site profile into a deepstream-app config set.

    Writes the configs into the bundle directory (validated first: nothing is written when the
    set has errors), then prints the next steps: the commands that add the models and the
    parser library, in order, for this bundle.
    """
    from shlex import quote

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
        again = f"alpr-gen render --site {quote(site)}"
        if out is not None:
            again += f" --out {quote(str(out))}"
        if outcome.conflicts:
            again += " --force"  # the drifted files were edited by hand: overwriting them is asked
        out_console.print(
            f"{len(outcome.drift)} file(s) differ from the profile: run {safe(again)}"
        )
        raise typer.Exit(1)


PROFILES_EXAMPLES = examples(
    "alpr-gen profiles", "FLEET_MQTT_PASSWORD=... alpr-gen render -s fleet16"
)


def profiles() -> None:
    """List the shipped site profiles and the variables they read.

    A variable marked "needed" has no default in the profile: export it before `render`.
    """
    from alpr_gen.commands.output import console, print_profiles
    from alpr_gen.profile import profile_summaries
    from alpr_gen.profile.environment import profile_variables

    print_profiles(profile_summaries(), profile_variables, console())


SCHEMA_EXAMPLES = examples(
    "alpr-gen schema -o profile.schema.json",
    "# then, in a profile:  # yaml-language-server: $schema=profile.schema.json",
)


def schema(
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            metavar="FILE",
            parser=nonempty_path,
            help="Write here." + default("standard output"),
        ),
    ] = None,
) -> None:
    """Print the JSON Schema of a site profile (for editors)."""
    from alpr_gen.profile import profile_json_schema

    text = profile_json_schema()
    if out is None:
        typer.echo(text, nl=False)
        return
    from alpr_gen.fsutil import write_text_atomic

    write_text_atomic(out, text)
