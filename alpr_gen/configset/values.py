"""How DeepStream reads a value: GLib's parsers (None where GLib fails), "enabled", relative
paths, file:// URIs.

Each rule mirrors DeepStream's own code (deepstream_config_file_parser.c, GLib gkeyfile.c); the
tests in tests/configset/test_values.py cite the lines they are built from.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from alpr_gen.deepstream import glib_values as gv
from alpr_gen.deepstream.keyfile import Group

_V = TypeVar("_V")


def glib_int(value: str | None) -> int | None:
    """The integer GLib reads from `value`, or None where g_key_file_get_integer fails."""
    return _or_none(gv.parse_integer, value)


def glib_int_list(value: str | None) -> list[int] | None:
    """g_key_file_get_integer_list: every `;`-separated item an integer, else None."""
    return _or_none(gv.parse_integer_list, value)


def glib_bool(value: str | None) -> bool | None:
    """g_key_file_get_boolean: exactly true/false/1/0 (trailing whitespace allowed)."""
    return _or_none(gv.parse_boolean, value)


def glib_float(value: str | None) -> float | None:
    """g_key_file_get_double (nothing may follow the number); NaN, which no config means, is
    None too."""
    number = _or_none(gv.parse_double, value)
    return number if number == number else None


def _or_none(parse: Callable[[str], _V], value: str | None) -> _V | None:
    if value is None:
        return None
    try:
        return parse(value)
    except gv.GLibValueError:
        return None


def enabled(group: Group | None) -> bool:
    """DeepStream's `enable`: parse_source/parse_sink/parse_gie skip the group unless
    g_key_file_get_integer(enable) succeeds and is non-zero (a missing key, `true` or `yes`
    all read as disabled); parse_tracker and the others read the integer the same way."""
    if group is None:
        return False
    number = glib_int(group.get("enable"))
    return number is not None and number != 0


def resolve_path(config_file: Path, value: str) -> Path:
    """get_absolute_file_path: an absolute value stays; a relative one joins the directory of
    the config file that names it (after realpath() of that file)."""
    if value.startswith("/"):
        return Path(os.path.normpath(value))
    return Path(os.path.normpath(config_file.parent / value))


def resolve_uri(config_file: Path, uri: str) -> str:
    """parse_source: `file://x` becomes `file://` + resolve_path(x); other URIs are unchanged."""
    if uri.startswith("file://"):
        return "file://" + resolve_path(config_file, uri[len("file://") :]).as_posix()
    return uri


def file_uri_path(uri: str) -> Path | None:
    """The local file of a `file://` URI (after resolve_uri), else None."""
    return Path(uri[len("file://") :]) if uri.startswith("file://") else None
