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
from alpr_gen.errors import AlprGenError, Interrupted

app = typer.Typer(
    name="alpr-gen",
    help="From a trained YOLO11 model to a running DeepStream ALPR pipeline.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

_state = {"debug": False}
# Exit code of an unexpected exception (sysexits' EX_SOFTWARE): not bad input, a bug.
INTERNAL_ERROR = 70


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
    """Entry point: typer handles usage errors (exit 2) and Ctrl-C inside a command (exit 130);
    AlprGenError becomes a message + code, SIGTERM/SIGHUP exit 128 + the signal, and anything
    else one "internal error" line: never a traceback unless --debug."""
    try:
        app(args=argv, prog_name="alpr-gen")  # standalone: ends with SystemExit
    except AlprGenError as exc:
        if _state["debug"]:
            raise
        _print_error(exc.message, exc.hint)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)  # Ctrl-C outside the command itself (typer handles it inside)
    except Interrupted as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:
        if _state["debug"]:
            raise
        _print_error(
            f"internal error: {type(exc).__name__}: {exc}",
            "this is a bug in alpr-gen: run the command again with --debug and report the "
            "traceback",
        )
        sys.exit(INTERNAL_ERROR)


def _print_error(message: str, hint: str | None) -> None:
    from rich.console import Console
    from rich.markup import escape

    from alpr_gen.redact import safe_text

    # Messages quote INI groups like [source0] and text from untrusted files: escape them for
    # rich markup, mask credentials, and show control characters instead of running them.
    console = Console(stderr=True, highlight=False, soft_wrap=True)

    def clean(text: str) -> str:
        return "\n".join(escape(safe_text(line)) for line in text.split("\n"))

    try:
        console.print(f"[bold red]error:[/] {clean(message)}", emoji=False)
        if hint:
            console.print(f"[yellow]hint:[/] {clean(hint)}", emoji=False)
    except BrokenPipeError:
        pass  # stderr closed: nothing more to say
