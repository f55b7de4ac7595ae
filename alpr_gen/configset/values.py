"""How DeepStream reads a value: GLib's integer parsing, "enabled", relative paths, file:// URIs.

Each rule mirrors DeepStream's own code (deepstream_config_file_parser.c, GLib gkeyfile.c); the
tests in tests/configset/test_values.py cite the lines they are built from.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from alpr_gen.deepstream.keyfile import Group

# g_key_file_get_integer: strtol(value, &end, 10), accepted when something was read and only
# whitespace follows; a value outside the C int range is an error too.
_GLIB_INT = re.compile(r"^[ \t\n\r\f\v]*([+-]?\d+)[ \t\n\r\f\v]*$")
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1


def glib_int(value: str | None) -> int | None:
    """The integer GLib reads from `value`, or None where g_key_file_get_integer fails."""
    if value is None:
        return None
    m = _GLIB_INT.match(value)
    if m is None:
        return None
    number = int(m.group(1))
    return number if _INT_MIN <= number <= _INT_MAX else None


def glib_bool(value: str | None) -> bool | None:
    """g_key_file_get_boolean: exactly true/false/1/0 (trailing whitespace allowed)."""
    if value is None:
        return None
    return {"true": True, "1": True, "false": False, "0": False}.get(value.rstrip())


def glib_float(value: str | None) -> float | None:
    """g_key_file_get_double: g_ascii_strtod over the whole value (whitespace around allowed)."""
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if number == number else None  # NaN is not a value a config means


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
