"""Which environment variables a profile reads (`${VAR}`, `${VAR:-default}`), for `profiles`.

Read from the YAML of the profile and its `extends` chain, merged as the loader merges them, so
a variable that a child profile no longer uses is not listed. Nothing is interpolated here.
"""

from __future__ import annotations

import re
from pathlib import Path

from alpr_gen.errors import AlprGenError
from alpr_gen.profile.loader import read_merged, resolve_profile_path

_VAR_RE = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?\}")


def _walk(value: object, found: dict[str, bool]) -> None:
    if isinstance(value, dict):
        for item in value.values():
            _walk(item, found)
    elif isinstance(value, list):
        for item in value:
            _walk(item, found)
    elif isinstance(value, str):
        for m in _VAR_RE.finditer(value):
            if m.group(1):
                # Needed when any use has no default.
                found[m.group(1)] = found.get(m.group(1), False) or m.group(2) is None


def profile_variables(name_or_path: str | Path) -> list[tuple[str, bool]]:
    """(variable, needed) for every variable the profile reads, sorted; needed = no default.
    An unreadable profile reads none (render reports why)."""
    found: dict[str, bool] = {}
    try:
        _walk(read_merged(resolve_profile_path(name_or_path)), found)
    except AlprGenError:
        return []
    return sorted(found.items())
