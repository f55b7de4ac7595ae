"""pydantic's validation errors as a profile author reads them: the dotted path, the expected
shape ("expected [width, height]"), and "did you mean" for a misspelt field.

The input value is never shown (it may hold a secret from the environment); its *kind* is, when
that explains the mistake ("got true/false: YAML reads yes/no/on/off as booleans").
"""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from alpr_gen.profile.model import SiteProfile
from alpr_gen.redact import printable

# Discriminator values pydantic inserts into error locations of tagged unions.
_UNION_TAGS = {"kafka", "mqtt", "amqp", "redis", "none", "fakesink", "file", "rtsp", "display"}

# The shape of each list-shaped field, by its name (and its parent's, where one name has two).
_SHAPES = {
    "resolution": "expected [width, height], e.g. [1920, 1080]",
    "lines.points": "expected a segment [[x1, y1], [x2, y2]]",
    "zones.points": "expected a polygon: at least 3 points [[x, y], [x, y], [x, y], ...]",
    "direction": "expected an arrow [[from_x, from_y], [to_x, to_y]]",
    "point": "expected a point [x, y]",
    "labels": "expected a list of class names, e.g. [vehicle, plate]",
    "cameras": "expected a list of cameras (one `- id: ...` block each)",
    "outputs": "expected a list of outputs, e.g. [{type: fakesink}]",
}
_PATTERNS = {
    r"^[A-Za-z][A-Za-z0-9_-]{0,63}$": "expected a name: a letter, then letters, digits, _ or - "
    "(at most 64)",
    r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$": "expected an id: letters, digits, _ . : or - "
    "(at most 128, not starting with a punctuation mark)",
    r"^[A-Za-z0-9]+$": "expected letters and digits only",
    r"^[A-Za-z0-9]$": "expected one letter or digit",
    r"^[LDA]{1,32}$": "expected a plate format of L (letter), D (digit) and A (either)",
}
_KIND = {
    bool: "true/false (YAML reads yes/no/on/off as booleans: quote it if you meant text)",
    int: "a number",
    float: "a number",
    str: "text",
    list: "a list",
    dict: "a mapping",
    type(None): "nothing (an empty value)",
}


def dotted_path(loc: tuple[int | str, ...]) -> str:
    """('cameras', 2, 'uri') -> 'cameras[2].uri'; drops the tags pydantic adds for unions."""
    out = ""
    for i, part in enumerate(loc):
        previous = loc[i - 1] if i else None
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in _UNION_TAGS and (previous == "messaging" or isinstance(previous, int)):
            continue  # messaging.<tag>.port, outputs[0].<tag>.port
        else:
            out += f".{part}" if out else part
    return out


def describe(err: ErrorDetails) -> tuple[str, str]:
    """(dotted path, message) for one pydantic error."""
    loc = tuple(err["loc"])
    kind, ctx = err["type"], err.get("ctx") or {}
    got = _kind_of(err.get("input"))
    if kind == "missing" and loc and isinstance(loc[-1], int):
        # A short tuple ([1920] for a resolution): the shape of the whole value, at its path.
        return dotted_path(loc[:-1]), f"{_shape(loc[:-1]) or 'more values needed'}"
    path = dotted_path(loc)
    if kind == "extra_forbidden":
        return path, _unknown_field(loc)
    if kind == "missing":
        return path, f"required: add `{loc[-1]}:`" if loc else "required"
    if kind in ("tuple_type", "list_type") or (
        kind in ("too_short", "too_long") and ctx.get("field_type") == "Tuple"
    ):
        shape = _shape(loc) or ("expected a list" if kind == "list_type" else "wrong length")
        return path, f"{shape}{_got(got, kind)}"
    if kind == "too_short":
        items = ctx.get("min_length")
        return path, _shape(loc) or f"needs at least {items} item(s)"
    if kind == "too_long":
        return path, f"at most {ctx.get('max_length')} item(s)"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return path, f"expected a whole number{_got(got, kind)}"
    if kind in ("float_type", "float_parsing"):
        return path, f"expected a number{_got(got, kind)}"
    if kind in ("bool_type", "bool_parsing"):
        return path, f"expected true or false{_got(got, kind)}"
    if kind == "string_type":
        hint = ' (quote it: "...")' if got in (_KIND[int], _KIND[float], _KIND[bool]) else ""
        if got == _KIND[dict]:
            hint = ' (an unquoted ${VAR} in a {...} mapping? write key: "${VAR}")'
        return path, f"expected text{_got(got, kind)}{hint}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return path, f"expected a mapping of fields (key: value){_got(got, kind)}"
    if kind == "literal_error":
        return path, f"expected one of {ctx.get('expected', '?')}"
    discriminator = str(ctx.get("discriminator", "")).strip("'")
    if kind == "union_tag_invalid":
        # At the discriminator's own line (`broker: mqttt`), not the mapping's.
        tag = printable(str(ctx.get("tag")))
        expected = str(ctx.get("expected_tags", ""))
        close = difflib.get_close_matches(tag, [t.strip("'") for t in expected.split(", ")], 1)
        mean = f"; did you mean {close[0]!r}?" if close else ""
        return f"{path}.{discriminator}", f"unknown '{tag}': expected one of {expected}{mean}"
    if kind == "union_tag_not_found":
        return path, f"missing `{discriminator}:` (it says which kind this is)"
    if kind == "string_pattern_mismatch":
        return path, _PATTERNS.get(str(ctx.get("pattern")), f"must match {ctx.get('pattern')}")
    if kind == "string_too_short":
        return path, "must not be empty"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        return path, _bound(kind, ctx)
    if kind == "multiple_of":
        return path, f"must be a multiple of {ctx.get('multiple_of')}"
    return path, err["msg"].removeprefix("Value error, ")


