"""The console-script entry point (`alpr-gen`, `python -m alpr_gen`).

Only the standard library is imported before the guard: Ctrl-C while the CLI is still loading
(typer, rich, ...) or while it prints an error exits 130 quietly, like Ctrl-C anywhere else,
instead of a traceback.
"""

from __future__ import annotations

import sys


def main() -> None:
    try:
        from alpr_gen.cli import main as cli_main

        cli_main()
    except KeyboardInterrupt:
        sys.exit(130)
