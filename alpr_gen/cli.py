"""The `alpr-gen` command line.

Commands are thin: each declares its options and calls one library function. They live one per
module in `alpr_gen/commands/` and register themselves here. Command modules import only typer
and the standard library at import time, so `alpr-gen --help` stays fast; heavy imports
(torch, onnx, ...) happen inside the command body.
"""

from __future__ import annotations

import sys

import typer

from alpr_gen import __version__
from alpr_gen.commands import (
    build_parser,
    export,
    export_ocr,
    render,
    run,
    validate,
)
from alpr_gen.errors import AlprGenError

app = typer.Typer(
    name="alpr-gen",
    help="From a trained YOLO11 model to a running DeepStream ALPR pipeline.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

_state = {"debug": False}


def _version(value: bool) -> None:
    if value:
        typer.echo(f"alpr-gen {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for errors."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    _state["debug"] = debug


# One table: command name -> function (each module imports only typer and the standard library).
for _name, _command in (
    ("render", render.render),
    ("profiles", render.profiles),
    ("schema", render.schema),
    ("validate", validate.validate),
    ("run", run.run),
):
    app.command(_name)(_command)
# TODO(restructure): these three move to the table once the export/parser work has merged.
for _module in (export, export_ocr, build_parser):
    _module.register(app)


def main(argv: list[str] | None = None) -> None:
    """Entry point: typer handles usage errors (exit 2); AlprGenError becomes a message + code."""
    try:
        app(args=argv, prog_name="alpr-gen")  # standalone: ends with SystemExit
    except AlprGenError as exc:
        if _state["debug"]:
            raise
        _print_error(exc)
        sys.exit(exc.exit_code)


def _print_error(exc: AlprGenError) -> None:
    from rich.console import Console
    from rich.markup import escape

    # Messages quote INI groups like [source0]: escape them so rich does not read them as markup.
    console = Console(stderr=True, highlight=False, soft_wrap=True)
    console.print(f"[bold red]error:[/] {escape(exc.message)}", emoji=False)
    if exc.hint:
        console.print(f"[yellow]hint:[/] {escape(exc.hint)}", emoji=False)