def _bound(kind: str, ctx: dict[str, Any]) -> str:
    words = {
        "greater_than_equal": ("at least", "ge"),
        "greater_than": ("more than", "gt"),
        "less_than_equal": ("at most", "le"),
        "less_than": ("less than", "lt"),
    }
    word, key = words[kind]
    return f"must be {word} {ctx.get(key)}"


def _kind_of(value: object) -> str | None:
    for typ, text in _KIND.items():
        if type(value) is typ:
            return text
    return None


def _got(got: str | None, kind: str) -> str:
    if got is None or (kind.endswith("_parsing") and got == _KIND[str]):
        return ""
    return f", got {got}"


def _shape(loc: tuple[int | str, ...]) -> str | None:
    names = [p for p in loc if isinstance(p, str) and p not in _UNION_TAGS]
    if not names:
        return None
    if isinstance(loc[-1], int) and names[-1] in ("points", "direction"):
        return _SHAPES["point"]
    last = names[-1]
    parent = names[-2] if len(names) > 1 else ""
    return _SHAPES.get(f"{parent}.{last}") or _SHAPES.get(last)


# --- did you mean ---------------------------------------------------------------------------


def _unknown_field(loc: tuple[int | str, ...]) -> str:
    name = str(loc[-1]) if loc else ""
    known = fields_at(loc[:-1])
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if close:
        return f"unknown field; did you mean `{close[0]}`?"
    if known:
        shown = ", ".join(known[:16]) + (", ..." if len(known) > 16 else "")
        return f"unknown field; the fields here are: {shown}"
    return "unknown field (check its spelling; `alpr-gen schema` lists the fields)"


def fields_at(loc: tuple[int | str, ...]) -> list[str]:
    """The field names of the model found by following `loc` from SiteProfile."""
    current: object = SiteProfile
    for part in loc:
        current = _step(current, part)
        if current is None:
            return []
    model = _model(current, None)
    return list(model.model_fields) if model is not None else []


def _step(tp: object, part: int | str) -> object | None:
    model = _model(tp, part)
    if model is not None:
        if isinstance(part, str) and part in model.model_fields:
            return model.model_fields[part].annotation
        return model if part in _UNION_TAGS else None
    tp = _unwrap(tp)
    origin, args = get_origin(tp), get_args(tp)
    if origin in (list, tuple) and isinstance(part, int) and args:
        return args[min(part, len(args) - 1)] if origin is tuple else args[0]
    if origin is dict and isinstance(part, str) and len(args) == 2:
        return args[1]
    return None


def _model(tp: object, tag: int | str | None) -> type[BaseModel] | None:
    """The model `tp` stands for; in a union, the member whose Literal kind is `tag`."""
    tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return tp
    if get_origin(tp) in (Union, types.UnionType):
        models = [m for a in get_args(tp) if (m := _model(a, None)) is not None]
        for m in models:
            for info in m.model_fields.values():
                if get_origin(info.annotation) is Literal and tag in get_args(info.annotation):
                    return m
        return models[0] if len(models) == 1 else None
    return None


def _unwrap(tp: object) -> object:
    while get_origin(tp) is typing.Annotated:
        tp = get_args(tp)[0]
    return tp
