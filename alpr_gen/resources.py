"""Where the shipped templates, profiles and parser sources are.

In a wheel they are inside the package (`alpr_gen/_data/...`, see pyproject's force-include);
in a source checkout or editable install they are at the top of the repository.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """`templates`, `profiles` or `custom_parsers`."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"alpr-gen's {name}/ directory is missing from this installation")
