"""The nvmsgconv config (`msg-conv-config`) as nvmsgconv's deepstream_schema reads it.

After nvmsgconv's deepstream_schema.cpp (nvds_msg2p_parse_sensor / _place / _analytics):
`[sensorN]`, `[placeN]` and `[analyticsN]`, N read with sscanf("%u") after the prefix and
matched against the frame's source_id; a group is used only when `enable` is a true GLib boolean
(a group with enable=0 or none is skipped); `location` / `coordinate` are GLib double lists of
exactly 3 values (otherwise the parser stops and the group is dropped); strings default to "".
Unknown keys are ignored (nvmsgconv prints them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from alpr_gen.configset.files import ConfigFile
from alpr_gen.configset.values import glib_bool, glib_float
from alpr_gen.deepstream.keyfile import Group, split_list

Triple = tuple[float, float, float]
_ZERO: Triple = (0.0, 0.0, 0.0)
_INDEX = re.compile(r"\s*\+?(\d+)")


@dataclass(frozen=True)
class Sensor:
    id: str = ""
    type: str = ""
    description: str = ""
    location: Triple = _ZERO  # lat, lon, alt
    coordinate: Triple = _ZERO  # x, y, z


@dataclass(frozen=True)
class Place:
    id: str = ""
    name: str = ""
    type: str = ""
    location: Triple = _ZERO
    coordinate: Triple = _ZERO
    sub_field1: str = ""  # place-sub-field1..3: the "place-sub-field" object's id, name, level
    sub_field2: str = ""
    sub_field3: str = ""


@dataclass(frozen=True)
class Analytics:
    id: str = ""
    description: str = ""
    source: str = ""
    version: str = ""


@dataclass(frozen=True)
class MsgconvView:
    file: ConfigFile
    sensors: dict[int, Sensor]
    places: dict[int, Place]
    analytics: dict[int, Analytics]


def _triple(value: str | None) -> Triple | None:
    if value is None:
        return None
    items = [glib_float(v) for v in split_list(value)]
    if len(items) != 3 or any(v is None for v in items):
        return None
    return (float(items[0] or 0.0), float(items[1] or 0.0), float(items[2] or 0.0))


def _index(name: str, prefix: str) -> int | None:
    m = _INDEX.match(name[len(prefix) :])
    return int(m.group(1)) if m else None


def _enabled(group: Group) -> bool:
    return bool(glib_bool(group.get("enable")))


def msgconv(src: ConfigFile | None) -> MsgconvView | None:
    kf = src.keyfile if src is not None else None
    if src is None or kf is None:
        return None
    sensors: dict[int, Sensor] = {}
    places: dict[int, Place] = {}
    modules: dict[int, Analytics] = {}
    for group in kf.groups.values():
        g = group.get
        if group.name.startswith("sensor"):
            n = _index(group.name, "sensor")
            if n is None or n in sensors or not _enabled(group):
                continue
            loc, coord = _triple(g("location")), _triple(g("coordinate"))
            if (g("location") is not None and loc is None) or (
                g("coordinate") is not None and coord is None
            ):
                continue  # "Wrong values provided": the parser gives up on the group
            sensors[n] = Sensor(
                g("id") or "", g("type") or "", g("description") or "", loc or _ZERO, coord or _ZERO
            )
        elif group.name.startswith("place"):
            n = _index(group.name, "place")
            if n is None or n in places or not _enabled(group):
                continue
            loc, coord = _triple(g("location")), _triple(g("coordinate"))
            if (g("location") is not None and loc is None) or (
                g("coordinate") is not None and coord is None
            ):
                continue
            places[n] = Place(
                g("id") or "",
                g("name") or "",
                g("type") or "",
                loc or _ZERO,
                coord or _ZERO,
                g("place-sub-field1") or "",
                g("place-sub-field2") or "",
                g("place-sub-field3") or "",
            )
        elif group.name.startswith("analytics"):
            n = _index(group.name, "analytics")
            if n is None or n in modules or not _enabled(group):
                continue
            modules[n] = Analytics(
                g("id") or "", g("description") or "", g("source") or "", g("version") or ""
            )
    return MsgconvView(src, sensors, places, modules)
