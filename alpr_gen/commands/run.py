"""`alpr-gen run`: preflight, then launch a config set and watch it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from alpr_gen.cli_args import nonempty_path


def run(
    site: Annotated[
        str | None,
        typer.Option(
            "--site", help="Render this site profile into its bundle, validate, then run."
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="Run an existing config set: a bundle directory "
            "(deepstream_app.txt inside) or the app config file.",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            parser=nonempty_path,
            help="With --site: the bundle directory [default: out/<site>].",
        ),
    ] = None,
    deepstream_app: Annotated[
        str | None,
        typer.Option("--deepstream-app", help="The deepstream-app binary [default: from PATH]."),
    ] = None,
    docker: Annotated[
        str | None,
        typer.Option(
            "--docker",
            metavar="IMAGE",
            help="Run inside this container image, e.g. "
            "nvcr.io/nvidia/deepstream:7.1-triton-multiarch.",
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Print the preflight table, the command, its working "
            "directory and environment; launch nothing.",
        ),
    ] = False,
    verbose: Annotated[
        int,
        typer.Option(
            "--verbose",
            "-v",
            count=True,
            help="GStreamer debug output: -v warnings, -vv info, -vvv debug (GST_DEBUG).",
        ),
    ] = 0,
    restart: Annotated[
        str,
        typer.Option("--restart", help="no | on-failure: restart deepstream-app when it fails."),
    ] = "no",
    max_restarts: Annotated[
        int, typer.Option("--max-restarts", help="Give up after N restarts.")
    ] = 5,
    backoff: Annotated[
        float,
        typer.Option(
            "--backoff", help="Seconds before the first restart; doubles each time (max 60)."
        ),
    ] = 2.0,
    stop_timeout: Annotated[
        float,
        typer.Option(
            "--stop-timeout",
            help="Seconds deepstream-app gets to stop after Ctrl-C/SIGTERM before it is killed.",
        ),
    ] = 15.0,
    force: Annotated[
        bool,
        typer.Option("--force", help="Launch even when validation or preflight checks fail."),
    ] = False,
    no_build: Annotated[
        bool, typer.Option("--no-build", help="Do not build a missing parser library.")
    ] = False,
    no_network_checks: Annotated[
        bool,
        typer.Option(
            "--no-network-checks",
            help="Skip the broker and camera checks (reachability and broker login).",
        ),
    ] = False,
) -> None:
    """Check the machine, launch deepstream-app, show per-stream FPS, forward Ctrl-C."""
    from alpr_gen.commands.output import (
        console,
        preflight_table,
        print_changes,
        print_render_summary,
        print_rows,
    )
    from alpr_gen.run.preflight import Environment
    from alpr_gen.run.session import (
        RunOptions,
        launch,
        open_set,
        prepare,
        refuse_unless_ready,
        stream_names,
    )
    from alpr_gen.run.view import RunState, make_view

    opts = RunOptions(
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
    out_console = console()
    opened = open_set(opts)
    if opened.rendered is not None:
        print_changes(opened.rendered, out_console)
        print_render_summary(opened.rendered, out_console)
    prepared = prepare(opened, opts)
    root = prepared.cs.app_config.parent.resolve()
    out_console.print(preflight_table(prepared.preflight.checks, title=f"preflight: {root}"))
    print_rows(prepared.backend.describe(), out_console)
    if dry_run:
        raise typer.Exit(0)
    refuse_unless_ready(prepared, opts)
    view = make_view(out_console, RunState(stream_names=stream_names(prepared.cs)))
    with view:
        code = launch(prepared, view.event)
    raise typer.Exit(code)
