"""Jinja filters that format values for DeepStream's key files, and refuse unsafe ones.

The profile model already rejects control characters and backslashes; these filters check again
at the last moment, so no template can write a value that changes the file's structure.
"""

from __future__ import annotations

from collections.abc import Iterable

from alpr_gen.errors import RenderError


def ini(value: object) -> str:
    """A scalar value: no newline or control character (new key / [group]), no backslash."""
    text = str(value)
    for ch in text:
        if ord(ch) < 32 or 127 <= ord(ch) < 160 or ch in "\\\u2028\u2029":
            raise RenderError(f"refusing to write {ch!r} into a DeepStream config value")
    if text != text.strip():
        raise RenderError(
            "refusing to write a value with leading or trailing spaces (GLib strips them)"
        )
    return text


def num(value: float | int) -> str:
    """Shortest exact form: 1.0 -> 1, 0.25 -> 0.25 (deterministic across runs)."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(int(value))


def semi(values: Iterable[object]) -> str:
    """A GLib list: items joined with ';' (an item holding ';' would split into two)."""
    items = []
    for v in values:
        item = num(v) if isinstance(v, int | float) else ini(v)
        if ";" in item:
            raise RenderError(f"refusing to write a list item containing ';': {item!r}")
        items.append(item)
    return ";".join(items)


def b01(value: bool) -> str:
    """DeepStream's booleans are integers: `enable=true` silently disables a group."""
    return "1" if value else "0"


FILTERS = {"ini": ini, "num": num, "semi": semi, "b01": b01}
