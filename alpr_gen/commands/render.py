"""`alpr-gen render`, `alpr-gen profiles`, `alpr-gen schema` (being written by the lead)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Nothing registered yet."""
