"""The console-script entry point (`alpr-gen`, `python -m alpr_gen`).

Only the standard library is imported before the guard: Ctrl-C while the CLI is still loading
(typer, rich, ...) or while it prints an error exits 130 quietly, like Ctrl-C anywhere else,
instead of a traceback. Once the command has finished, a Ctrl-C has nothing left to interrupt:
it is ignored while the interpreter shuts down (Python would otherwise restore the default
action there, and the process would die of SIGINT instead of exiting with its own status).
"""

from __future__ import annotations

import signal
import sys


def main() -> None:
    try:
        from alpr_gen.cli import main as cli_main

        cli_main()
    except KeyboardInterrupt:
        sys.exit(130)
    finally:
        # Only for the process's own exit: this function is the console script, never a library
        # call (Python keeps SIG_IGN through its shutdown; a handler of ours it would reset).
        signal.signal(signal.SIGINT, signal.SIG_IGN)
