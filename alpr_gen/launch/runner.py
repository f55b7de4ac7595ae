"""`alpr-gen run` end to end: bundle -> validate -> preflight -> command -> supervised launch.

`run_bundle(RunOptions)` is the one library call behind the command; it returns the exit code
(deepstream-app's, or 0 for --dry-run) and raises LaunchError (exit 2) when it cannot launch.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from alpr_gen.errors import LaunchError
from alpr_gen.launch.bundle import SOURCE_MULTI_URI, Bundle, load_bundle
from alpr_gen.launch.command import LaunchSpec, docker_command, mask_uri, native_command
from alpr_gen.launch.logparse import LogParser
from alpr_gen.launch.preflight import (
    FAIL,
    GET_DEEPSTREAM,
    Check,
    Environment,
    failed,
    run_preflight,
)
from alpr_gen.launch.supervisor import (
    RESTART_POLICIES,
    Supervisor,
    SupervisorEvent,
    forward_signals,
)
from alpr_gen.launch.view import RunState, make_view

_STATUS_STYLE = {"ok": "green", "warn": "yellow", "fail": "bold red", "skip": "dim"}


@dataclass
class RunOptions:
    site: str | None = None
    config: Path | None = None
    out: Path | None = None  # where --site renders (default out/<site>)
    deepstream_app: str | None = None
    docker_image: str | None = None
    dry_run: bool = False
    verbose: int = 0
    restart: str = "no"
    max_restarts: int = 5
    backoff: float = 2.0
    backoff_max: float = 60.0
    stop_timeout: float = 15.0
    force: bool = False
    build_parser: bool = True
    live: bool | None = None  # None: live table when stdout is a terminal
    env: Environment = field(default_factory=Environment)


def run_bundle(opts: RunOptions, console: Console | None = None) -> int:
    console = console or Console(highlight=False, soft_wrap=True)
    if opts.restart not in RESTART_POLICIES:
        raise LaunchError(f"--restart {opts.restart}: use one of {', '.join(RESTART_POLICIES)}")
    bundle = _resolve_bundle(opts, console)
    _validate(bundle, opts, console)

    builder = None if opts.dry_run or not opts.build_parser else _build_parser
    checks, found = run_preflight(
        bundle,
        deepstream_app=opts.deepstream_app,
        docker_image=opts.docker_image,
        env=opts.env,
        build_parser=builder,
    )
    console.print(preflight_table(checks, title=f"preflight: {bundle.dir}"))

    if opts.docker_image is None and found is None and not opts.dry_run:
        target = bundle.target_deepstream or "7.1"
        raise LaunchError(
            "deepstream-app is not installed here (not on PATH"
            + (f", and {opts.deepstream_app!r} does not exist" if opts.deepstream_app else "")
            + ")",
            hint=GET_DEEPSTREAM.format(ver=target),
        )
    spec = build_spec(bundle, opts, found)
    print_command(spec, console)
    if opts.dry_run:
        return 0
    bad = [c for c in failed(checks) if c.name != "deepstream-app"]
    if bad and not opts.force:
        raise LaunchError(
            "preflight failed: " + "; ".join(f"{c.name}: {c.detail}" for c in bad),
            hint="fix the failed checks above (each has a hint), or pass --force to launch anyway",
        )
    return supervise(spec, bundle, opts, console)


def build_spec(bundle: Bundle, opts: RunOptions, found: str | None) -> LaunchSpec:
    if opts.docker_image:
        return docker_command(
            bundle,
            opts.docker_image,
            verbose=opts.verbose,
            display=os.environ.get("DISPLAY"),
            docker=opts.env.which("docker") or "docker",
        )
    return native_command(
        bundle,
        found or opts.deepstream_app or "deepstream-app",
        verbose=opts.verbose,
        stdbuf=opts.env.which("stdbuf"),
    )


def supervise(
    spec: LaunchSpec,
    bundle: Bundle,
    opts: RunOptions,
    console: Console,
    *,
    on_start: Callable[[Supervisor], None] | None = None,
) -> int:
    state = RunState(stream_names=stream_names(bundle))
    view = make_view(console, state, opts.live)
    parser = LogParser()
    lock = threading.Lock()  # lines come from the reader thread, events from this one

    def on_line(text: str) -> None:
        with lock:
            view.line(text)
            for event in parser.feed(text):
                view.event(event)

    def on_event(event: SupervisorEvent) -> None:
        with lock:
            view.event(event)

    sup = Supervisor(
        spec,
        on_line,
        on_event=on_event,
        restart=opts.restart,
        max_restarts=opts.max_restarts,
        backoff=opts.backoff,
        backoff_max=opts.backoff_max,
        stop_timeout=opts.stop_timeout,
    )
    if on_start is not None:
        on_start(sup)
    with forward_signals(sup), view:
        return sup.run()


def stream_names(bundle: Bundle) -> dict[int, str]:
    """Stream index -> what feeds it (URIs with credentials masked), in deepstream-app's order:
    [sourceN] groups by N, a type-3 group expanding into num-sources streams."""
    names: dict[int, str] = {}
    sources = sorted(bundle.sources, key=lambda s: int(s.group[len("source") :]))
    for src in sources:
        count = src.num_sources if src.type == SOURCE_MULTI_URI else 1
        for _ in range(count):
            names[len(names)] = f"{src.group} {mask_uri(src.uri)}".strip()
    return names


def preflight_table(checks: list[Check], title: str = "preflight") -> Table:
    table = Table(title=escape(title), title_justify="left", show_lines=False)
    table.add_column("check")
    table.add_column("status")
    table.add_column("detail")
    table.add_column("hint")
    for c in checks:
        style = _STATUS_STYLE.get(c.status, "")
        table.add_row(escape(c.name), f"[{style}]{c.status}[/]", escape(c.detail), escape(c.hint))
    return table


def print_command(spec: LaunchSpec, console: Console) -> None:
    console.print("[bold]command:[/]", escape(spec.shell_line()), soft_wrap=True)
    console.print("[bold]cwd:[/]", escape(str(spec.cwd)), soft_wrap=True)
    env = spec.shown_env()
    if env:
        for key, value in env.items():
            console.print(f"[bold]env:[/] {escape(key)}={escape(value)}", soft_wrap=True)
    elif not spec.docker:
        console.print("[bold]env:[/] (inherited, nothing added)")


def _resolve_bundle(opts: RunOptions, console: Console) -> Bundle:
    if (opts.site is None) == (opts.config is None):
        raise LaunchError(
            "give exactly one of --site NAME or --config DIR",
            hint="--site renders the profile first; --config runs an existing set",
        )
    if opts.config is not None:
        return load_bundle(opts.config)
    from alpr_gen.site import default_out_dir, render_to_dir

    assert opts.site is not None  # checked above
    out_dir = opts.out or default_out_dir(opts.site)
    # render_to_dir validates the staged set and refuses to write one with errors (unless
    # --force), so a bundle from --site is already validated.
    code = render_to_dir(opts.site, out_dir, force=opts.force, console=console)
    if code != 0:
        raise LaunchError(f"rendering site {opts.site} failed (exit {code})")
    return load_bundle(out_dir)


def _validate(bundle: Bundle, opts: RunOptions, console: Console) -> None:
    """Lint an existing set (--config); --site was linted while rendering."""
    if opts.site is not None:
        return
    from alpr_gen.validate import lint_path
    from alpr_gen.validate.report import print_human

    report = lint_path(
        bundle.app_config, deepstream=bundle.target_deepstream, platform=bundle.target_platform
    )
    if report.findings:
        print_human(report, console.file, title=f"validate: {bundle.app_config}")
    if report.errors and not opts.force and not opts.dry_run:
        raise LaunchError(
            f"{bundle.app_config}: {len(report.errors)} validation error(s)",
            hint="fix them (see above), or pass --force to launch anyway",
        )


def _build_parser(lib: Path) -> str | None:
    """Build our parser library at `lib`; None on success, else why not."""
    from alpr_gen.errors import AlprGenError
    from alpr_gen.parser_build import LIBRARY_NAME, build_parser

    if lib.name != LIBRARY_NAME:
        return f"not alpr-gen's parser ({LIBRARY_NAME}); build it with its own instructions"
    if shutil.which("make") is None:
        return "make not found"
    try:
        build_parser(lib.parent)
    except AlprGenError as exc:
        return exc.message.splitlines()[0]
    return None


__all__ = ["FAIL", "RunOptions", "build_spec", "preflight_table", "run_bundle", "stream_names"]
