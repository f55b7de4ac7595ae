"""Read a rendered config set (the bundle) the way deepstream-app will.

Everything `run` needs to know about the files: the app config, the nvinfer files it names,
sources, message sinks, the new-mux switch, the OCR parser settings and manifest.json. Paths are
resolved against the directory of the file that names them, as DeepStream resolves them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from alpr_gen.deepstream.keyfile import Group, KeyFile, read_keyfile
from alpr_gen.errors import LaunchError

APP_CONFIG = "deepstream_app.txt"
OCR_CONFIG = "ocr_parser.cfg"
MANIFEST = "manifest.json"

# [sourceN] type codes (deepstream_sources.h).
SOURCE_URI, SOURCE_MULTI_URI, SOURCE_RTSP = 2, 3, 4
SINK_MSG_BROKER = 6


@dataclass(frozen=True)
class Source:
    group: str
    type: int
    uri: str
    num_sources: int  # type 3 expands into this many streams

    @property
    def is_rtsp(self) -> bool:
        return self.uri.lower().startswith(("rtsp://", "rtsps://"))


@dataclass(frozen=True)
class MsgSink:
    group: str
    proto_lib: str  # as written
    conn_str: str
    broker_config: Path | None  # msg-broker-config resolved


@dataclass(frozen=True)
class InferConfig:
    group: str  # primary-gie / secondary-gie0 ...
    path: Path
    keyfile: KeyFile | None  # None when the file is missing
    app_group: Group | None = None  # the app config's [primary-gie] / [secondary-gieN]

    def prop(self, key: str) -> str | None:
        group = self.keyfile.group("property") if self.keyfile else None
        return group.get(key) if group else None

    def resolve(self, value: str) -> Path:
        return resolve_path(self.path.parent, value)

    def engine_path(self, app_dir: Path) -> Path | None:
        """model-engine-file as nvinfer will use it: the app GIE group's value wins over the
        nvinfer file's (deepstream-app sets it on the element after the file is read)."""
        app_value = self.app_group.get("model-engine-file") if self.app_group else None
        if app_value:
            return resolve_path(app_dir, app_value)
        value = self.prop("model-engine-file")
        return self.resolve(value) if value else None


@dataclass
class Bundle:
    dir: Path
    app_config: Path
    app: KeyFile
    infer: list[InferConfig] = field(default_factory=list)
    manifest: dict[str, object] | None = None

    @property
    def sources(self) -> list[Source]:
        out: list[Source] = []
        for g in _enabled(self.app.groups_with_prefix("source")):
            if not g.name[len("source") :].isdigit():
                continue
            kind = _int(g.get("type"), 0)
            out.append(Source(g.name, kind, g.get("uri", "") or "", _int(g.get("num-sources"), 1)))
        return out

    @property
    def num_streams(self) -> int:
        return sum(s.num_sources if s.type == SOURCE_MULTI_URI else 1 for s in self.sources)

    @property
    def msg_sinks(self) -> list[MsgSink]:
        out: list[MsgSink] = []
        for g in _enabled(self.app.groups_with_prefix("sink")):
            if _int(g.get("type"), 0) != SINK_MSG_BROKER:
                continue
            cfg = g.get("msg-broker-config")
            out.append(
                MsgSink(
                    g.name,
                    g.get("msg-broker-proto-lib", "") or "",
                    g.get("msg-broker-conn-str", "") or "",
                    resolve_path(self.app_config.parent, cfg) if cfg else None,
                )
            )
        return out

    @property
    def has_display_sink(self) -> bool:
        return any(_int(g.get("type"), 0) == 2 for g in _enabled(self.groups("sink")))

    def groups(self, prefix: str) -> list[Group]:
        return self.app.groups_with_prefix(prefix)

    @property
    def new_streammux(self) -> bool:
        """The app config points the muxer at a new-mux config file (6.3 `config-file`,
        8.0 `config-file-path`), which deepstream-app honours only with USE_NEW_NVSTREAMMUX=yes."""
        mux = self.app.group("streammux")
        return bool(mux and (mux.get("config-file") or mux.get("config-file-path")))

    @property
    def ocr_config(self) -> Path | None:
        path = self.dir / OCR_CONFIG
        return path if path.is_file() else None

    @property
    def target_deepstream(self) -> str | None:
        target = (self.manifest or {}).get("target")
        return str(target.get("deepstream")) if isinstance(target, dict) else None

    @property
    def target_platform(self) -> str | None:
        target = (self.manifest or {}).get("target")
        return str(target.get("platform")) if isinstance(target, dict) else None

    @property
    def site(self) -> str | None:
        site = (self.manifest or {}).get("site")
        return str(site) if site else None


def resolve_path(base: Path, value: str) -> Path:
    """DeepStream's rule: a relative path is relative to the file that names it."""
    value = value.strip()
    if value.startswith("file://"):
        value = value[len("file://") :]
    path = Path(value)
    return path if path.is_absolute() else base / path


def uri_host_port(uri: str, default_port: int) -> tuple[str, int] | None:
    """`rtsp://user:pw@cam:8554/x` -> ("cam", 8554); None when there is no host."""
    try:
        parts = urlsplit(uri)
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    return (host, port or default_port) if host else None


def conn_host_port(conn_str: str) -> tuple[str, int] | None:
    """msg-broker-conn-str `host;port[;topic]` -> (host, port). Also accepts `host:port`
    (wrong for DeepStream, but the reachability check should still say where it looked)."""
    parts = [p.strip() for p in conn_str.split(";") if p.strip()]
    if len(parts) >= 2 and parts[1].isdigit():
        return parts[0], int(parts[1])
    if len(parts) == 1 and parts[0].count(":") == 1:
        host, _, port = parts[0].partition(":")
        if port.isdigit():
            return host, int(port)
    return None


def load_bundle(config: Path) -> Bundle:
    """`config` is a bundle directory (app config deepstream_app.txt) or an app config file."""
    from alpr_gen.validate.loader import find_app_config

    config = config.expanduser()
    # Find the app config exactly as `validate` does, so both accept the same directories
    # (deepstream_app.txt, else a hand-written file with deepstream-app's groups).
    found = find_app_config(config)
    app_config = found if found is not None else config / APP_CONFIG
    bundle_dir = config if config.is_dir() else config.parent
    if not app_config.is_file():
        raise LaunchError(
            f"{app_config}: no deepstream-app config here",
            hint="pass the bundle directory written by `alpr-gen render` (it holds "
            f"{APP_CONFIG}), or the app config file itself, or use --site NAME",
        )
    app = read_keyfile(app_config)
    if not app.groups:
        raise LaunchError(f"{app_config}: no [groups] found; this is not a deepstream-app config")
    bundle = Bundle(bundle_dir.resolve(), app_config.resolve(), app)
    for g in _enabled(bundle.groups("primary-gie") + bundle.groups("secondary-gie")):
        value = g.get("config-file")
        if not value:
            continue
        path = resolve_path(bundle.app_config.parent, value)
        kf = read_keyfile(path) if path.is_file() else None
        bundle.infer.append(InferConfig(g.name, path, kf, g))
    manifest = bundle_dir / MANIFEST
    if manifest.is_file():
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise LaunchError(f"{manifest}: not valid JSON ({exc})") from None
        bundle.manifest = data if isinstance(data, dict) else None
    return bundle


def _enabled(groups: list[Group]) -> list[Group]:
    # deepstream-app reads `enable` as an integer; a missing or non-integer value disables.
    return [g for g in groups if _int(g.get("enable"), 0) != 0]


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default
