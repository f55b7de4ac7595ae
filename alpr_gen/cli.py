"""The `alpr-gen` command line.

Commands are thin: each declares its options and calls library functions. They live one per
module in `alpr_gen/commands/` as plain functions and are registered from one table here, with
their examples as the help's epilog. Command modules import only typer and the standard library
at import time, so `alpr-gen --help` stays fast; heavy imports (torch, onnx, ...) happen inside
the command body.
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
from alpr_gen.commands.style import examples
from alpr_gen.errors import AlprGenError, Interrupted

app = typer.Typer(
    name="alpr-gen",
    help="From a trained YOLO11 model to a running DeepStream ALPR pipeline.",
    epilog=examples(
        "alpr-gen render --site demo      # then follow the next steps it prints",
        "alpr-gen COMMAND --help          # options and examples of one command",
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

_state = {"debug": False}
DEBUG = "--debug"
# Exit code of an unexpected exception (sysexits' EX_SOFTWARE): not bad input, a bug.
INTERNAL_ERROR = 70


def _version(value: bool) -> None:
    if value:
        typer.echo(f"alpr-gen {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: bool = typer.Option(
        False, DEBUG, help="Show tracebacks for errors (also after the command)."
    ),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    _state["debug"] = _state["debug"] or debug


# One table, in the order a deployment uses them: name -> (function, examples).
COMMANDS = (
    ("render", render.render, render.RENDER_EXAMPLES),
    ("export", export.export, export.EXPORT_EXAMPLES),
    ("export-ocr", export_ocr.export_ocr, export_ocr.EXPORT_OCR_EXAMPLES),
    ("build-parser", build_parser.build_parser, build_parser.BUILD_PARSER_EXAMPLES),
    ("validate", validate.validate, validate.VALIDATE_EXAMPLES),
    ("run", run.run, run.RUN_EXAMPLES),
    ("profiles", render.profiles, render.PROFILES_EXAMPLES),
    ("schema", render.schema, render.SCHEMA_EXAMPLES),
)
for _name, _command, _examples in COMMANDS:
    app.command(_name, epilog=_examples)(_command)


def _take_debug(args: list[str]) -> list[str]:
    """`--debug` anywhere before `--` (before or after the command): drop it and remember it."""
    end = args.index("--") if "--" in args else len(args)
    if DEBUG in args[:end]:
        _state["debug"] = True
        return [a for a in args[:end] if a != DEBUG] + args[end:]
    return args


def main(argv: list[str] | None = None) -> None:
    """Entry point: typer handles usage errors (exit 2) and Ctrl-C inside a command (exit 130);
    AlprGenError becomes a message + code, SIGTERM/SIGHUP exit 128 + the signal, and anything
    else one "internal error" line: never a traceback unless --debug."""
    _state["debug"] = False
    args = _take_debug(list(sys.argv[1:] if argv is None else argv))
    try:
        app(args=args, prog_name="alpr-gen")  # standalone: ends with SystemExit
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
