"""The profile reference (docs/profile-reference.md), generated from the pydantic models.

The models are the single source of truth; `tools/gen_profile_docs.py` writes the file and a
test fails when it is out of date.
"""

from __future__ import annotations

import types
import typing
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo

from alpr_gen.profile.model import SiteProfile


def _type_name(annotation: Any) -> str:
    origin = get_origin(annotation)
    args = get_args(annotation)
    if origin is typing.Annotated:
        return _type_name(args[0])
    if origin is Literal:
        return " \\| ".join(f"`{a}`" for a in args)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a) for a in args)
    if origin in (list, tuple):
        inner = ", ".join(_type_name(a) for a in args if a is not Ellipsis)
        return f"list of {inner}" if origin is list else f"[{inner}]"
    if origin is dict:
        return f"map {_type_name(args[0])} → {_type_name(args[1])}"
    if annotation is type(None):
        return "null"
    if isinstance(annotation, type) and issubclass(annotation, SecretStr):
        return "secret (use ${ENV})"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    return getattr(annotation, "__name__", str(annotation))


def _default(field: FieldInfo) -> str:
    if field.is_required():
        return "**required**"
    value = field.get_default(call_default_factory=True)
    if isinstance(value, BaseModel):
        return "(defaults)"
    if value in ([], {}):
        return "empty"
    return f"`{value}`"


def _constraints(field: FieldInfo) -> str:
    parts = []
    for meta in field.metadata:
        for name in ("ge", "le", "gt", "lt", "multiple_of", "min_length", "max_length", "pattern"):
            value = getattr(meta, name, None)
            if value is not None:
                text = f"`{value}`" if name == "pattern" else str(value)
                parts.append(f"{name.replace('_', ' ')} {text}".replace("|", "\\|"))
    return "; ".join(parts)


def _models(root: type[BaseModel]) -> list[type[BaseModel]]:
    seen: list[type[BaseModel]] = []

    def visit(model: type[BaseModel]) -> None:
        if model in seen:
            return
        seen.append(model)
        for field in model.model_fields.values():
            for candidate in _walk(field.annotation):
                visit(candidate)

    visit(root)
    return seen


def _walk(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in get_args(annotation):
        found += _walk(arg)
    return found


def profile_reference() -> str:
    lines = [
        "# Site profile reference",
        "",
        "Generated from `alpr_gen/profile/model.py` by `python tools/gen_profile_docs.py`; do not",
        "edit by hand. Unknown fields are errors. Strings may use `${VAR}` or `${VAR:-default}`;",
        "`$$` is a literal `$`. A profile may start with `extends: <name or path>` (deep merge:",
        "mappings merge, lists replace). Relative paths are relative to the rendered bundle.",
        "",
    ]
    for model in _models(SiteProfile):
        lines += [f"## {model.__name__}", ""]
        doc = (model.__doc__ or "").strip().splitlines()
        if doc and not doc[0].startswith("!!"):
            lines += [doc[0], ""]
        lines += ["| field | type | default | constraints | description |", "|---|---|---|---|---|"]
        for name, field in model.model_fields.items():
            lines.append(
                f"| `{name}` | {_type_name(field.annotation)} | {_default(field)} | "
                f"{_constraints(field)} | {(field.description or '').replace('|', '/')} |"
            )
        lines.append("")
    return "\n".join(lines)
