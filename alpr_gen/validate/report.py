"""Print a LintReport: human (rich, grouped by file), JSON, or GitHub Actions annotations.

Findings quote the files they are about, and those files are untrusted: every text printed here
(message, file, group, key) has its credentials masked, and in human and GitHub output its
control characters escaped and its length bounded (`_shown`).
"""

from __future__ import annotations

import json
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from alpr_gen.redact import clip, mask_text, safe_text
from alpr_gen.validate.findings import PENDING_RULES, Finding, LintReport, Severity

if TYPE_CHECKING:
    from rich.console import Console

    from alpr_gen.next_steps import Step

FORMATS = ("human", "json", "github")
# A finding's message stays readable even when it quotes a 1 MB line.
MAX_MESSAGE = 400
MAX_NAME = 120


def _shown(text: str, limit: int = MAX_MESSAGE) -> str:
    """Untrusted text as printed: credentials masked, control characters escaped, clipped."""
    return clip(safe_text(text), limit)


_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def _display_path(report: LintReport, f: Finding) -> str:
    """The finding's file as a path usable from the current directory."""
    from alpr_gen.next_steps import shown_dir

    p = Path(f.file)
    return shown_dir(p if p.is_absolute() else Path(report.root) / p)


def summary(report: LintReport) -> str:
    waiting = _waiting(report)
    pending = f", {len(waiting)} pending (next steps below)" if waiting else ""
    return (
        f"{len(report.errors)} error(s), {len(report.warnings)} warning(s){pending} "
        f"(DeepStream {report.deepstream}, {report.platform})"
    )


def _waiting(report: LintReport) -> list[Finding]:
    """Pending items a next step supplies (an engine nvinfer builds at start is not one)."""
    return [f for f in report.pending if f.rule_id != "DS203"]


def _listed(report: LintReport) -> list[Finding]:
    """Findings shown one by one: pending info findings are shown as next steps instead."""
    return [
        f
        for f in report.findings
        if not (f.severity is Severity.INFO and f.rule_id in PENDING_RULES)
    ]


def render_steps(steps: list[Step], console: Console, *, title: str = "next steps") -> None:
    """Numbered steps: commands as they are typed, to-dos as sentences, with what each makes."""
    from rich.markup import escape

    from alpr_gen.redact import printable

    console.print(f"[bold]{escape(title)}:[/]")
    for number, step in enumerate(steps, 1):
        text = escape(printable(step.text))
        console.print(f"  {number}. " + (f"[bold cyan]{text}[/]" if step.command else text))
        if step.produces and step.text.startswith("alpr-gen "):
            made = ", ".join(printable(p) for p in step.produces)
            console.print(f"     [dim]{escape(made)}[/]")


def render_human(
    report: LintReport, *, console: Console | None = None, title: str | None = None
) -> None:
    """Findings grouped by file, then a summary line, on a rich console (stdout by default)."""
    from rich.console import Console
    from rich.markup import escape

    console = console or Console(highlight=False, soft_wrap=True, emoji=False)
    console.print(f"[bold]{escape(_shown(title or report.root, MAX_NAME))}[/]")
    for file, items in groupby(_listed(report), key=lambda f: f.file):
        console.print(f"  [bold]{escape(_shown(file, MAX_NAME))}[/]")
        for f in items:
            where = f"[{f.group}]" if f.group else ""
            where += f" {f.key}" if f.key else ""
            console.print(
                f"    {f.line:>5}  [{_STYLE[f.severity]}]{f.severity.value:<7}[/] {f.rule_id}  "
                f"[dim]{escape(_shown(where.strip(), MAX_NAME))}[/]  {escape(_shown(f.message))}"
            )
    style = "bold red" if report.errors else ("yellow" if report.warnings else "green")
    console.print(f"  [{style}]{escape(summary(report))}[/]")
    if _waiting(report) and report.next_steps:
        render_steps(report.next_steps, console)


def print_human(report: LintReport, out: TextIO, *, title: str | None = None) -> None:
    from rich.console import Console

    console = Console(file=out, highlight=False, soft_wrap=True, emoji=False)
    render_human(report, console=console, title=title)


def _gh_escape(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def github_lines(report: LintReport) -> list[str]:
    level = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
    lines = []
    for f in report.findings:
        path = _shown(_display_path(report, f), MAX_NAME)
        props = [f"file={_gh_escape(path, prop=True)}"]
        if f.line:
            props.append(f"line={f.line}")
        props.append(f"title={_gh_escape(f.rule_id, prop=True)}")
        lines.append(f"::{level[f.severity]} {','.join(props)}::{_gh_escape(_shown(f.message))}")
    return lines


def _masked(report: dict[str, object]) -> dict[str, object]:
    findings = report.get("findings")
    if isinstance(findings, list):
        report["findings"] = [
            {k: mask_text(v) if isinstance(v, str) else v for k, v in f.items()}
            for f in findings
            if isinstance(f, dict)
        ]
    return report


def emit(reports: list[tuple[str, LintReport]], fmt: str, out: TextIO) -> None:
    """Write every (title, report) in the chosen format."""
    if fmt == "json":
        # JSON escapes control characters itself; credentials are masked like everywhere else.
        data = [_masked(dict(r.as_dict(), title=t)) for t, r in reports]
        json.dump(data[0] if len(data) == 1 else data, out, indent=2)
        out.write("\n")
    elif fmt == "github":
        for _, r in reports:
            for line in github_lines(r):
                out.write(line + "\n")
            out.write(f"{summary(r)}\n")
    else:
        for t, r in reports:
            print_human(r, out, title=t)
