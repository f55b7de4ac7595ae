"""How commands show results: file changes, preflight tables, what a backend will run.

Commands are the only code that prints; this module holds what several of them print the same
way. Every text from a config, a profile or the network is escaped for rich markup and for the
terminal (redact.printable) before it is shown.
"""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from alpr_gen.redact import safe_text
from alpr_gen.run.preflight import Check
from alpr_gen.writer import RenderOutcome

_CHANGE_STYLE = {
    "created": "green",
    "changed": "yellow",
    "identical": "dim",
    "removed": "red",
    "kept": "cyan",
    "conflict": "bold red",
}
_STATUS_STYLE = {"ok": "green", "warn": "yellow", "fail": "bold red", "skip": "dim"}


def safe(text: object) -> str:
    """Untrusted text as rich markup that prints literally and runs no terminal control."""
    return escape(safe_text(str(text)))


def console(*, stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False, soft_wrap=True, emoji=False)


def print_changes(outcome: RenderOutcome, out: Console) -> None:
    for c in outcome.changes:
        why = f" ({safe(c.reason)})" if c.reason else ""
        out.print(
            f"[{_CHANGE_STYLE[c.status]}]{c.status:>9}[/] {safe(outcome.out_dir / c.path)}{why}"
        )


def print_render_summary(outcome: RenderOutcome, out: Console) -> None:
    plan = outcome.rendered.plan
    out.print(
        f"rendered site [bold]{safe(plan.site)}[/] for DeepStream {plan.deepstream} "
        f"({plan.platform}, {len(plan.sources)} sources) into {safe(outcome.out_dir)}"
    )
    report = outcome.report
    if report is not None and report.warnings:
        # Usually "model not deployed yet" before export/build-parser: count, do not flood.
        out.print(
            f"[yellow]{len(report.warnings)} warning(s)[/] "
            f"(see: alpr-gen validate {safe(outcome.out_dir)})"
        )


def preflight_table(checks: list[Check], title: str = "preflight") -> Table:
    table = Table(title=safe(title), title_justify="left", show_lines=False)
    table.add_column("check")
    table.add_column("status")
    table.add_column("detail")
    table.add_column("hint")
    for c in checks:
        style = _STATUS_STYLE.get(c.status.value, "")
        table.add_row(safe(c.name), f"[{style}]{c.status.value}[/]", safe(c.detail), safe(c.hint))
    return table


def print_rows(rows: list[tuple[str, str]], out: Console) -> None:
    """(label, text) rows such as a backend's command, cwd and environment."""
    for label, text in rows:
        out.print(f"[bold]{safe(label)}:[/] {safe(text)}", soft_wrap=True)
