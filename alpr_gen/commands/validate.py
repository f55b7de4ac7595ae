"""`alpr-gen validate`: lint a deepstream-app config set without a GPU."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command("validate")
    def validate(
        path: Path | None = typer.Argument(
            None, help="Config directory or deepstream-app config file.", show_default=False
        ),
        site: list[str] = typer.Option(
            [], "--site", help="Render this site profile in memory and validate it (repeatable)."
        ),
        all_sites: bool = typer.Option(
            False, "--all-sites", help="Validate every shipped profile."
        ),
        deepstream: str | None = typer.Option(
            None,
            "--deepstream",
            help="Target DeepStream: 6.3, 7.0, 7.1 or 8.0 (default: manifest.json, else 8.0).",
        ),
        platform: str | None = typer.Option(
            None, "--platform", help="Target platform: jetson or dgpu (default: manifest.json)."
        ),
        fmt: str = typer.Option("human", "--format", help="human, json or github (annotations)."),
        strict: bool = typer.Option(False, "--strict", help="Exit 1 on warnings too."),
        out: Path = typer.Option(
            Path("out"), "--out", help="Where --site bundles live (model paths resolve there)."
        ),
    ) -> None:
        """Check configs against DeepStream's keys and cross-file rules. Exit 1 on errors."""
        from alpr_gen.validate.runner import run_validate

        code = run_validate(
            path,
            sites=site,
            all_sites=all_sites,
            deepstream=deepstream,
            platform=platform,
            fmt=fmt,
            strict=strict,
            out_dir=out,
        )
        raise typer.Exit(code)
