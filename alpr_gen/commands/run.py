"""`alpr-gen run`: preflight, then launch a config set and watch it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


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
        typer.Option("--out", help="With --site: the bundle directory [default: out/<site>]."),
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
    backend: Annotated[
        str,
        typer.Option(
            "--backend",
            help="auto | deepstream-app | preview. auto: deepstream-app where it is installed, "
            "else the preview backend (the set run in-process, without DeepStream).",
        ),
    ] = "auto",
    events: Annotated[
        Path | None,
        typer.Option(
            "--events",
            metavar="FILE",
            help="Preview backend: write the message payloads (and plate reads, line crossings, "
            "the summary) to this JSON Lines file instead of sending them to the broker.",
        ),
    ] = None,
    frames: Annotated[
        int | None,
        typer.Option(
            "--frames",
            min=1,
            help="Preview backend: stop once every stream has given N frames (file-loop sets "
            "otherwise run until Ctrl-C).",
        ),
    ] = None,
    no_network_checks: Annotated[
        bool,
        typer.Option(
            "--no-network-checks",
            help="Skip the broker and camera checks (reachability and broker login).",
        ),
    ] = False,
) -> None:
    """Check the machine, run the set (deepstream-app, or the preview backend where DeepStream is
    not installed), show per-stream FPS, forward Ctrl-C."""
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
    from alpr_gen.run.view import RunState, make_view, print_summary

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
        backend=backend,
        events=events,
        frames=frames,
    )
    out_console = console()
    opened = open_set(opts)
    if opened.rendered is not None:
        print_changes(opened.rendered, out_console)
        print_render_summary(opened.rendered, out_console)
    prepared = prepare(opened, opts)
    root = prepared.cs.app_config.parent.resolve()
    out_console.print(preflight_table(prepared.preflight.checks, title=f"preflight: {root}"))
    if prepared.notice:
        out_console.print(f"alpr-gen: {prepared.notice}", highlight=False)
    print_rows(prepared.backend.describe(), out_console)
    if dry_run:
        raise typer.Exit(0)
    refuse_unless_ready(prepared, opts)
    state = RunState(stream_names=stream_names(prepared.cs))
    view = make_view(out_console, state, title=prepared.backend.name)
    with view:
        code = launch(prepared, view.event)
    if state.summary is not None:
        print_summary(state.summary, out_console)
    raise typer.Exit(code)
