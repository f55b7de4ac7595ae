"""Load a site profile in stages: read YAML -> resolve `extends` -> interpolate env -> validate.

Each stage turns its failures into a `ProfileError` that names the file and line (or the
profile's dotted path) and says what to do. Values are never echoed in errors: they may hold
secrets that came from the environment.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from alpr_gen.errors import ProfileError
from alpr_gen.profile.model import Line, SiteProfile, Zone
from alpr_gen.resources import data_dir

# libyaml's loader when PyYAML was built with it (PyPI's wheels are): ~10x faster.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_ENV_RE = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
# Discriminator values pydantic inserts into error locations of tagged unions.
_UNION_TAGS = {"kafka", "mqtt", "amqp", "redis", "none", "fakesink", "file", "rtsp", "display"}


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
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader) or {}
            description = str(data.get("description", "")) if isinstance(data, dict) else ""
        except (OSError, yaml.YAMLError):
            description = "(unreadable)"
        out.append((name, description))
    return out


def profile_json_schema() -> str:
    """The JSON Schema of a site profile, for editor completion."""
    import json

    return json.dumps(SiteProfile.model_json_schema(), indent=2, sort_keys=True) + "\n"


def resolve_profile_path(name_or_path: str | Path, *, relative_to: Path | None = None) -> Path:
    text = str(name_or_path)
    if text.endswith((".yaml", ".yml")) or "/" in text:
        path = Path(text)
        if not path.is_absolute() and relative_to is not None:
            path = relative_to / path
        if not path.is_file():
            raise ProfileError(f"profile file {path} does not exist")
        return path
    for base in [relative_to, profiles_dir()] if relative_to else [profiles_dir()]:
        for suffix in (".yaml", ".yml"):
            candidate = base / f"{text}{suffix}"
            if candidate.is_file():
                return candidate
    known = ", ".join(known_profiles()) or "(none)"
    raise ProfileError(
        f"unknown site {text!r}; known sites: {known}",
        hint="pass a profile name from that list or a path to a .yaml file",
    )


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
        raise ProfileError(_format_validation(exc, path, source)) from None
    problems = check_profile(profile)
    if problems:
        lines = [f"{_prefix(source, p, path)}{p}: {msg}" for p, msg in problems]
        raise ProfileError(f"{path}: the profile is inconsistent:\n  " + "\n  ".join(lines))
    return profile


# --- stage 1 and 2: YAML and extends ---------------------------------------------------------


def _read_yaml(path: Path, source: _Source) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProfileError(f"{path}: cannot read the profile: {exc.strerror}") from None
    try:
        # One pass: compose the node tree (for line numbers), then build the data from it.
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ProfileError(f"{where}: YAML syntax error: {problem}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ProfileError(f"{path}:1: a profile is a mapping of fields (name:, target:, ...)")
    if node is not None:
        _record_lines(node, "", path, source)
    return data


def _record_lines(node: yaml.Node, dotted: str, path: Path, source: _Source) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = str(key_node.value)
            child = f"{dotted}.{key}" if dotted else key
            source.lines[child] = (path, key_node.start_mark.line + 1)
            _record_lines(value_node, child, path, source)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            child = f"{dotted}[{i}]"
            source.lines[child] = (path, item.start_mark.line + 1)
            _record_lines(item, child, path, source)


def _read_with_extends(path: Path, source: _Source, chain: tuple[Path, ...]) -> dict[str, Any]:
    resolved = path.resolve()
    if resolved in chain:
        cycle = " -> ".join(str(p) for p in (*chain, resolved))
        raise ProfileError(f"{path}: `extends` forms a cycle: {cycle}")
    base_source = _Source()
    data = _read_yaml(path, base_source)
    parent = data.pop("extends", None)
    if parent is None:
        source.lines.update(base_source.lines)
        return data
    if not isinstance(parent, str):
        line = base_source.lines.get("extends", (path, 1))[1]
        raise ProfileError(f"{path}:{line}: extends: give one profile name or path")
    parent_path = resolve_profile_path(parent, relative_to=path.parent)
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

    def substitute(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, default = match.group(1), match.group(2)
        if name in env:
            return env[name]
        if default is not None:
            return default
        where = source.where(dotted)
        raise ProfileError(
            f"{where + ': ' if where else ''}{dotted}: environment variable {name} is not set",
            hint=f"export {name}=..., or give a default: ${{{name}:-value}}",
        )

    return _ENV_RE.sub(substitute, value)


# --- stage 4: validation -------------------------------------------------------------------


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


def _prefix(source: _Source, dotted: str, path: Path) -> str:
    where = source.where(dotted)
    return f"{where}: " if where else f"{path}: "


def _format_validation(exc: ValidationError, path: Path, source: _Source) -> str:
    lines = []
    for err in exc.errors(include_input=False, include_url=False):
        dotted = dotted_path(tuple(err["loc"]))
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown field (check its spelling; `alpr-gen schema` lists the fields)"
        lines.append(f"{_prefix(source, dotted, path)}{dotted or '(profile)'}: {msg}")
    return f"{path}: the profile is not valid:\n  " + "\n  ".join(lines)


def check_profile(profile: SiteProfile) -> list[tuple[str, str]]:
    """Rules that span fields: (dotted path, message) for each problem."""
    problems: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    for i, cam in enumerate(profile.cameras):
        if cam.id in seen:
            problems.append(
                (f"cameras[{i}].id", f"duplicate camera id (also cameras[{seen[cam.id]}])")
            )
        seen.setdefault(cam.id, i)
        width, height = cam.resolution
        shapes_by_kind: tuple[tuple[str, Sequence[Line | Zone]], ...] = (
            ("lines", cam.lines),
            ("zones", cam.zones),
        )
        for kind, shapes in shapes_by_kind:
            names: set[str] = set()
            for j, shape in enumerate(shapes):
                if shape.name in names:
                    problems.append((f"cameras[{i}].{kind}[{j}].name", "duplicate name"))
                names.add(shape.name)
                points = list(shape.points)
                if isinstance(shape, Line):
                    points += list(shape.direction)
                for x, y in points:
                    if x >= width or y >= height:
                        problems.append(
                            (
                                f"cameras[{i}].{kind}[{j}]",
                                f"point [{x}, {y}] is outside the {width}x{height} frame "
                                f"(cameras[{i}].resolution)",
                            )
                        )
                        break
            if kind == "lines":
                for j, line in enumerate(cam.lines):
                    (ax, ay), (bx, by) = line.points
                    (cx, cy), (dx, dy) = line.direction
                    if (ax, ay) == (bx, by) or (cx, cy) == (dx, dy):
                        problems.append(
                            (f"cameras[{i}].lines[{j}]", "zero-length line or direction")
                        )
        # nvdsanalytics sets class-id, mode and extended once per stream group.
        for kind, shapes, attrs in (
            ("lines", cam.lines, ("objects", "mode", "extended")),
            ("zones", [z for z in cam.zones if z.kind == "roi"], ("objects", "inverse")),
            ("zones", [z for z in cam.zones if z.kind == "overcrowding"], ("objects",)),
        ):
            for attr in attrs:
                if len({getattr(s, attr) for s in shapes}) > 1:
                    problems.append(
                        (
                            f"cameras[{i}].{kind}",
                            f"all {kind} of one camera must share `{attr}` "
                            "(nvdsanalytics sets it once per stream)",
                        )
                    )
    det = profile.detector
    ncls = len(det.labels)
    for field_name in ("vehicle_class_ids", "plate_class_ids"):
        for k, cid in enumerate(getattr(det, field_name)):
            if cid >= ncls:
                problems.append(
                    (f"detector.{field_name}[{k}]", f"class id {cid} but there are {ncls} labels")
                )
    if set(det.vehicle_class_ids) & set(det.plate_class_ids):
        problems.append(("detector.plate_class_ids", "a class cannot be both vehicle and plate"))
    for label in det.thresholds.per_class:
        if label not in det.labels:
            problems.append(
                (f"detector.thresholds.per_class.{label}", "not one of detector.labels")
            )
    if det.precision == "int8" and det.int8_calib_file is None and det.engine is None:
        problems.append(
            (
                "detector.int8_calib_file",
                "int8 needs a calibration cache (alpr-gen export writes one)",
            )
        )
    if profile.target.deepstream == "6.3" and det.head == "end2end":
        problems.append(
            (
                "detector.head",
                "end2end (NMS in the graph) needs TensorRT >= 8.6; DeepStream 6.3 ships 8.5: "
                "use head: deepstream",
            )
        )
    used_ports: dict[int, str] = {}
    for i, out in enumerate(profile.outputs):
        if out.type == "rtsp":
            for attr in ("port", "udp_port"):
                port = getattr(out, attr)
                if port in used_ports:
                    problems.append(
                        (f"outputs[{i}].{attr}", f"port {port} already used by {used_ports[port]}")
                    )
                used_ports[port] = f"outputs[{i}].{attr}"
    if sum(1 for o in profile.outputs if o.type == "display") > 1:
        problems.append(("outputs", "only one display output is supported"))
    return problems
