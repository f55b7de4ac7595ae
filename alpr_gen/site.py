"""Site-level operations behind the CLI: render a profile to disk, list profiles, the schema."""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from alpr_gen.errors import RenderError
from alpr_gen.profile import known_profiles, load_profile
from alpr_gen.render import Bundle, render_bundle
from alpr_gen.writer import plan_changes, write_bundle

_STYLE = {"created": "green", "changed": "yellow", "identical": "dim", "removed": "red"}


def default_out_dir(site: str) -> Path:
    return Path("out") / site


def render_to_dir(
    site: str,
    out: Path | None = None,
    *,
    force: bool = False,
    dry_run: bool = False,
    check: bool = False,
    console: Console | None = None,
) -> int:
    """Render `site` into `out`; returns the exit code (1 for --check drift)."""
    console = console or Console(highlight=False)
    profile = load_profile(site)
    bundle = render_bundle(profile)
    out_dir = out if out is not None else default_out_dir(profile.name)
    if dry_run or check:
        changes = plan_changes(bundle, out_dir)
        drift = [c for c in changes if c.status != "identical"]
        for c in changes:
            console.print(f"[{_STYLE[c.status]}]{c.status:>9}[/] {escape(str(out_dir / c.path))}")
        if check and drift:
            console.print(f"{len(drift)} file(s) differ from the profile: run alpr-gen render")
            return 1
        return 0

    def refuse_invalid(stage: Path) -> None:
        _validate_staged(bundle, stage, out_dir, force=force, console=console)

    changes = write_bundle(bundle, out_dir, check_staged=refuse_invalid)
    for c in changes:
        console.print(f"[{_STYLE[c.status]}]{c.status:>9}[/] {escape(str(out_dir / c.path))}")
    console.print(
        f"rendered site [bold]{escape(profile.name)}[/] for DeepStream {bundle.plan.deepstream} "
        f"({bundle.plan.platform}, {len(bundle.plan.sources)} sources) into {escape(str(out_dir))}"
    )
    return 0


def _validate_staged(
    bundle: Bundle, stage: Path, out_dir: Path, *, force: bool, console: Console
) -> None:
    """Lint the staged set as if it were already in `out_dir`; refuse it on errors."""
    from dataclasses import replace

    from alpr_gen.validate import lint_path
    from alpr_gen.validate.report import render_human

    report = lint_path(
        stage,
        deepstream=bundle.plan.deepstream,
        platform=bundle.plan.platform,
        as_if_at=out_dir.resolve(),
    )
    if report.errors:
        # Show the errors against the final paths, not the staging directory.
        shown = replace(report, root=str(out_dir), findings=report.errors)
        render_human(shown, console=console, title=f"validation of {out_dir}")
        if not force:
            raise RenderError(
                f"the rendered set for {bundle.plan.site} has {len(report.errors)} validation "
                "error(s); nothing was written",
                hint="fix the profile, or pass --force to write it anyway",
            )
    if report.warnings:
        # Usually "model not deployed yet" before export/build-parser: count, do not flood.
        console.print(
            f"[yellow]{len(report.warnings)} warning(s)[/] "
            f"(see: alpr-gen validate {escape(str(out_dir))})"
        )


def list_profiles(console: Console | None = None) -> None:
    import yaml

    console = console or Console(highlight=False)
    for name, path in known_profiles().items():
        try:
            description = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get(
                "description", ""
            )
        except (OSError, yaml.YAMLError):
            description = "(unreadable)"
        console.print(f"[bold]{escape(name):<14}[/] {escape(str(description))}")


def profile_schema(out: Path | None) -> None:
    from alpr_gen.profile_model import SiteProfile

    text = json.dumps(SiteProfile.model_json_schema(), indent=2, sort_keys=True) + "\n"
    if out is None:
        print(text, end="")
        return
    from alpr_gen.atomic import write_text_atomic

    write_text_atomic(out, text)
