"""One CLI style for every command: how defaults and examples appear in `--help`.

Every option shows its default the same way (`[default: X]`, click's own form, also for
defaults that are computed, such as out/SITE), and every command ends its help with examples
that run as printed. Standard library only: `alpr-gen --help` imports this.
"""

from __future__ import annotations

from typing import Any


def default(text: str) -> str:
    """The `[default: ...]` suffix for a help text whose default is not a literal value."""
    return f"  [default: {text}]"


def examples(*lines: str) -> str:
    """An epilog of example command lines, kept as written (`\\b` stops click rewrapping)."""
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


# The options that say which bundle a command works on, spelt alike in every command (typer's
# OptionInfo; typed loosely so `--help` need not import typer here before it is needed).
def site_option(help: str, **kw: Any) -> Any:
    import typer

    return typer.Option("--site", "-s", metavar="NAME", help=help, **kw)


def config_option(help: str, **kw: Any) -> Any:
    import typer

    return typer.Option("--config", "-c", metavar="DIR", help=help, **kw)


def out_option(help: str, **kw: Any) -> Any:
    import typer

    return typer.Option("--out", "-o", metavar="DIR", help=help, **kw)
