"""GLib's key-file value parsers, exactly: what g_key_file_get_integer / _double / _boolean /
_string and their _list forms accept, as nvinfer and deepstream-app call them.

Written after GLib's gkeyfile.c (g_key_file_parse_value_as_integer / _double / _boolean /
_string): integers go through strtol (leading whitespace and a sign allowed; after the digits
only the end of the value or a whitespace character may follow, so `12 abc` reads as 12);
doubles through g_ascii_strtod (C-locale decimal or hex, inf, nan; nothing may follow); booleans
are `true`/`1`/`false`/`0` (trailing whitespace ignored); strings unescape `\\s \\n \\t \\r \\\\`;
lists split on unescaped `;`, drop one trailing empty item and do not strip their items.
Standard library only.
"""

from __future__ import annotations

import math
import re

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
_ASCII_SPACE = " \t\n\v\f\r"
_LEADING_INT = re.compile(r"[ \t\n\v\f\r]*([+-]?)(\d*)")
_DECIMAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_HEX = re.compile(r"([+-]?)0[xX]([0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)([pP][+-]?\d+)?")
_SPECIAL = re.compile(r"([+-]?)(inf|infinity|nan(\([0-9A-Za-z_]*\))?)", re.IGNORECASE)
_ESCAPES = {"s": " ", "n": "\n", "t": "\t", "r": "\r", "\\": "\\"}


class GLibValueError(ValueError):
    """The value is not of the type asked for; the text is GLib's reason, without the value."""


def parse_integer(value: str) -> int:
    """g_key_file_get_integer: a 32-bit int by strtol, base 10."""
    m = _LEADING_INT.match(value)
    assert m is not None  # the pattern matches the empty string
    # strtol's end pointer: after the digits, or the very start when there are none
    rest = value[m.end() :] if m.group(2) else value
    if value == "" or (rest and rest[0] not in _ASCII_SPACE):
        raise GLibValueError("cannot be interpreted as a number")
    number = int(m.group(1) + m.group(2)) if m.group(2) else 0  # strtol of no digits is 0
    if not INT_MIN <= number <= INT_MAX:
        raise GLibValueError("integer value out of range")
    return number


def parse_double(value: str) -> float:
    """g_key_file_get_double: g_ascii_strtod over the whole value."""
    text = value.lstrip(_ASCII_SPACE)
    if _DECIMAL.fullmatch(text):
        try:
            return float(text)
        except OverflowError:  # pragma: no cover - float() returns inf, never raises here
            return math.copysign(math.inf, -1.0 if text.startswith("-") else 1.0)
    hexm = _HEX.fullmatch(text)
    if hexm:
        body = hexm.group(2) + ("p" + hexm.group(3)[1:] if hexm.group(3) else "p0")
        return float.fromhex(hexm.group(1) + "0x" + body)
    special = _SPECIAL.fullmatch(text)
    if special:
        sign = -1.0 if special.group(1) == "-" else 1.0
        return math.nan if special.group(2).lower().startswith("nan") else sign * math.inf
    raise GLibValueError("cannot be interpreted as a float number")


def parse_boolean(value: str) -> bool:
    """g_key_file_get_boolean: true/1 or false/0; trailing whitespace is ignored."""
    token = value.rstrip(_ASCII_SPACE)
    if token in ("true", "1"):
        return True
    if token in ("false", "0"):
        return False
    raise GLibValueError("cannot be interpreted as a boolean (true, false, 1 or 0)")


def parse_string(value: str) -> str:
    """g_key_file_get_string: the value with its escape sequences replaced."""
    return "".join(_unescape(value, split=False)[0])


def parse_string_list(value: str) -> list[str]:
    """g_key_file_get_string_list: items split on unescaped `;` (`\\;` is a literal `;`)."""
    return _unescape(value, split=True)


def parse_integer_list(value: str) -> list[int]:
    return [parse_integer(item) for item in parse_string_list(value)]


def parse_double_list(value: str) -> list[float]:
    return [parse_double(item) for item in parse_string_list(value)]


def _unescape(value: str, *, split: bool) -> list[str]:
    items: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(value):
        ch = value[i]
        if ch == "\\":
            if i + 1 >= len(value):
                raise GLibValueError("contains an escape character at the end of the line")
            nxt = value[i + 1]
            if nxt in _ESCAPES:
                current.append(_ESCAPES[nxt])
            elif split and nxt == ";":
                current.append(";")
            else:
                raise GLibValueError(f"contains the invalid escape sequence \\{nxt}")
            i += 2
            continue
        if split and ch == ";":
            items.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    if current or not split:
        items.append("".join(current))
    return items
