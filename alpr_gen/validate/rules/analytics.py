"""DS5xx: nvdsanalytics config: stream indices and coordinates."""

from __future__ import annotations

import re
from collections.abc import Iterator

from alpr_gen.configset import ConfigFile, ConfigSet
from alpr_gen.configset.values import glib_int, glib_int_list
from alpr_gen.deepstream.keyfile import Entry, Group
from alpr_gen.validate.findings import Severity
from alpr_gen.validate.rules import Hit, hit, rule

E = Severity.ERROR
_STREAM = re.compile(r"(roi-filtering|overcrowding|line-crossing|direction-detection)-stream-(\d+)")
# key prefix -> number of leading values that are a direction vector, not points
_SHAPES = {"roi-": 0, "line-crossing-": 4, "direction-": 0}


def _groups(cs: ConfigSet) -> Iterator[tuple[ConfigFile, Group, int]]:
    src = cs.analytics_file
    if src is None or src.keyfile is None:
        return
    for group in src.keyfile.groups.values():
        if m := _STREAM.fullmatch(group.name):
            yield src, group, int(m[2])


def _shape_entries(group: Group) -> Iterator[tuple[Entry, list[int]]]:
    for entry in group.entries.values():
        if any(entry.key.startswith(p) for p in _SHAPES):
            values = glib_int_list(entry.value)
            if values is not None:  # else DS105 reports it
                yield entry, values


@rule("DS501", E, "nvdsanalytics group for a stream index that does not exist")
def stream_index(cs: ConfigSet) -> Iterator[Hit]:
    n = cs.num_streams
    for src, group, index in _groups(cs):
        if index >= n:
            yield hit(
                src,
                group.line,
                group.name,
                None,
                f"[{group.name}]: stream {index} does not exist ({n} sources, 0..{n - 1})",
            )


@rule("DS502", E, "nvdsanalytics point outside config-width x config-height")
def points_inside(cs: ConfigSet) -> Iterator[Hit]:
    src = cs.analytics_file
    prop = src.keyfile.group("property") if src and src.keyfile else None
    if prop is None:
        return
    width, height = glib_int(prop.get("config-width")), glib_int(prop.get("config-height"))
    if width is None or height is None:
        return
    for src, group, _ in _groups(cs):
        for entry, values in _shape_entries(group):
            skip = next(v for p, v in _SHAPES.items() if entry.key.startswith(p))
            pts = values[skip:]
            outside = [
                (x, y)
                for x, y in zip(pts[::2], pts[1::2], strict=False)
                if not (0 <= x <= width and 0 <= y <= height)
            ]
            if outside:
                x, y = outside[0]
                yield hit(
                    src,
                    entry.line,
                    group.name,
                    entry.key,
                    f"point ({x}, {y}) is outside the {width}x{height} config space "
                    "(config-width/config-height in [property])",
                )


@rule("DS503", E, "nvdsanalytics ROI with an odd number of values or fewer than 3 points")
def roi_shape(cs: ConfigSet) -> Iterator[Hit]:
    for src, group, _ in _groups(cs):
        for entry, values in _shape_entries(group):
            if entry.key.startswith("roi-") and (len(values) % 2 or len(values) < 6):
                yield hit(
                    src,
                    entry.line,
                    group.name,
                    entry.key,
                    f"{entry.key} has {len(values)} values: an ROI is x;y pairs, at least 3 points",
                )
