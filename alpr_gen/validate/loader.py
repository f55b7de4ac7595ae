"""Load a deepstream-app config set: the app config and every file it names.

Relative paths are resolved against the directory of the file that names them, as DeepStream
does. `as_if_at` makes the set resolve as if it lived in another directory (render lints its
staging dir before moving it into place): configs are read from where they are, but model
artifacts are looked for where they will be. Loading never raises on malformed input; what
cannot be read is recorded for the rules to report.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from alpr_gen.deepstream.catalogue import PathKind, T, find_group, find_key
from alpr_gen.deepstream.facts import OCR_PARSER as OCR_PARSER_FUNC
from alpr_gen.deepstream.facts import broker_of_adaptor, under_install_prefix
from alpr_gen.deepstream.keyfile import Group, KeyFile, parse_keyfile
from alpr_gen.deepstream.layout import OCR_PARSER_CONFIG as OCR_CONFIG_NAME
from alpr_gen.deepstream.versions import LATEST, PLATFORMS, VERSIONS

APP_CONFIG_NAME = "deepstream_app.txt"
_APP_GROUP_RE = re.compile(r"^\s*\[(application|source\d*|streammux|primary-gie)\]", re.M)


@dataclass
class Source:
    """One file of the set as read."""

    kind: str  # app, nvinfer, analytics, msgconv, broker, tracker, labels, ocr
    rel: str  # display path (relative to the set's root when inside it)
    logical: Path  # where DeepStream will see it
    real: Path  # where it is read from now
    kf: KeyFile | None = None
    text: str | None = None
    adaptor: str | None = None  # broker cfg: kafka / mqtt / amqp / redis
    error: str | None = None  # could not be read / decoded
    yaml_root: object | None = None  # tracker: the composed yaml node tree
    yaml_error: tuple[int, str] | None = None


@dataclass
class PathRef:
    """A path value named by a key."""

    owner: Source
    group: str
    key: str
    line: int
    value: str
    kind: PathKind
    logical: Path
    rel: str
    exists: bool


@dataclass
class Gie:
    group: Group  # the app's [primary-gie] / [secondary-gieN]
    primary: bool
    enabled: bool
    config: Source | None  # the nvinfer file (None when missing or not named)

    def value(self, key: str) -> tuple[str | None, Source | None, int]:
        """Effective value: the app group overrides the nvinfer file."""
        if key in self.group.entries:
            return self.group.entries[key].value, None, self.group.entries[key].line
        if self.config and self.config.kf:
            prop = self.config.kf.group("property")
            if prop and key in prop.entries:
                return prop.entries[key].value, self.config, prop.entries[key].line
        return None, None, 0


@dataclass
class ConfigSet:
    root: Path  # directory of the app config (read from here)
    logical_root: Path  # where the set will live
    app: Source
    deepstream: str
    platform: str
    target_source: str  # "manifest", "option", "assumed"
    files: dict[str, Source] = field(default_factory=dict)  # rel -> Source
    refs: list[PathRef] = field(default_factory=list)
    gies: list[Gie] = field(default_factory=list)
    tracker: Source | None = None
    analytics: Source | None = None
    msgconv: dict[str, Source] = field(default_factory=dict)  # sink group -> msgconv Source
    brokers: dict[str, Source] = field(default_factory=dict)  # sink group -> broker Source
    labels: dict[str, Source] = field(default_factory=dict)  # gie group -> labels Source
    ocr: Source | None = None
    manifest_error: str | None = None
    site: str | None = None  # from manifest.json, for hints
    cache: dict[str, object] = field(default_factory=dict)  # shared work of the rules

    def enabled_sources(self) -> list[Group]:
        kf = self.app.kf
        if kf is None:
            return []
        return [
            g
            for name, g in kf.groups.items()
            if re.fullmatch(r"source\d+", name) and g.get("enable") == "1"
        ]

    def num_sources(self) -> int:
        n = 0
        for g in self.enabled_sources():
            if g.get("type") == "3":
                n += _int(g.get("num-sources")) or 1
            else:
                n += 1
        return n

    def enabled_sinks(self) -> list[Group]:
        kf = self.app.kf
        if kf is None:
            return []
        return [g for g in kf.groups_with_prefix("sink") if g.get("enable") == "1"]

    def app_group(self, name: str) -> Group | None:
        return self.app.kf.group(name) if self.app.kf else None

    def tracker_enabled(self) -> bool:
        g = self.app_group("tracker")
        return g is not None and g.get("enable") == "1"


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value.strip())
    except ValueError:
        return None


def find_app_config(path: Path) -> Path | None:
    """The app config in a directory: deepstream_app.txt, else a file with app groups."""
    if path.is_file():
        return path
    if not path.is_dir():
        return None
    named = path / APP_CONFIG_NAME
    if named.is_file():
        return named
    for candidate in sorted(path.glob("*.txt")):
        try:
            text = candidate.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if _APP_GROUP_RE.search(text):
            return candidate
    return None


def read_manifest(root: Path) -> tuple[dict[str, str], str | None]:
    """target {platform, deepstream} from manifest.json beside the app config."""
    path = root / "manifest.json"
    if not path.is_file():
        return {}, None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        target = data.get("target") or {}
        out = {k: str(target[k]) for k in ("platform", "deepstream") if k in target}
        if isinstance(data.get("site"), str):
            out["site"] = data["site"]
    except (OSError, ValueError, AttributeError, TypeError) as exc:
        return {}, f"manifest.json cannot be read: {exc}"
    return out, None


class Loader:
    def __init__(self, root: Path, logical_root: Path) -> None:
        self.root = root
        self.logical_root = logical_root

    def rel(self, logical: Path) -> str:
        try:
            return logical.relative_to(self.logical_root).as_posix()
        except ValueError:
            return logical.as_posix()

    def real_for(self, logical: Path) -> Path:
        try:
            return self.root / logical.relative_to(self.logical_root)
        except ValueError:
            return logical

    def resolve(self, owner: Source, value: str) -> Path:
        p = Path(value)
        if not p.is_absolute():
            p = owner.logical.parent / p
        return Path(os.path.normpath(p))

    def read(self, kind: str, logical: Path, *, keyfile: bool = True) -> Source:
        real = self.real_for(logical)
        if not real.exists() and logical.exists():
            real = logical
        src = Source(kind, self.rel(logical), logical, real)
        try:
            src.text = real.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            src.error = f"not UTF-8 text ({exc.reason} at byte {exc.start})"
        except OSError as exc:
            src.error = exc.strerror or str(exc)
        if src.text is not None and keyfile:
            src.kf = parse_keyfile(src.text, real)
        return src


def load(
    app_path: Path,
    *,
    deepstream: str | None = None,
    platform: str | None = None,
    as_if_at: Path | None = None,
) -> ConfigSet:
    root = app_path.parent
    logical_root = Path(os.path.normpath(as_if_at.absolute())) if as_if_at else root.absolute()
    loader = Loader(root, logical_root)
    app = loader.read("app", logical_root / app_path.name)

    manifest, manifest_error = read_manifest(root)
    # "assumed" when either half of the target fell back to the default (reported as DS001)
    if (deepstream is None and "deepstream" not in manifest) or (
        platform is None and "platform" not in manifest
    ):
        source = "assumed"
    else:
        source = "manifest" if manifest else "option"
    ds = deepstream or manifest.get("deepstream") or LATEST
    plat = platform or manifest.get("platform") or "dgpu"
    if ds not in VERSIONS:
        ds = LATEST  # a bad manifest value; reported by the target rule
    if plat not in PLATFORMS:
        plat = "dgpu"

    cs = ConfigSet(root, logical_root, app, ds, plat, source, manifest_error=manifest_error)
    cs.site = manifest.get("site")
    cs.files[app.rel] = app
    if manifest and (
        manifest.get("deepstream", ds) not in VERSIONS
        or manifest.get("platform", plat) not in PLATFORMS
    ):
        cs.manifest_error = f"manifest.json names an unknown target {manifest}"
    _follow(loader, cs, app)
    return cs


def _collect_refs(loader: Loader, cs: ConfigSet, src: Source) -> None:
    """Record every path-typed key of a keyfile as a PathRef."""
    if src.kf is None:
        return
    for gname, group in src.kf.groups.items():
        spec = find_group(src.kind, gname, src.adaptor)
        if spec is None:
            continue
        for key, entry in group.entries.items():
            kspec = find_key(spec, key)
            if kspec is None or kspec.type is not T.PATH or not entry.value:
                continue
            logical = loader.resolve(src, entry.value)
            exists = loader.real_for(logical).exists() or logical.exists()
            cs.refs.append(
                PathRef(
                    src,
                    gname,
                    key,
                    entry.line,
                    entry.value,
                    kspec.path or PathKind.ARTIFACT,
                    logical,
                    loader.rel(logical),
                    exists,
                )
            )


def _load_ref(loader: Loader, cs: ConfigSet, ref: PathRef, kind: str) -> Source | None:
    if not ref.exists:
        return None
    if ref.rel in cs.files:
        return cs.files[ref.rel]
    if kind in ("nvinfer", "analytics", "msgconv", "broker") and ref.logical.suffix in (
        ".yml",
        ".yaml",
    ):
        kind = "unchecked"  # DeepStream also takes YAML element configs; not linted here
    src = loader.read(kind, ref.logical, keyfile=kind not in ("tracker", "labels", "unchecked"))
    cs.files[src.rel] = src
    return src


def _follow(loader: Loader, cs: ConfigSet, app: Source) -> None:
    _collect_refs(loader, cs, app)
    if app.kf is None:
        return
    refs = {(r.group, r.key): r for r in cs.refs if r.owner is app}

    for gname, group in app.kf.groups.items():
        primary = gname == "primary-gie"
        if not (primary or gname.startswith("secondary-gie")):
            continue
        ref = refs.get((gname, "config-file"))
        # plugin-type=1 names an nvinferserver (protobuf text) config: not linted here.
        kind = "unchecked" if group.get("plugin-type") == "1" else "nvinfer"
        config = _load_ref(loader, cs, ref, kind) if ref else None
        if config is not None and config.kind == "nvinfer":
            _collect_refs(loader, cs, config)
        cs.gies.append(Gie(group, primary, group.get("enable") == "1", config))

    for gie in cs.gies:
        label_ref = refs.get((gie.group.name, "labelfile-path"))
        if label_ref is None and gie.config is not None:
            label_ref = next(
                (r for r in cs.refs if r.owner is gie.config and r.key == "labelfile-path"), None
            )
        if label_ref is not None:
            labels = _load_ref(loader, cs, label_ref, "labels")
            if labels is not None:
                cs.labels[gie.group.name] = labels

    if ref := refs.get(("tracker", "ll-config-file")):
        cs.tracker = _load_ref(loader, cs, ref, "tracker")
        if cs.tracker is not None:
            _compose_yaml(cs.tracker)
    if ref := refs.get(("nvds-analytics", "config-file")):
        cs.analytics = _load_ref(loader, cs, ref, "analytics")

    for group in app.kf.groups_with_prefix("sink"):
        if ref := refs.get((group.name, "msg-conv-config")):
            src = _load_ref(loader, cs, ref, "msgconv")
            if src is not None:
                cs.msgconv[group.name] = src
        if ref := refs.get((group.name, "msg-broker-config")):
            adaptor = broker_of_adaptor(group.get("msg-broker-proto-lib") or "")
            src = _load_ref(loader, cs, ref, "broker")
            if src is not None:
                src.adaptor = src.adaptor or adaptor
                cs.brokers[group.name] = src
    for src in list(cs.files.values()):
        if src.kind in ("analytics", "msgconv", "broker"):
            _collect_refs(loader, cs, src)

    # alpr-gen's OCR parser reads ocr_parser.cfg from the working directory (the bundle dir).
    if any(_is_ocr(g) for g in cs.gies):
        logical = loader.logical_root / OCR_CONFIG_NAME
        if loader.real_for(logical).exists():
            cs.ocr = loader.read("ocr", logical)
            cs.files[cs.ocr.rel] = cs.ocr
            _collect_refs(loader, cs, cs.ocr)


def _is_ocr(gie: Gie) -> bool:
    value, _, _ = gie.value("parse-classifier-func-name")
    return value == OCR_PARSER_FUNC


def is_ocr_gie(gie: Gie) -> bool:
    return _is_ocr(gie)


def _compose_yaml(src: Source) -> None:
    import yaml

    if src.text is None:
        return
    # NVIDIA's tracker files start with the OpenCV-style `%YAML:1.0`, which the low-level
    # library accepts and PyYAML does not: blank it (keeping line numbers).
    text = re.sub(r"\A%YAML:[^\n]*", "", src.text)
    try:
        src.yaml_root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else 0
        src.yaml_error = (line, str(getattr(exc, "problem", None) or exc))


def in_deepstream(path: Path) -> bool:
    return under_install_prefix(path.as_posix())
