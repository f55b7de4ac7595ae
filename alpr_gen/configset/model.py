"""A config set as deepstream-app will read it: the files, the path references, and the GIEs
with their effective values.

`ConfigSet` holds what was read; `views.py` derives typed views (sources, sinks, streammux,
tracker...) from it. Nothing here reads files: `loader.py` does, once per file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from alpr_gen.configset.files import ConfigFile, FileKind
from alpr_gen.configset.values import enabled, glib_int, resolve_path
from alpr_gen.deepstream.catalogue import PathKind
from alpr_gen.deepstream.facts import OCR_PARSER, PGIE_ID
from alpr_gen.deepstream.keyfile import Group
from alpr_gen.deepstream.layout import Manifest

if TYPE_CHECKING:
    from alpr_gen.configset.analytics import AnalyticsView
    from alpr_gen.configset.msgconv import MsgconvView
    from alpr_gen.configset.tracker_config import TrackerSettings
    from alpr_gen.configset.views import (
        AppView,
        OcrParserView,
        SinkView,
        SourceView,
        StreammuxView,
        TrackerView,
    )
    from alpr_gen.nvinfer.settings import InferSettings

_SOURCE_RE = re.compile(r"source\d+")

# Keys of an app [primary-gie] / [secondary-gieN] group that deepstream-app sets on the nvinfer
# element after it read its config file, so they win over the file (create_primary_gie_bin and
# create_secondary_gie in deepstream_{primary,secondary}_gie_bin.c). Everything else in the app
# group (labelfile-path, bbox colours, plugin-type...) is for deepstream-app itself.
PGIE_OVERRIDES = ("batch-size", "interval", "gie-unique-id", "gpu-id", "model-engine-file")
SGIE_OVERRIDES = (*PGIE_OVERRIDES, "operate-on-gie-id", "operate-on-class-ids")


@dataclass(frozen=True)
class Target:
    deepstream: str
    platform: str  # jetson / dgpu
    source: str  # "manifest", "option" or "assumed" (a default filled a missing half)
    jetson: str | None = None  # orin / thor, when the manifest or --platform says


@dataclass(eq=False)
class PathRef:
    """A path value named by a key, resolved as DeepStream resolves it."""

    owner: ConfigFile
    group: str
    key: str
    line: int
    value: str
    kind: PathKind
    logical: Path  # where DeepStream will look
    rel: str  # display path
    real: Path  # where it is now (differs from logical while render checks its staging dir)

    @property
    def exists(self) -> bool:
        # Asked when needed, not when loaded: `run` builds a missing parser library in between.
        return self.real.exists() or self.logical.exists()


@dataclass(frozen=True)
class Setting:
    """An effective value: the text, the file that set it, and the line."""

    value: str
    file: ConfigFile
    line: int
    group: str

    def path(self) -> Path:
        """The value as a path, relative to the file that set it (DeepStream's rule)."""
        return resolve_path(self.file.logical, self.value)


@dataclass(eq=False)
class Gie:
    """One [primary-gie] / [secondary-gieN] group and the nvinfer file it names."""

    group: Group  # the app config's group
    app: ConfigFile
    primary: bool
    config: ConfigFile | None  # the nvinfer file (None when missing or not named)
    labels: ConfigFile | None = None

    @property
    def name(self) -> str:
        return self.group.name

    @property
    def enabled(self) -> bool:
        return enabled(self.group)

    @property
    def overrides(self) -> tuple[str, ...]:
        return PGIE_OVERRIDES if self.primary else SGIE_OVERRIDES

    @property
    def property_group(self) -> Group | None:
        kf = self.config.keyfile if self.config else None
        return kf.group("property") if kf else None

    def setting(self, key: str) -> Setting | None:
        """The value nvinfer ends up with: the app group's when deepstream-app sets that key on
        the element, else the nvinfer file's [property]."""
        entry = self.group.entries.get(key) if key in self.overrides else None
        if entry is not None:
            return Setting(entry.value, self.app, entry.line, self.group.name)
        prop = self.property_group
        if prop is not None and self.config is not None and key in prop.entries:
            entry = prop.entries[key]
            return Setting(entry.value, self.config, entry.line, "property")
        return None

    def value(self, key: str) -> str | None:
        found = self.setting(key)
        return found.value if found else None

    def int_value(self, key: str) -> int | None:
        return glib_int(self.value(key))

    def path(self, key: str) -> Path | None:
        found = self.setting(key)
        return found.path() if found and found.value else None

    def properties(self) -> dict[str, str]:
        """[property] as nvinfer sees it: the file's keys, the app overrides, and the
        process-mode deepstream-app forces (1 primary, 2 secondary)."""
        prop = self.property_group
        out = {k: e.value for k, e in prop.entries.items()} if prop else {}
        for key in self.overrides:
            entry = self.group.entries.get(key)
            if entry is not None:
                out[key] = entry.value
        out["process-mode"] = "1" if self.primary else "2"
        return out

    def class_attrs(self) -> dict[str, dict[str, str]]:
        """[class-attrs-all] / [class-attrs-N] groups of the nvinfer file."""
        kf = self.config.keyfile if self.config else None
        if kf is None:
            return {}
        return {
            g.name: {k: e.value for k, e in g.entries.items()}
            for g in kf.groups_with_prefix("class-attrs-")
        }

    def infer_settings(self) -> InferSettings:
        """nvinfer's settings for this GIE, parsed as nvinfer parses them (errors name the
        file and line). Paths the app group sets resolve against the app config."""
        from alpr_gen.nvinfer.settings import InferSettings

        props = self.properties()
        engine = self.setting("model-engine-file")
        if engine is not None and engine.file is self.app and engine.value:
            props["model-engine-file"] = str(engine.path())
        base = self.config.logical.parent if self.config else self.app.logical.parent

        def locate(group: str, key: str) -> str:
            found = self.setting(key) if group == "property" else None
            if found is not None:
                return f"{found.file.rel}:{found.line} [{found.group}] {key}"
            kf = self.config.keyfile if self.config else None
            g = kf.group(group) if kf else None
            where = f"{self.config.rel}:{g.line_of(key)}" if self.config and g else self.app.rel
            return f"{where} [{group}] {key}"

        return InferSettings.from_mapping(
            props, self.class_attrs(), base_dir=base, source=self.name, locate=locate
        )

    @property
    def is_ocr(self) -> bool:
        return self.value("parse-classifier-func-name") == OCR_PARSER

    @property
    def unique_id(self) -> int | None:
        return self.int_value("gie-unique-id")


@dataclass(eq=False)
class ConfigSet:
    root: Path  # directory of the app config (read from here)
    logical_root: Path  # where the set will live (differs while render checks its staging dir)
    app: ConfigFile
    target: Target
    manifest: Manifest | None = None
    files: dict[str, ConfigFile] = field(default_factory=dict)  # rel -> file
    refs: list[PathRef] = field(default_factory=list)
    gies: list[Gie] = field(default_factory=list)
    tracker_file: ConfigFile | None = None
    analytics_file: ConfigFile | None = None
    mux_file: ConfigFile | None = None
    msgconv_files: dict[str, ConfigFile] = field(default_factory=dict)  # sink group -> file
    broker_files: dict[str, ConfigFile] = field(default_factory=dict)  # sink group -> file
    ocr_file: ConfigFile | None = None  # ocr_parser.cfg
    # References the loader refused to follow (a file naming itself, or naming a file of the
    # set as another kind): PathRefs with why, reported by validate (DS205).
    bad_refs: list[tuple[PathRef, str]] = field(default_factory=list)

    @property
    def deepstream(self) -> str:
        return self.target.deepstream

    @property
    def platform(self) -> str:
        return self.target.platform

    @property
    def site(self) -> str | None:
        return self.manifest.site if self.manifest else None

    @property
    def manifest_error(self) -> str | None:
        return self.manifest.error if self.manifest else None

    @property
    def app_config(self) -> Path:
        """Where the app config is read from (what deepstream-app -c gets)."""
        return self.app.real

    def app_group(self, name: str) -> Group | None:
        return self.app.keyfile.group(name) if self.app.keyfile else None

    def app_groups(self, prefix: str) -> list[Group]:
        return self.app.keyfile.groups_with_prefix(prefix) if self.app.keyfile else []

    def enabled_source_groups(self) -> list[Group]:
        """[sourceN] groups deepstream-app builds a source from."""
        return [g for g in self.app_groups("source") if _SOURCE_RE.fullmatch(g.name) and enabled(g)]

    def enabled_sink_groups(self) -> list[Group]:
        return [g for g in self.app_groups("sink") if enabled(g)]

    @property
    def enabled_gies(self) -> list[Gie]:
        return [g for g in self.gies if g.enabled]

    @property
    def pgie(self) -> Gie | None:
        return next((g for g in self.enabled_gies if g.primary), None)

    def pgie_id(self) -> int:
        pgie = self.pgie
        return (pgie.unique_id if pgie else None) or PGIE_ID

    def refs_of(self, owner: ConfigFile, key: str | None = None) -> list[PathRef]:
        return [r for r in self.refs if r.owner is owner and (key is None or r.key == key)]

    def file(self, kind: FileKind) -> list[ConfigFile]:
        return [f for f in self.files.values() if f.kind is kind]

    # Typed views (views.py), computed once: a set is not changed after it was loaded.
    @cached_property
    def sources(self) -> list[SourceView]:
        from alpr_gen.configset.views import sources

        return sources(self)

    @cached_property
    def sinks(self) -> list[SinkView]:
        from alpr_gen.configset.views import sinks

        return sinks(self)

    @property
    def msg_sinks(self) -> list[SinkView]:
        return [s for s in self.sinks if s.is_msg_broker]

    @property
    def num_streams(self) -> int:
        return sum(s.streams for s in self.sources)

    @cached_property
    def streammux(self) -> StreammuxView:
        from alpr_gen.configset.views import streammux

        return streammux(self)

    @cached_property
    def tracker(self) -> TrackerView:
        from alpr_gen.configset.views import tracker

        return tracker(self)

    @cached_property
    def application(self) -> AppView:
        from alpr_gen.configset.views import application

        return application(self)

    @cached_property
    def ocr_parser(self) -> OcrParserView | None:
        from alpr_gen.configset.views import ocr_parser

        return ocr_parser(self)

    @cached_property
    def analytics(self) -> AnalyticsView | None:
        """The nvdsanalytics rules ([nvds-analytics] config-file), None without that file."""
        from alpr_gen.configset.analytics import analytics

        return analytics(self.analytics_file)

    @cached_property
    def tracker_settings(self) -> TrackerSettings | None:
        """The tracker YAML's kind (IOU, NvSORT, NvDeepSORT, NvDCF) and sections."""
        from alpr_gen.configset.tracker_config import tracker_settings

        return tracker_settings(self.tracker_file)

    def msgconv(self, sink_group: str) -> MsgconvView | None:
        """The sensor/place/analytics groups of a message sink's msg-conv-config."""
        from alpr_gen.configset.msgconv import msgconv

        return msgconv(self.msgconv_files.get(sink_group))
