"""The field types of the site profile, and the validators behind them.

Strings that end up in DeepStream's INI files are `IniText`: no control characters (a newline
would start a new key or `[group]`) and no backslash (GLib unescapes it). Names that become part
of an INI *key* (`roi-<name>`, `line-crossing-<name>`) are `Label`s. `Int` and `Float` refuse
YAML booleans (pydantic would read `true` as 1).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
)

from alpr_gen.deepstream.versions import VERSIONS


def _ini_text(value: str) -> str:
    for ch in value:
        # C0 and C1 controls and Unicode line separators: some readers split lines on them.
        if ord(ch) < 32 or 127 <= ord(ch) < 160 or ch in "\u2028\u2029":
            raise ValueError(
                "contains a control character (newline, tab, ...); DeepStream's INI files cannot "
                "hold it, and a newline would inject a new key or [group]"
            )
    if "\\" in value:
        raise ValueError(
            "contains a backslash, which DeepStream's key-file reader unescapes; use /"
        )
    return value


def _not_bool(value: object) -> object:
    # pydantic reads true as 1; in a profile that is always a mistake (YAML's `fps: yes`).
    if isinstance(value, bool):
        raise ValueError("expected a number, got true/false (YAML reads yes/no/on/off as booleans)")
    return value


def _untrimmed_secret(value: object) -> object:
    # Never trim a secret silently: the broker would then refuse a password that "looks right".
    if isinstance(value, str) and value != value.strip():
        raise ValueError(
            "has leading or trailing whitespace, which alpr-gen will not trim from a secret "
            "(DeepStream's key-file reader would drop it): remove it from the value or the "
            "environment variable"
        )
    return value


def _no_semicolon(value: str) -> str:
    if ";" in value:
        raise ValueError("contains ';', DeepStream's list separator")
    return value


def _deepstream_version(value: object) -> object:
    # YAML reads `deepstream: 7.0` as a float.
    if isinstance(value, float):
        return f"{value:.1f}"
    return value


IniText = Annotated[str, AfterValidator(_ini_text)]
# A value that is also an element of a ';'-separated list (labels, lat;lon, proto-cfg...).
ListItem = Annotated[str, AfterValidator(_ini_text), AfterValidator(_no_semicolon)]
Label = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")]
SensorId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")]
Host = Annotated[str, Field(pattern=r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$|^\[[0-9A-Fa-f:.]+\]$")]
# Numbers that refuse YAML booleans (pydantic would read `fps: yes` as 1).
Int = Annotated[int, BeforeValidator(_not_bool)]
Float = Annotated[float, BeforeValidator(_not_bool)]
Port = Annotated[Int, Field(ge=1, le=65535)]
Path = Annotated[str, Field(min_length=1), AfterValidator(_ini_text), AfterValidator(_no_semicolon)]
Secret = Annotated[
    SecretStr,
    BeforeValidator(_untrimmed_secret),
    AfterValidator(lambda s: (_ini_text(s.get_secret_value()), s)[1]),
]
Point = tuple[Annotated[Int, Field(ge=0)], Annotated[Int, Field(ge=0)]]
Fraction = Annotated[Float, Field(ge=0.0, le=1.0)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _known_version(value: str) -> str:
    if value not in VERSIONS:
        raise ValueError(f"DeepStream {value!r} is not one of {', '.join(VERSIONS)}")
    return value


DeepStreamVersion = Annotated[
    str,
    BeforeValidator(_deepstream_version),
    AfterValidator(_known_version),
    Field(json_schema_extra={"enum": list(VERSIONS)}),
]
