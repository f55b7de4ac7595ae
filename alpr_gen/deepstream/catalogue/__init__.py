"""DeepStream's config keys as data: the types every catalogue module uses, and the lookup.

One module per file kind (deepstream-app config, nvinfer config, nvdsanalytics, msgconv, broker
cfg per adaptor, tracker YAML sections, alpr-gen's OCR parser cfg). Each key has a type, an allowed
range or value set, a default, the DeepStream versions and platform it exists on, and a
replacement when it is deprecated. validate's key rules and `docs/validate.md` both read these
tables, so a key added here is checked and documented at once.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from enum import Enum


class T(str, Enum):
    """Value types as GLib/DeepStream parse them."""

    INT = "int"
    FLOAT = "float"
    FLAG = "int 0/1"  # deepstream-app reads these with g_key_file_get_integer
    BOOL = "bool"  # g_key_file_get_boolean: true/false/1/0
    STR = "string"
    INT_LIST = "int list"
    FLOAT_LIST = "float list"
    COLOR = "colour r;g;b;a"
    PATH = "path"


class PathKind(str, Enum):
    """What a missing path means: a config the set must contain (error) or a deployed artifact."""

    CONFIG = "config"  # part of the config set: missing = error
    ARTIFACT = "artifact"  # deployed later by export/build-parser: missing = warning
    SYSTEM = "system"  # a DeepStream library (absolute, under /opt/nvidia/deepstream)
    DIR = "dir"  # a directory that must exist on the device
    OUTPUT = "output"  # written at run time: never checked


@dataclass(frozen=True)
class Key:
    type: T
    doc: str = ""
    lo: float | None = None
    hi: float | None = None
    choices: dict[int | str, str] | None = None  # value -> meaning
    default: str | None = None
    since: str | None = None  # first DeepStream version with the key
    until: str | None = None  # last DeepStream version with the key
    platform: str | None = None  # "jetson" / "dgpu" when only one has it
    # value -> platform / first version, for values that exist only there
    value_platform: dict[int, str] = field(default_factory=dict)
    value_since: dict[int, str] = field(default_factory=dict)
    deprecated: str | None = None  # replacement key, or "" when there is none
    deprecated_since: str | None = None  # version the deprecation starts (None: all)
    path: PathKind | None = None
    length: tuple[int, int] | None = None  # (min, max) list length


@dataclass(frozen=True)
class GroupSpec:
    name: str  # display name, e.g. "sourceN"
    pattern: str  # regex on the group name
    keys: dict[str, Key] | None  # None: group exists, keys not checked
    doc: str = ""
    # key prefixes with a shared spec (nvdsanalytics roi-<label>=...)
    prefix_keys: dict[str, Key] = field(default_factory=dict)
    since: str | None = None  # first DeepStream version with the group

    def matches(self, group: str) -> bool:
        return _compiled(self.pattern).fullmatch(group) is not None


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


# Shared specs.
FLAG = Key(T.FLAG, "0/1")
ENABLE = Key(T.FLAG, "1 to use the group; anything else (or missing) skips it", lo=0, hi=1)
GPU_ID = Key(T.INT, "GPU index", lo=0, default="0")
MEMTYPE = Key(
    T.INT,
    "NvBufSurface memory type",
    choices={0: "platform default", 1: "pinned", 2: "device", 3: "unified", 4: "surface array"},
    value_platform={4: "jetson"},
    default="0",
)
COLOR = Key(T.COLOR, "r;g;b;a, each in [0,1]", lo=0.0, hi=1.0, length=(4, 4))


def groups_for(kind: str, adaptor: str | None = None) -> list[GroupSpec]:
    """The group specs of a file kind (app, nvinfer, analytics, msgconv, ocr, broker)."""
    from alpr_gen.deepstream.catalogue import analytics, app, broker, msgconv, nvinfer, ocr

    if kind == "broker":
        return broker.broker_groups(adaptor)
    kinds = {
        "app": app.APP_GROUPS,
        "nvinfer": nvinfer.NVINFER_GROUPS,
        "analytics": analytics.ANALYTICS_GROUPS,
        "msgconv": msgconv.MSGCONV_GROUPS,
        "ocr": ocr.OCR_GROUPS,
    }
    return kinds.get(kind, [])


@functools.lru_cache(maxsize=4096)
def find_group(kind: str, name: str, adaptor: str | None = None) -> GroupSpec | None:
    for spec in groups_for(kind, adaptor):
        if spec.matches(name):
            return spec
    return None


def find_key(spec: GroupSpec, key: str) -> Key | None:
    if spec.keys is not None and key in spec.keys:
        return spec.keys[key]
    for prefix, k in spec.prefix_keys.items():
        if key.startswith(prefix):
            return k
    return None
