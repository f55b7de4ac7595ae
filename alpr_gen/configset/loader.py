"""Load a deepstream-app config set: the app config and every file it names, each read once.

Relative paths are resolved against the directory of the file that names them, as DeepStream
does. `as_if_at` makes the set resolve as if it lived in another directory (render checks its
staging directory before moving it into place): configs are read from where they are, but model
artifacts are looked for where they will be. Loading never raises on malformed input; what
cannot be read is recorded on the file for validate to report.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from alpr_gen.configset.files import ConfigFile, FileKind, read_config_file
from alpr_gen.configset.model import ConfigSet, Gie, PathRef, Target
from alpr_gen.configset.values import glib_int, resolve_path
from alpr_gen.deepstream.catalogue import PathKind, T, find_group, find_key
from alpr_gen.deepstream.facts import broker_of_adaptor
from alpr_gen.deepstream.layout import (
    MANIFEST,
    MAX_MANIFEST_BYTES,
    OCR_PARSER_CONFIG,
    Manifest,
    parse_manifest,
)
from alpr_gen.deepstream.versions import (
    DEFAULT_TARGET,
    PLATFORMS,
    RELEASES,
    VERSIONS,
    split_platform,
)
from alpr_gen.fsutil import os_reason, read_bounded

_YAML_SUFFIXES = (".yml", ".yaml")


class _Reader:
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

    def exists(self, logical: Path) -> bool:
        return self.real_for(logical).exists() or logical.exists()

    def read(self, kind: FileKind, logical: Path) -> ConfigFile:
        real = self.real_for(logical)
        if not real.exists() and logical.exists():
            real = logical
        return read_config_file(kind, self.rel(logical), logical, real)


def load(
    app_path: Path,
    *,
    deepstream: str | None = None,
    platform: str | None = None,
    as_if_at: Path | None = None,
) -> ConfigSet:
    """Read the set whose app config is `app_path` (found by `layout.find_app_config`)."""
    root = app_path.parent
    logical_root = Path(os.path.normpath((as_if_at or root).absolute()))
    reader = _Reader(root, logical_root)
    app = reader.read(FileKind.APP, logical_root / app_path.name)
    manifest = _read_manifest(root)
    if (
        manifest is not None
        and manifest.error is None
        and (
            (manifest.deepstream is not None and manifest.deepstream not in VERSIONS)
            or (manifest.platform is not None and manifest.platform not in PLATFORMS)
        )
    ):
        manifest = replace(
            manifest,
            error=f"manifest.json names an unknown target (DeepStream {manifest.deepstream!r}, "
            f"platform {manifest.platform!r})",
        )
    cs = ConfigSet(root, logical_root, app, _target(manifest, deepstream, platform), manifest)
    cs.files[app.rel] = app
    _follow(reader, cs)
    return cs


def _read_manifest(root: Path) -> Manifest | None:
    path = root / MANIFEST
    if not path.exists():
        return None
    try:
        return parse_manifest(read_bounded(path, MAX_MANIFEST_BYTES).decode("utf-8"))
    except OSError as exc:
        return Manifest(error=f"manifest.json cannot be read: {os_reason(exc)}")
    except UnicodeDecodeError:
        return Manifest(error="manifest.json is not UTF-8 text")


def _target(manifest: Manifest | None, deepstream: str | None, platform: str | None) -> Target:
    m = manifest or Manifest()
    family, module = split_platform(platform) if platform else (None, None)
    jetson = module or (m.jetson if family in (None, "jetson") else None)
    ds, plat = deepstream or m.deepstream, family or m.platform
    if ds is None or plat is None:
        source = "assumed"  # reported by validate (DS001)
    else:
        source = "option" if (deepstream or platform) else "manifest"
    # An unknown value in the manifest is reported by the target rule; read the set as the default.
    ds = ds if ds in VERSIONS else DEFAULT_TARGET[0]
    plat = plat if plat in PLATFORMS else DEFAULT_TARGET[1]
    return Target(ds, plat, source, jetson if plat == "jetson" else None)


def _collect_refs(reader: _Reader, cs: ConfigSet, src: ConfigFile) -> None:
    """Record every path-typed key of a key file as a PathRef."""
    if src.keyfile is None:
        return
    for gname, group in src.keyfile.groups.items():
        spec = find_group(src.kind.value, gname, src.adaptor)
        if spec is None:
            continue
        for key, entry in group.entries.items():
            kspec = find_key(spec, key)
            if kspec is None or kspec.type is not T.PATH or not entry.value:
                continue
            logical = resolve_path(src.logical, entry.value)
            cs.refs.append(
                PathRef(
                    src,
                    gname,
                    key,
                    entry.line,
                    entry.value,
                    kspec.path or PathKind.ARTIFACT,
                    logical,
                    reader.rel(logical),
                    reader.real_for(logical),
                )
            )


def _load_ref(
    reader: _Reader, cs: ConfigSet, ref: PathRef | None, kind: FileKind
) -> ConfigFile | None:
    if ref is None or not ref.exists:
        return None
    if ref.rel in cs.files:
        existing = cs.files[ref.rel]
        if existing is ref.owner or existing.kind not in (kind, FileKind.UNCHECKED):
            # deepstream-app would read this file as two kinds of config (the app config as an
            # nvinfer config...): one of the two readers fails at start.
            what = (
                "itself"
                if existing is ref.owner
                else f"{existing.rel}, the {existing.kind.value} file of this set"
            )
            article = "an" if kind.value in ("nvinfer", "app", "analytics", "ocr") else "a"
            cs.bad_refs.append(
                (ref, f"names {what}; {article} {kind.value} config needs a file of its own")
            )
            return None
        return existing
    if kind in (FileKind.NVINFER, FileKind.ANALYTICS, FileKind.MSGCONV, FileKind.BROKER) and (
        ref.logical.suffix in _YAML_SUFFIXES
    ):
        kind = FileKind.UNCHECKED  # DeepStream also takes YAML element configs; not linted here
    src = reader.read(kind, ref.logical)
    cs.files[src.rel] = src
    return src


def _follow(reader: _Reader, cs: ConfigSet) -> None:
    app = cs.app
    _collect_refs(reader, cs, app)
    if app.keyfile is None:
        return
    refs = {(r.group, r.key): r for r in cs.refs if r.owner is app}

    for gname, group in app.keyfile.groups.items():
        primary = gname == "primary-gie"
        if not (primary or gname.startswith("secondary-gie")):
            continue
        # plugin-type=1 names an nvinferserver (protobuf text) config: not linted here.
        plugin = glib_int(group.get("plugin-type"))
        kind = FileKind.UNCHECKED if plugin == 1 else FileKind.NVINFER
        config = _load_ref(reader, cs, refs.get((gname, "config-file")), kind)
        if config is not None and config.kind is FileKind.NVINFER:
            _collect_refs(reader, cs, config)
        cs.gies.append(Gie(group, app, primary, config))

    for gie in cs.gies:
        # deepstream-app's own labelfile-path (app group) or nvinfer's (the file).
        label_ref = refs.get((gie.name, "labelfile-path"))
        if label_ref is None and gie.config is not None:
            found = cs.refs_of(gie.config, "labelfile-path")
            label_ref = found[0] if found else None
        gie.labels = _load_ref(reader, cs, label_ref, FileKind.LABELS)

    cs.tracker_file = _load_ref(
        reader, cs, refs.get(("tracker", "ll-config-file")), FileKind.TRACKER
    )
    cs.analytics_file = _load_ref(
        reader, cs, refs.get(("nvds-analytics", "config-file")), FileKind.ANALYTICS
    )
    mux_key = RELEASES[cs.deepstream].mux_config_key
    cs.mux_file = _load_ref(reader, cs, refs.get(("streammux", mux_key)), FileKind.MUX)

    for group in app.keyfile.groups_with_prefix("sink"):
        msgconv = _load_ref(reader, cs, refs.get((group.name, "msg-conv-config")), FileKind.MSGCONV)
        if msgconv is not None:
            cs.msgconv_files[group.name] = msgconv
        broker = _load_ref(reader, cs, refs.get((group.name, "msg-broker-config")), FileKind.BROKER)
        if broker is not None:
            # The keys a cfg may hold differ per adaptor: remember which one reads it.
            broker.adaptor = broker.adaptor or broker_of_adaptor(
                group.get("msg-broker-proto-lib") or ""
            )
            cs.broker_files[group.name] = broker
    for src in list(cs.files.values()):
        if src.kind in (FileKind.ANALYTICS, FileKind.MSGCONV, FileKind.BROKER):
            _collect_refs(reader, cs, src)

    # alpr-gen's OCR parser reads ocr_parser.cfg from the working directory (the bundle dir).
    logical = reader.logical_root / OCR_PARSER_CONFIG
    if reader.exists(logical):
        cs.ocr_file = reader.read(FileKind.OCR, logical)
        cs.files[cs.ocr_file.rel] = cs.ocr_file
        _collect_refs(reader, cs, cs.ocr_file)
