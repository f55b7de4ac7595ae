"""How commands show results: file changes, preflight tables, what a backend will run.

Commands are the only code that prints; this module holds what several of them print the same
way. Every text from a config, a profile or the network is escaped for rich markup and for the
terminal (redact.printable) before it is shown.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from shlex import quote
from typing import TYPE_CHECKING

from rich.console import Console, ConsoleOptions, RenderResult
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from alpr_gen.redact import safe_text
from alpr_gen.validate.report import render_steps

if TYPE_CHECKING:
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


def print_render_summary(outcome: RenderOutcome, out: Console, *, steps: bool = True) -> None:
    plan = outcome.rendered.plan
    out.print(
        f"rendered site [bold]{safe(plan.site)}[/] for DeepStream {plan.deepstream} "
        f"({plan.platform}, {len(plan.sources)} sources) into {safe(outcome.out_dir)}"
    )
    report = outcome.report
    if report is None:
        return
    if report.errors or report.warnings:
        # Written with --force, or warnings about the profile's choices: validate lists them.
        from alpr_gen.next_steps import shown_dir

        what = f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)"
        out.print(
            f"[yellow]{what}[/] (see: alpr-gen validate {safe(quote(shown_dir(outcome.out_dir)))})"
        )
    if steps and report.next_steps:
        render_steps(report.next_steps, out)


# Below this width (or off a terminal) checks print as a list: a table would fold or cut the
# commands in the hint column, and CI logs and pipes are read as text.
_TABLE_MIN_WIDTH = 120


class PreflightView:
    """The checks as a table on a wide terminal, else as a list whose hints are whole lines
    (commands stay copyable; nothing is cut at 80 columns)."""

    def __init__(self, checks: list[Check], title: str) -> None:
        self.checks = checks
        self.title = title

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if console.is_terminal and options.max_width >= _TABLE_MIN_WIDTH:
            yield self.table()
            return
        yield Text.from_markup(f"[bold]{safe(self.title)}[/]")
        width = max((len(c.status.value) for c in self.checks), default=4)
        for c in self.checks:
            style = _STATUS_STYLE.get(c.status.value, "")
            status = f"[{style}]{c.status.value:<{width}}[/]"
            yield Text.from_markup(f"  {status}  [bold]{safe(c.name)}[/]: {safe(c.detail)}")
            if c.hint:
                yield Text.from_markup(f"  {'':<{width}}  [dim]hint:[/] {safe(c.hint)}")

    def table(self) -> Table:
        table = Table(title=safe(self.title), title_justify="left", show_lines=False)
        table.add_column("check", no_wrap=True)
        table.add_column("status", no_wrap=True)
        table.add_column("detail", overflow="fold")
        table.add_column("hint", overflow="fold")
        for c in self.checks:
            style = _STATUS_STYLE.get(c.status.value, "")
            table.add_row(
                safe(c.name), f"[{style}]{c.status.value}[/]", safe(c.detail), safe(c.hint)
            )
        return table


def preflight_table(checks: list[Check], title: str = "preflight") -> PreflightView:
    return PreflightView(checks, title)


def print_profiles(
    summaries: list[tuple[str, str]],
    variables: Callable[[str], list[tuple[str, bool]]],
    out: Console,
) -> None:
    """One profile per line, then the environment variables it reads (needed ones first)."""
    width = max((len(name) for name, _ in summaries), default=8) + 2
    for name, description in summaries:
        out.print(f"[bold]{safe(name):<{width}}[/]{safe(description)}")
        found = variables(name)
        needed = [v for v, must in found if must]
        optional = [v for v, must in found if not must]
        pad = " " * width
        for label, names, style in (
            ("needs", needed, "yellow"),
            (
                "reads",
                [*optional[:-1], f"{optional[-1]} (each has a default)"] if optional else [],
                "dim",
            ),
        ):
            # Wrapped by hand at 80 columns: variable names are never split.
            lines = textwrap.wrap(", ".join(names), 80 - width - 6, break_on_hyphens=False)
            for i, line in enumerate(lines):
                head = f"[{style}]{label}[/]" if i == 0 else " " * len(label)
                out.print(f"{pad}{head} {safe(line)}")


def print_rows(rows: list[tuple[str, str]], out: Console) -> None:
    """(label, text) rows such as a backend's command, cwd and environment."""
    for label, text in rows:
        out.print(f"[bold]{safe(label)}:[/] {safe(text)}", soft_wrap=True)
