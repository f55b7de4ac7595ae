"""`alpr-gen run`: preflight, then launch a config set and watch it."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from alpr_gen.cli_args import nonempty_path
from alpr_gen.commands.style import config_option, default, examples, out_option, site_option

RUN_EXAMPLES = examples(
    "alpr-gen run --config out/demo --dry-run   # checks, no launch",
    "alpr-gen run -c out/lot7 --restart on-failure",
    "alpr-gen run -c out/lot7 \\",
    "  --docker nvcr.io/nvidia/deepstream:7.1-triton-multiarch",
    "alpr-gen run -s demo -n --network-checks   # also reach the brokers",
    "alpr-gen run -c out/demo --backend preview --frames 240   # no DeepStream",
)


class Restart(str, Enum):
    no = "no"
    on_failure = "on-failure"


def run(
    site: Annotated[
        str | None,
        site_option("Render this profile into its bundle, validate it, then run it."),
    ] = None,
    config: Annotated[
        Path | None,
        config_option("Run this bundle (or this deepstream-app config file) as it is."),
    ] = None,
    out: Annotated[
        Path | None,
        out_option("With --site: the bundle." + default("out/SITE"), parser=nonempty_path),
    ] = None,
    deepstream_app: Annotated[
        str | None,
        typer.Option(
            "--deepstream-app",
            metavar="FILE",
            help="The deepstream-app binary." + default("deepstream-app on PATH"),
        ),
    ] = None,
    docker: Annotated[
        str | None,
        typer.Option(
            "--docker",
            metavar="IMAGE",
            help="Run inside this container image (NVIDIA's DeepStream images: see below).",
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            "-n",
            help="Print the checks, the command, its directory and environment; launch nothing.",
        ),
    ] = False,
    network_checks: Annotated[
        bool | None,
        typer.Option(
            "--network-checks/--no-network-checks",
            help="Check that brokers and cameras answer, and log in to the brokers."
            + default("on, off with --dry-run"),
            show_default=False,
        ),
    ] = None,
    verbose: Annotated[
        int,
        typer.Option(
            "--verbose",
            "-v",
            count=True,
            help="GStreamer debug output: -v warnings, -vv info, -vvv debug (GST_DEBUG).",
            show_default=False,
        ),
    ] = 0,
    restart: Annotated[
        Restart,
        typer.Option("--restart", help="Restart deepstream-app when it fails, or not."),
    ] = Restart.no,
    max_restarts: Annotated[
        int, typer.Option("--max-restarts", metavar="N", help="Give up after N restarts.")
    ] = 5,
    backoff: Annotated[
        float,
        typer.Option(
            "--backoff",
            metavar="SECONDS",
            help="Wait before the first restart; doubles each time (at most 60).",
        ),
    ] = 2.0,
    stop_timeout: Annotated[
        float,
        typer.Option(
            "--stop-timeout",
            metavar="SECONDS",
            help="Time deepstream-app gets to stop after Ctrl-C/SIGTERM before it is killed.",
        ),
    ] = 15.0,
    force: Annotated[
        bool,
        typer.Option("--force", "-f", help="Launch even when validation or preflight checks fail."),
    ] = False,
    no_build: Annotated[
        bool, typer.Option("--no-build", help="Do not build a missing parser library.")
    ] = False,
    backend: Annotated[
        str,
        typer.Option(
            "--backend",
            metavar="NAME",
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
            metavar="N",
            show_default=False,
            help="Preview backend: stop once every stream has given N frames (file-loop sets "
            "otherwise run until Ctrl-C).",
        ),
    ] = None,
) -> None:
    """Check the machine, then run the set and watch it.

    Preflight checks the machine and the set (`validate --deployed`), then the backend runs it:
    deepstream-app in the bundle directory where it is installed, else the preview backend (the
    same files run in-process, without DeepStream). A live per-stream FPS table; Ctrl-C stops it
    cleanly.
    """
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

    if frames is not None and frames < 1:
        from alpr_gen.errors import LaunchError

        raise LaunchError(f"--frames {frames}: give a number of frames >= 1")

    # A dry run shows what would happen: it does not touch the network unless asked.
    network = (not dry_run) if network_checks is None else network_checks
    opts = RunOptions(
        site=site,
        config=config,
        out=out,
        deepstream_app=deepstream_app,
        docker_image=docker,
        dry_run=dry_run,
        verbose=verbose,
        restart=restart.value,
        max_restarts=max_restarts,
        backoff=backoff,
        stop_timeout=stop_timeout,
        force=force,
        build_parser=not no_build,
        env=Environment(network=network),
        backend=backend,
        events=events,
        frames=frames,
    )
    out_console = console()
    opened = open_set(opts)
    if opened.rendered is not None:
        print_changes(opened.rendered, out_console)
        print_render_summary(opened.rendered, out_console, steps=False)
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
