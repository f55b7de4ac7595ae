"""`alpr-gen run` as library steps: the config set -> preflight -> a backend -> its run.

The command prints between the steps; nothing here prints. `open_set` reads the set (rendering a
site first), `prepare` runs preflight and builds the backend, `refuse_unless_ready` decides
whether to launch, and `launch` runs the backend with signals forwarded to it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from alpr_gen.configset import ConfigSet
from alpr_gen.errors import LaunchError
from alpr_gen.redact import mask_uri
from alpr_gen.run.backend import Emit, forward_signals
from alpr_gen.run.deepstream_app.backend import DeepStreamAppBackend
from alpr_gen.run.deepstream_app.command import LaunchSpec, docker_command, native_command
from alpr_gen.run.deepstream_app.supervisor import RESTART_POLICIES
from alpr_gen.run.preflight import (
    Environment,
    PreflightContext,
    PreflightResult,
    run_preflight,
)
from alpr_gen.run.preflight.model import ParserBuilder
from alpr_gen.run.preflight.system import GET_DEEPSTREAM
from alpr_gen.writer import RenderOutcome


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
    env: Environment = field(default_factory=Environment)


@dataclass(frozen=True)
class OpenedSet:
    cs: ConfigSet
    rendered: RenderOutcome | None  # what --site wrote


@dataclass(frozen=True)
class Prepared:
    cs: ConfigSet
    preflight: PreflightResult
    backend: DeepStreamAppBackend


def open_set(opts: RunOptions) -> OpenedSet:
    """The set to run: --config DIR read as it is, or --site NAME rendered into its bundle
    first (render validates the staged set and refuses errors unless --force)."""
    from alpr_gen.configset import load

    if opts.restart not in RESTART_POLICIES:
        raise LaunchError(f"--restart {opts.restart}: use one of {', '.join(RESTART_POLICIES)}")
    if (opts.site is None) == (opts.config is None):
        raise LaunchError(
            "give exactly one of --site NAME or --config DIR",
            hint="--site renders the profile first; --config runs an existing set",
        )
    if opts.config is not None:
        return OpenedSet(load(opts.config.expanduser()), None)
    from alpr_gen.writer import render_to_dir

    assert opts.site is not None  # checked above
    outcome = render_to_dir(opts.site, opts.out, force=opts.force)
    return OpenedSet(load(outcome.out_dir), outcome)


def prepare(opened: OpenedSet, opts: RunOptions) -> Prepared:
    """Preflight (validate's findings included) and the backend that would run the set."""
    from alpr_gen.validate import lint

    cs = opened.cs
    ctx = PreflightContext(
        cs,
        opts.env,
        deepstream_app=opts.deepstream_app,
        docker_image=opts.docker_image,
        build_parser=None if opts.dry_run or not opts.build_parser else _builder(cs.deepstream),
        lint=lint,
        platform=cs.platform,
    )
    result = run_preflight(ctx)
    if opts.docker_image is None and result.deepstream_app is None and not opts.dry_run:
        raise LaunchError(
            "deepstream-app is not installed here (not on PATH"
            + (f", and {opts.deepstream_app!r} does not exist" if opts.deepstream_app else "")
            + ")",
            hint=GET_DEEPSTREAM.format(ver=cs.deepstream),
        )
    spec = launch_spec(cs, opts, result.deepstream_app)
    backend = DeepStreamAppBackend(
        spec,
        restart=opts.restart,
        max_restarts=opts.max_restarts,
        backoff=opts.backoff,
        backoff_max=opts.backoff_max,
        stop_timeout=opts.stop_timeout,
    )
    return Prepared(cs, result, backend)


def refuse_unless_ready(prepared: Prepared, opts: RunOptions) -> None:
    """Launch only a set without validation errors on a machine whose checks passed."""
    if opts.force:
        return
    report = prepared.preflight.report
    if report is not None and report.errors:
        raise LaunchError(
            f"{prepared.cs.app.rel}: {len(report.errors)} validation error(s)",
            hint="fix them (see above), or pass --force to launch anyway",
        )
    bad = [c for c in prepared.preflight.failed if c.name != "deepstream-app"]
    if bad:
        raise LaunchError(
            "preflight failed: " + "; ".join(f"{c.name}: {c.detail}" for c in bad),
            hint="fix the failed checks above (each has a hint), or pass --force to launch anyway",
        )


def launch(prepared: Prepared, emit: Emit) -> int:
    """Run the backend to its end, with SIGINT/SIGTERM/SIGHUP forwarded as a stop request."""
    with forward_signals(prepared.backend):
        return prepared.backend.run(emit)


def launch_spec(cs: ConfigSet, opts: RunOptions, found: str | None) -> LaunchSpec:
    if opts.docker_image:
        return docker_command(
            cs,
            opts.docker_image,
            verbose=opts.verbose,
            display=os.environ.get("DISPLAY"),
            docker=opts.env.which("docker") or "docker",
        )
    return native_command(
        cs,
        found or opts.deepstream_app or "deepstream-app",
        verbose=opts.verbose,
        stdbuf=opts.env.which("stdbuf"),
    )


def stream_names(cs: ConfigSet) -> dict[int, str]:
    """Stream index -> what feeds it (URIs with credentials masked), in deepstream-app's order:
    [sourceN] groups by N, a type-3 group expanding into num-sources streams."""
    names: dict[int, str] = {}
    for src in cs.sources:
        for _ in range(src.streams):
            names[len(names)] = f"{src.group} {mask_uri(src.uri)}".strip()
    return names


def _builder(deepstream: str) -> ParserBuilder:
    """Builds alpr-gen's parser library for the set's DeepStream (its object layout)."""

    def build(lib: Path) -> str | None:
        from alpr_gen.deepstream.facts import PARSER_LIBRARY
        from alpr_gen.errors import AlprGenError
        from alpr_gen.parser_build import build_parser

        if lib.name != PARSER_LIBRARY:
            return f"not alpr-gen's parser ({PARSER_LIBRARY}); build it with its own instructions"
        try:
            build_parser(lib.parent, deepstream=deepstream)
        except AlprGenError as exc:
            return exc.message.splitlines()[0]
        return None

    return build
