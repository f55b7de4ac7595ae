"""`alpr-gen run`: preflight, then launch deepstream-app on a config set and watch it."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command("run")
    def run_command(
        site: str | None = typer.Option(
            None, "--site", help="Render this site profile into its bundle, validate, then run."
        ),
        config: Path | None = typer.Option(
            None,
            "--config",
            help="Run an existing config set: a bundle directory "
            "(deepstream_app.txt inside) or the app config file.",
        ),
        out: Path | None = typer.Option(
            None, "--out", help="With --site: the bundle directory [default: out/<site>]."
        ),
        deepstream_app: str | None = typer.Option(
            None, "--deepstream-app", help="The deepstream-app binary [default: from PATH]."
        ),
        docker: str | None = typer.Option(
            None,
            "--docker",
            metavar="IMAGE",
            help="Run inside this container image, e.g. "
            "nvcr.io/nvidia/deepstream:7.1-triton-multiarch.",
        ),
        dry_run: bool = typer.Option(
            False,
            "--dry-run",
            help="Print the preflight table, the command, its working "
            "directory and environment; launch nothing.",
        ),
        verbose: int = typer.Option(
            0,
            "--verbose",
            "-v",
            count=True,
            help="GStreamer debug output: -v warnings, -vv info, -vvv debug (GST_DEBUG).",
        ),
        restart: str = typer.Option(
            "no", "--restart", help="no | on-failure: restart deepstream-app when it fails."
        ),
        max_restarts: int = typer.Option(5, "--max-restarts", help="Give up after N restarts."),
        backoff: float = typer.Option(
            2.0, "--backoff", help="Seconds before the first restart; doubles each time (max 60)."
        ),
        stop_timeout: float = typer.Option(
            15.0,
            "--stop-timeout",
            help="Seconds deepstream-app gets to stop after Ctrl-C/SIGTERM before it is killed.",
        ),
        force: bool = typer.Option(
            False, "--force", help="Launch even when validation or preflight checks fail."
        ),
        no_build: bool = typer.Option(
            False, "--no-build", help="Do not build a missing parser library."
        ),
        no_network_checks: bool = typer.Option(
            False,
            "--no-network-checks",
            help="Skip the broker and camera checks (reachability and broker login).",
        ),
    ) -> None:
        """Check the machine, launch deepstream-app, show per-stream FPS, forward Ctrl-C."""
        from alpr_gen.launch.preflight import Environment
        from alpr_gen.launch.runner import RunOptions, run_bundle

        code = run_bundle(
            RunOptions(
                site=site,
                config=config,
                out=out,
                deepstream_app=deepstream_app,
                docker_image=docker,
                dry_run=dry_run,
                verbose=verbose,
                restart=restart,
                max_restarts=max_restarts,
                backoff=backoff,
                stop_timeout=stop_timeout,
                force=force,
                build_parser=not no_build,
                env=Environment(network=not no_network_checks),
            )
        )
        raise typer.Exit(code)
