"""Load a site profile in stages: read YAML -> resolve `extends` -> interpolate env -> validate.

Each stage turns its failures into a `ProfileError` that names the file and line (or the
profile's dotted path) and says what to do. Values are never echoed in errors: they may hold
secrets that came from the environment.

Profiles are untrusted input: only regular files of at most 1 MiB are read, as UTF-8; YAML is
built by `yaml_bounded` (depth, alias expansion and duplicate keys checked); an `extends`
chain is at most `MAX_EXTENDS` long.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from pydantic import ValidationError

from alpr_gen import yaml_bounded
from alpr_gen.errors import ProfileError
from alpr_gen.fsutil import line_of_problem, os_reason, read_bounded, text_problem
from alpr_gen.profile.checks import check_profile
from alpr_gen.profile.messages import describe, dotted_path
from alpr_gen.profile.model import SiteProfile
from alpr_gen.redact import printable
from alpr_gen.resources import data_dir

MAX_PROFILE_BYTES = 1024 * 1024
MAX_EXTENDS = 8
# ${NAME} or ${NAME:-default}; a default holds no `$`, `{` or `}` (no nesting).
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^${}]*))?\}")
# Reports an interpolation error: (message, hint).
Fail = Callable[[str, str], NoReturn]
_SITE_HINT = (
    "a site is a profile: a name from `alpr-gen profiles`, or the path of a .yaml file "
    "(see docs/profile-reference.md)"
)

__all__ = [
    "check_profile",
    "dotted_path",
    "known_profiles",
    "load_profile",
    "profile_json_schema",
    "profile_summaries",
    "profiles_dir",
    "resolve_profile_path",
]


@dataclass
class _Source:
    """Which file and line each dotted path came from (the last file that set it wins)."""

    lines: dict[str, tuple[Path, int]] = field(default_factory=dict)

    def where(self, dotted: str) -> str:
        # Walk up to the nearest path we know a line for (a missing field has none).
        probe = dotted
        while probe:
            if probe in self.lines:
                path, line = self.lines[probe]
                return f"{path}:{line}"
            parent = re.sub(r"(\.[^.\[]+|\[\d+\])$", "", probe)
            probe = "" if parent == probe else parent  # a key like `a[b` has no parent form
        return ""


def profiles_dir() -> Path:
    return data_dir("profiles")


def known_profiles() -> dict[str, Path]:
    """Shipped profiles (`profiles/*.yaml`), by name; files starting with `_` are bases."""
    return {p.stem: p for p in sorted(profiles_dir().glob("*.yaml")) if not p.stem.startswith("_")}


def profile_summaries() -> list[tuple[str, str]]:
    """(name, description) of every shipped profile."""
    out = []
    for name, path in known_profiles().items():
        try:
            data = _read_yaml(path, _Source())
            description = str(data.get("description", ""))
        except ProfileError:
            description = "(unreadable)"
        out.append((name, description))
    return out


def profile_json_schema() -> str:
    """The JSON Schema of a site profile, for editor completion."""
    import json

    return json.dumps(SiteProfile.model_json_schema(), indent=2, sort_keys=True) + "\n"


def resolve_profile_path(name_or_path: str | Path, *, relative_to: Path | None = None) -> Path:
    """The profile file a `--site` value (or an `extends:`) names."""
    text = str(name_or_path)
    if not text.strip():
        raise ProfileError("the site name is empty", hint=_SITE_HINT)
    if text.endswith((".yaml", ".yml")) or "/" in text or os.sep in text:
        path = Path(text).expanduser()
        if not path.is_absolute() and relative_to is not None:
            path = relative_to / path
        if path.is_dir():
            raise ProfileError(f"{path} is a directory, not a profile", hint=_dir_hint(path))
        if not path.exists():
            raise ProfileError(f"profile file {path} does not exist", hint=_SITE_HINT)
        return path
    for base in [relative_to, profiles_dir()] if relative_to else [profiles_dir()]:
        for suffix in (".yaml", ".yml"):
            candidate = base / f"{text}{suffix}"
            if candidate.exists():
                return candidate
    if Path(text).is_dir():
        raise ProfileError(f"{text} is a directory, not a profile", hint=_dir_hint(Path(text)))
    known = ", ".join(known_profiles()) or "(none)"
    raise ProfileError(
        f"unknown site '{printable(text)}'; known sites: {known}",
        hint="pass a profile name from that list or a path to a .yaml file",
    )


def _dir_hint(path: Path) -> str:
    if (path / "deepstream_app.txt").exists():
        return (
            f"{_SITE_HINT}; {path} holds a rendered config set: run it with "
            f"`alpr-gen run --config {path}` or check it with `alpr-gen validate {path}`"
        )
    return _SITE_HINT


def load_profile(name_or_path: str | Path, *, env: Mapping[str, str] | None = None) -> SiteProfile:
    """Read, merge, interpolate and validate one site profile."""
    env = os.environ if env is None else env
    path = resolve_profile_path(name_or_path)
    source = _Source()
    raw = _read_with_extends(path, source, chain=())
    data = _interpolate(raw, env, source, "")
    try:
        profile = SiteProfile.model_validate(data)
    except ValidationError as exc:
        raise ProfileError(
            _format_validation(exc, path, source),
            hint="fix the fields listed above (`alpr-gen schema` lists every field)",
        ) from None
    problems = check_profile(profile)
    if problems:
        lines = [f"{_prefix(source, p, path)}{p}: {msg}" for p, msg in problems]
        raise ProfileError(
            f"{path}: the profile is inconsistent:\n  " + "\n  ".join(lines),
            hint="fix the fields listed above",
        )
    return profile


# --- stage 1 and 2: YAML and extends ---------------------------------------------------------


def _read_text(path: Path) -> str:
    try:
        data = read_bounded(path, MAX_PROFILE_BYTES)
    except OSError as exc:
        raise ProfileError(
            f"{path}: cannot read the profile: {os_reason(exc)}",
            hint="a profile is a YAML file of at most 1 MiB",
        ) from None
    problem = text_problem(data)
    if problem:
        line = line_of_problem(problem)
        where = f"{path}:{line}" if line is not None else str(path)
        raise ProfileError(
            f"{where}: the profile is not UTF-8 text: {problem.split(': ', 1)[-1]}",
            hint="save the profile as UTF-8 (most editors: File > Save with encoding)",
        )
    return data.decode("utf-8")


def _read_yaml(path: Path, source: _Source) -> dict[str, Any]:
    text = _read_text(path)

    def record(parts: tuple[str | int, ...], line: int) -> None:
        source.lines[dotted_path(parts)] = (path, line)

    what = "YAML syntax error"
    try:
        node = yaml_bounded.compose(text)
        what = "YAML"
        data = yaml_bounded.build(node, on_value=record)
    except yaml_bounded.YamlProblem as exc:
        where = f"{path}:{exc.line}" + (f":{exc.column}" if exc.column else "")
        raise ProfileError(
            f"{where if exc.line else path}: {what}: {exc.problem}",
            hint=_yaml_hint(text, exc),
        ) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ProfileError(
            f"{path}:1: a profile is a mapping of fields (name:, target:, cameras:, ...)",
            hint="start from a shipped profile: `alpr-gen profiles` lists them",
        )
    return data


def _yaml_hint(text: str, exc: yaml_bounded.YamlProblem) -> str | None:
    lines = text.split("\n")
    near = lines[max(exc.line - 2, 0) : exc.line] if exc.line else []
    if any("${" in ln and ("{" in ln.replace("${", "") or "[" in ln) for ln in near):
        return (
            'quote a ${VAR} inside {...} or [...]: write key: "${VAR}" (YAML reads an unquoted '
            "{ as the start of a mapping)"
        )
    if any("\t" in ln[: len(ln) - len(ln.lstrip())] for ln in near):
        return "indent with spaces: YAML does not allow tabs"
    if "duplicate key" in exc.problem:
        return "give each key once"
    return None


def read_merged(path: Path) -> dict[str, Any]:
    """The profile's YAML merged with its `extends` chain, read with load_profile's bounds and
    errors; nothing interpolated or validated."""
    return _read_with_extends(path, _Source(), ())


def _read_with_extends(path: Path, source: _Source, chain: tuple[Path, ...]) -> dict[str, Any]:
    resolved = path.resolve()
    if resolved in chain:
        cycle = " -> ".join(str(p) for p in (*chain, resolved))
        raise ProfileError(f"{path}: `extends` forms a cycle: {cycle}", hint="remove one extends")
    if len(chain) >= MAX_EXTENDS:
        raise ProfileError(
            f"{path}: `extends` chain longer than {MAX_EXTENDS} profiles",
            hint="merge some of the base profiles",
        )
    base_source = _Source()
    data = _read_yaml(path, base_source)
    parent = data.pop("extends", None)
    if parent is None:
        source.lines.update(base_source.lines)
        return data
    line = base_source.lines.get("extends", (path, 1))[1]
    if not isinstance(parent, str):
        raise ProfileError(
            f"{path}:{line}: extends: give one profile name or path",
            hint="e.g. extends: _alpr_base",
        )
    try:
        parent_path = resolve_profile_path(parent, relative_to=path.parent)
    except ProfileError as exc:
        raise ProfileError(f"{path}:{line}: extends: {exc.message}", hint=exc.hint) from None
    base = _read_with_extends(parent_path, source, (*chain, resolved))
    source.lines.update(base_source.lines)  # the child's lines win
    return deep_merge(base, data)


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Mappings merge key by key; lists and scalars in `override` replace the base's."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


# --- stage 3: ${VAR} interpolation ---------------------------------------------------------


def _interpolate(value: Any, env: Mapping[str, str], source: _Source, dotted: str) -> Any:
    if isinstance(value, dict):
        return {
            k: _interpolate(v, env, source, f"{dotted}.{k}" if dotted else str(k))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_interpolate(v, env, source, f"{dotted}[{i}]") for i, v in enumerate(value)]
    if not isinstance(value, str) or "$" not in value:
        return value
    return interpolate_text(value, env, lambda msg, hint: _env_error(source, dotted, msg, hint))


def interpolate_text(text: str, env: Mapping[str, str], fail: Fail) -> str:
    """One pass over `text`: `$$` -> `$`, `${NAME}` / `${NAME:-default}` from `env`.

    A `${` that starts no such reference (nested `${A_${B}}`, `${}`, no closing brace) is an
    error rather than text written out literally. Substituted values are not scanned again.
    """
    out: list[str] = []
    i = 0
    while (j := text.find("$", i)) != -1:
        out.append(text[i:j])
        if text.startswith("$$", j):
            out.append("$")
            i = j + 2
            continue
        if not text.startswith("${", j):
            out.append("$")
            i = j + 1
            continue
        m = _ENV_REF.match(text, j)
        if m is None:
            fail(
                "malformed or nested ${...}: only ${NAME} and ${NAME:-default} are read, and a "
                "default cannot hold ${...}",
                "compose the value in the environment instead; write $$ for a literal $",
            )
        name, default = m.group(1), m.group(2)
        if name in env:
            out.append(env[name])
        elif default is not None:
            out.append(default)
        else:
            fail(
                f"environment variable {name} is not set",
                f"export {name}=..., or give a default: ${{{name}:-value}}",
            )
        i = m.end()
    out.append(text[i:])
    return "".join(out)


def _env_error(source: _Source, dotted: str, message: str, hint: str) -> NoReturn:
    where = source.where(dotted)
    raise ProfileError(f"{where + ': ' if where else ''}{dotted}: {message}", hint=hint)


# --- stage 4: validation -------------------------------------------------------------------


def _prefix(source: _Source, dotted: str, path: Path) -> str:
    where = source.where(dotted)
    return f"{where}: " if where else f"{path}: "


def _format_validation(exc: ValidationError, path: Path, source: _Source) -> str:
    lines = []
    for err in exc.errors(include_url=False):
        dotted, message = describe(err)
        lines.append(
            f"{_prefix(source, dotted, path)}{printable(dotted) or '(profile)'}: {message}"
        )
    return f"{path}: the profile is not valid:\n  " + "\n  ".join(lines)
