"""The nvdsanalytics config as the plugin reads it: rules per stream, with its defaults.

Built after gst-nvdsanalytics' nvdsanalytics_property_parser.cpp: `[property]` enable /
config-width / config-height / osd-mode (default 2) / display-font-size (default 12);
`[line-crossing-stream-N]` (N read with strtoull after the prefix) with `enable` (GLib boolean,
default off), `class-id` (integer list; empty = every class), `extended` (default **on** when the
key is absent), `mode` (default **loose**; an unknown value reads as loose) and one rule per
`line-crossing-<label>=dx1;dy1;dx2;dy2;x1;y1;x2;y2` (direction vector, then the line);
`[roi-filtering-stream-N]` (`inverse-roi`, `roi-<label>=x;y;...`); `[direction-detection-stream-N]`
(`direction-<label>=x1;y1;x2;y2`, `mode` default balanced); `[overcrowding-stream-N]`
(`object-threshold` default 1, `time-threshold` default 2000 ms, `roi-<label>`). Coordinates are
in config-width x config-height space. A value GLib cannot parse drops that rule here (the plugin
refuses the file; validate reports it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from alpr_gen.configset.files import ConfigFile
from alpr_gen.configset.values import glib_bool, glib_int, glib_int_list
from alpr_gen.deepstream.keyfile import Group

Point = tuple[int, int]
_STREAM = re.compile(r"(\d+)")


def _flag(group: Group, key: str, default: bool) -> bool:
    parsed = glib_bool(group.get(key))
    return default if parsed is None else parsed


def _points(values: list[int]) -> tuple[Point, ...]:
    return tuple((values[i], values[i + 1]) for i in range(0, len(values) - 1, 2))


@dataclass(frozen=True)
class LineRule:
    stream: int
    label: str
    direction: tuple[Point, Point]  # the direction vector's start and end
    line: tuple[Point, Point]
    class_ids: tuple[int, ...]  # empty: every class
    extended: bool
    mode: str  # loose, balanced, strict
    enabled: bool


@dataclass(frozen=True)
class RoiRule:
    stream: int
    label: str
    points: tuple[Point, ...]
    class_ids: tuple[int, ...]
    inverse: bool
    enabled: bool


@dataclass(frozen=True)
class DirectionRule:
    stream: int
    label: str
    start: Point
    end: Point
    class_ids: tuple[int, ...]
    mode: str
    enabled: bool


@dataclass(frozen=True)
class OvercrowdingRule:
    stream: int
    label: str
    points: tuple[Point, ...]
    class_ids: tuple[int, ...]
    object_threshold: int
    time_threshold_ms: int
    enabled: bool


@dataclass(frozen=True)
class AnalyticsView:
    file: ConfigFile
    enabled: bool
    config_width: int
    config_height: int
    osd_mode: int
    font_size: int
    lines: tuple[LineRule, ...] = ()
    rois: tuple[RoiRule, ...] = ()
    directions: tuple[DirectionRule, ...] = ()
    overcrowding: tuple[OvercrowdingRule, ...] = ()
    problems: tuple[str, ...] = field(default=())  # rules dropped, and why

    def for_stream(self, stream: int) -> AnalyticsView:
        """The rules of one stream (the same view, other streams' rules left out)."""
        return AnalyticsView(
            self.file,
            self.enabled,
            self.config_width,
            self.config_height,
            self.osd_mode,
            self.font_size,
            tuple(r for r in self.lines if r.stream == stream),
            tuple(r for r in self.rois if r.stream == stream),
            tuple(r for r in self.directions if r.stream == stream),
            tuple(r for r in self.overcrowding if r.stream == stream),
            self.problems,
        )


def _stream_of(name: str, prefix: str) -> int:
    m = _STREAM.match(name[len(prefix) :])
    return int(m.group(1)) if m else 0  # strtoull of a non-number is 0


def _class_ids(group: Group, problems: list[str]) -> tuple[int, ...]:
    raw = group.get("class-id")
    if raw is None:
        return ()
    ids = glib_int_list(raw)
    if ids is None:
        problems.append(f"[{group.name}] class-id={raw!r} is not an integer list")
        return ()
    return tuple(ids)


def _mode(group: Group, default: str) -> str:
    value = group.get("mode")
    return value if value in ("loose", "balanced", "strict") else default


def analytics(cs_file: ConfigFile | None) -> AnalyticsView | None:
    """The rules of an nvdsanalytics file (None when there is none or it cannot be read)."""
    kf = cs_file.keyfile if cs_file is not None else None
    if cs_file is None or kf is None:
        return None
    prop = kf.group("property")
    problems: list[str] = []

    def prop_int(key: str, default: int) -> int:
        value = glib_int(prop.get(key)) if prop is not None else None
        return default if value is None else value

    lines: list[LineRule] = []
    rois: list[RoiRule] = []
    directions: list[DirectionRule] = []
    crowds: list[OvercrowdingRule] = []
    for group in kf.groups.values():
        name = group.name
        if name.startswith("line-crossing-stream-"):
            lines += _lines(group, _stream_of(name, "line-crossing-stream-"), problems)
        elif name.startswith("roi-filtering-stream-"):
            stream = _stream_of(name, "roi-filtering-stream-")
            classes = _class_ids(group, problems)
            for label, pts in _labelled_points(group, "roi-", problems):
                rois.append(
                    RoiRule(
                        stream,
                        label,
                        pts,
                        classes,
                        _flag(group, "inverse-roi", False),
                        _flag(group, "enable", False),
                    )
                )
        elif name.startswith("overcrowding-stream-"):
            stream = _stream_of(name, "overcrowding-stream-")
            classes = _class_ids(group, problems)
            for label, pts in _labelled_points(group, "roi-", problems):
                crowds.append(
                    OvercrowdingRule(
                        stream,
                        label,
                        pts,
                        classes,
                        glib_int(group.get("object-threshold")) or 1,
                        glib_int(group.get("time-threshold")) or 2000,
                        _flag(group, "enable", False),
                    )
                )
        elif name.startswith("direction-detection-stream-"):
            stream = _stream_of(name, "direction-detection-stream-")
            classes = _class_ids(group, problems)
            for key, entry in group.entries.items():
                if not key.startswith("direction-"):
                    continue
                values = glib_int_list(entry.value)
                if values is None or len(values) < 4:
                    problems.append(f"[{name}] {key}: needs x1;y1;x2;y2")
                    continue
                directions.append(
                    DirectionRule(
                        stream,
                        key[len("direction-") :],
                        (values[0], values[1]),
                        (values[2], values[3]),
                        classes,
                        _mode(group, "balanced"),
                        _flag(group, "enable", False),
                    )
                )
    return AnalyticsView(
        cs_file,
        prop is not None and _flag(prop, "enable", False),
        prop_int("config-width", 0),
        prop_int("config-height", 0),
        prop_int("osd-mode", 2),
        prop_int("display-font-size", 12) or 12,
        tuple(lines),
        tuple(rois),
        tuple(directions),
        tuple(crowds),
        tuple(problems),
    )


def _lines(group: Group, stream: int, problems: list[str]) -> list[LineRule]:
    out = []
    classes = _class_ids(group, problems)
    extended = _flag(group, "extended", True)  # the parser's default is TRUE
    mode = _mode(group, "loose")
    enabled = _flag(group, "enable", False)
    for key, entry in group.entries.items():
        if not key.startswith("line-crossing-"):
            continue
        values = glib_int_list(entry.value)
        if values is None or len(values) != 8:
            problems.append(f"[{group.name}] {key}: needs dx1;dy1;dx2;dy2;x1;y1;x2;y2")
            continue
        d = ((values[0], values[1]), (values[2], values[3]))
        line = ((values[4], values[5]), (values[6], values[7]))
        out.append(
            LineRule(
                stream, key[len("line-crossing-") :], d, line, classes, extended, mode, enabled
            )
        )
    return out


def _labelled_points(
    group: Group, prefix: str, problems: list[str]
) -> list[tuple[str, tuple[Point, ...]]]:
    out = []
    for key, entry in group.entries.items():
        if not key.startswith(prefix):
            continue
        values = glib_int_list(entry.value)
        if values is None or len(values) % 2 or len(values) < 6:
            problems.append(f"[{group.name}] {key}: needs at least 3 x;y points")
            continue
        out.append((key[len(prefix) :], _points(values)))
    return out
