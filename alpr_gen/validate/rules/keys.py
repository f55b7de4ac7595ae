"""DS1xx: groups, keys and values checked against the schema."""

from __future__ import annotations

import difflib
import re
import weakref
from collections.abc import Iterator
from dataclasses import dataclass

from alpr_gen.configset import ConfigFile, ConfigSet
from alpr_gen.deepstream.catalogue import GroupSpec, Key, T, find_group, find_key, groups_for
from alpr_gen.deepstream.catalogue.app import ENABLE_INT_GROUPS
from alpr_gen.deepstream.keyfile import Entry, Group, split_list
from alpr_gen.deepstream.versions import version_key
from alpr_gen.validate.findings import Severity
from alpr_gen.validate.rules import Hit, hit, keyfiles, rule

E, W = Severity.ERROR, Severity.WARNING
_INT_RE = re.compile(r"^[+-]?\d+$")


@dataclass(frozen=True)
class Item:
    src: ConfigFile
    group: Group
    spec: GroupSpec
    entry: Entry
    key: Key | None
    nums: list[float] | None  # the value's numbers (parsed once)
    err: str | None  # type error, if any


# Work shared by the key rules, once per loaded set (dropped with the set).
_ITEMS: weakref.WeakKeyDictionary[ConfigSet, list[Item]] = weakref.WeakKeyDictionary()


def _items(cs: ConfigSet) -> list[Item]:
    """Every (file, group, key) with its schema entry; computed once per lint."""
    cached = _ITEMS.get(cs)
    if cached is None:
        out = []
        for src in keyfiles(cs):
            assert src.keyfile is not None
            for group in src.keyfile.groups.values():
                spec = find_group(src.kind, group.name, src.adaptor)
                if spec is None or spec.keys is None:
                    continue
                for entry in group.entries.values():
                    key = find_key(spec, entry.key)
                    nums, err = parse_value(key, entry.value) if key else (None, None)
                    out.append(Item(src, group, spec, entry, key, nums, err))
        _ITEMS[cs] = cached = out
    return cached


def _group_names(kind: str, adaptor: str | None) -> list[str]:
    return [
        s.name.replace("N", "0") if s.name.endswith("N") else s.name
        for s in groups_for(kind, adaptor)
    ]


def _close(word: str, options: list[str]) -> str | None:
    match = difflib.get_close_matches(word, options, n=1, cutoff=0.75)
    return match[0] if match else None


def _unknown_groups(cs: ConfigSet) -> Iterator[tuple[ConfigFile, Group, str | None]]:
    for src in keyfiles(cs):
        assert src.keyfile is not None
        for group in src.keyfile.groups.values():
            if find_group(src.kind, group.name, src.adaptor) is None:
                yield src, group, _close(group.name, _group_names(src.kind, src.adaptor))


@rule("DS101", E, "unknown group that looks like a misspelt known one")
def misspelt_group(cs: ConfigSet) -> Iterator[Hit]:
    for src, group, near in _unknown_groups(cs):
        if near:
            yield hit(
                src,
                group.line,
                group.name,
                None,
                f"unknown group [{group.name}] is ignored: did you mean [{near}]?",
            )


@rule("DS102", W, "unknown group")
def unknown_group(cs: ConfigSet) -> Iterator[Hit]:
    for src, group, near in _unknown_groups(cs):
        if not near and not (src.kind == "broker" and src.adaptor is None):
            yield hit(
                src,
                group.line,
                group.name,
                None,
                f"unknown group [{group.name}] is ignored by DeepStream; remove it",
            )


def _unknown_keys(cs: ConfigSet) -> Iterator[tuple[Item, str | None]]:
    for item in _items(cs):
        if item.key is None:
            assert item.spec.keys is not None
            options = list(item.spec.keys) + [p + "0" for p in item.spec.prefix_keys]
            yield item, _close(item.entry.key, options)


@rule("DS103", E, "unknown key that looks like a misspelt known one")
def misspelt_key(cs: ConfigSet) -> Iterator[Hit]:
    for item, near in _unknown_keys(cs):
        if near:
            yield hit(
                item.src,
                item.entry.line,
                item.group.name,
                item.entry.key,
                f"unknown key '{item.entry.key}' does nothing: did you mean '{near}'?",
            )


@rule("DS104", W, "unknown key")
def unknown_key(cs: ConfigSet) -> Iterator[Hit]:
    for item, near in _unknown_keys(cs):
        if not near:
            yield hit(
                item.src,
                item.entry.line,
                item.group.name,
                item.entry.key,
                f"unknown key '{item.entry.key}' in [{item.group.name}] is ignored; "
                "remove it or check the DeepStream docs for its name",
            )


def _is_enable_int(src: ConfigFile, group: str, key: str) -> bool:
    return (
        src.kind == "app"
        and key == "enable"
        and (group == "tracker" or any(re.fullmatch(p, group) for p in ENABLE_INT_GROUPS))
    )


def parse_value(key: Key, value: str) -> tuple[list[float] | None, str | None]:
    """Numbers in the value (None for strings) or a type error message."""
    t = key.type
    if t in (T.INT, T.FLAG):
        if not _INT_RE.match(value):
            return None, f"'{value}' is not an integer"
        return [int(value)], None
    if t is T.BOOL:
        if value not in ("true", "false", "1", "0"):
            return None, f"'{value}' is not a boolean (true/false/1/0)"
        return None, None
    if t is T.FLOAT:
        try:
            return [float(value)], None
        except ValueError:
            return None, f"'{value}' is not a number"
    if t in (T.INT_LIST, T.FLOAT_LIST, T.COLOR):
        items = split_list(value)
        nums: list[float] = []
        for item in items:
            if t is T.INT_LIST and not _INT_RE.match(item):
                return None, f"'{item}' in '{value}' is not an integer"
            try:
                nums.append(float(item))
            except ValueError:
                return None, f"'{item}' in '{value}' is not a number"
        return nums, None
    return None, None


@rule("DS105", E, "value of the wrong type")
def bad_type(cs: ConfigSet) -> Iterator[Hit]:
    for item in _items(cs):
        if item.key is None or _is_enable_int(item.src, item.group.name, item.entry.key):
            continue
        err = item.err
        if err:
            yield hit(
                item.src,
                item.entry.line,
                item.group.name,
                item.entry.key,
                f"{item.entry.key}: {err}; expected {item.key.type.value} ({item.key.doc})",
            )


@rule("DS106", E, "value out of range or not one of the allowed values")
def out_of_range(cs: ConfigSet) -> Iterator[Hit]:
    for item in _items(cs):
        k = item.key
        if k is None or _is_enable_int(item.src, item.group.name, item.entry.key):
            continue
        nums, name = item.nums, item.entry.key
        if item.err:
            continue
        if k.choices is not None:
            allowed = ", ".join(f"{v} ({m})" if m else str(v) for v, m in k.choices.items())
            value: int | str | None = item.entry.value
            if nums is not None and len(nums) == 1:
                value = int(nums[0])
            if value not in k.choices:
                yield hit(
                    item.src,
                    item.entry.line,
                    item.group.name,
                    name,
                    f"{name}={item.entry.value} is not allowed; use one of {allowed}",
                )
            continue
        lo, hi = k.lo, k.hi
        if k.type is T.FLAG and lo is None:
            lo, hi = 0, 1
        for n in nums or []:
            if (lo is not None and n < lo) or (hi is not None and n > hi):
                rng = f"[{_fmt(lo)}, {_fmt(hi)}]" if hi is not None else f">= {_fmt(lo)}"
                yield hit(
                    item.src,
                    item.entry.line,
                    item.group.name,
                    name,
                    f"{name}={item.entry.value} is out of range: {rng} ({k.doc})",
                )
                break


def _fmt(x: float | None) -> str:
    return "" if x is None else (str(int(x)) if float(x).is_integer() else str(x))


@rule("DS107", E, "list with the wrong number of values")
def bad_length(cs: ConfigSet) -> Iterator[Hit]:
    for item in _items(cs):
        k = item.key
        if k is None or k.length is None:
            continue
        nums = item.nums
        if item.err or nums is None:
            continue
        lo, hi = k.length
        if not lo <= len(nums) <= hi:
            want = str(lo) if lo == hi else f"{lo} to {hi}"
            yield hit(
                item.src,
                item.entry.line,
                item.group.name,
                item.entry.key,
                f"{item.entry.key} has {len(nums)} values, needs {want} ({k.doc})",
            )


@rule("DS108", W, "deprecated key")
def deprecated(cs: ConfigSet) -> Iterator[Hit]:
    for item in _items(cs):
        k = item.key
        if k is None or k.deprecated is None:
            continue
        if k.deprecated_since and version_key(cs.deepstream) < version_key(k.deprecated_since):
            continue
        if k.deprecated:
            msg = f"'{item.entry.key}' is deprecated: use '{k.deprecated}' instead"
        else:
            msg = f"'{item.entry.key}' no longer does anything: remove it"
        yield hit(item.src, item.entry.line, item.group.name, item.entry.key, msg)


@rule("DS109", E, "key or value not available in the target DeepStream version")
def wrong_version(cs: ConfigSet) -> Iterator[Hit]:
    target = version_key(cs.deepstream)
    for item in _items(cs):
        k = item.key
        if k is None:
            continue
        name, where = item.entry.key, (item.src, item.entry.line, item.group.name)
        if k.since and target < version_key(k.since):
            yield hit(
                *where,
                name,
                f"'{name}' exists only from DeepStream {k.since} "
                f"(target is {cs.deepstream}): remove it or target {k.since}+",
            )
        elif k.until and target > version_key(k.until):
            yield hit(
                *where,
                name,
                f"'{name}' was removed after DeepStream {k.until} "
                f"(target is {cs.deepstream}): remove it",
            )
        nums = item.nums
        since = k.value_since.get(int(nums[0])) if nums and len(nums) == 1 else None
        if since and target < version_key(since):
            yield hit(
                *where,
                name,
                f"{name}={item.entry.value} exists only from "
                f"DeepStream {since} (target is {cs.deepstream})",
            )


@rule("DS110", E, "key or value that exists only on the other platform")
def wrong_platform(cs: ConfigSet) -> Iterator[Hit]:
    for item in _items(cs):
        k = item.key
        if k is None:
            continue
        name, where = item.entry.key, (item.src, item.entry.line, item.group.name)
        if k.platform and k.platform != cs.platform:
            yield hit(
                *where,
                name,
                f"'{name}' exists only on {k.platform} "
                f"(target platform is {cs.platform}): remove it",
            )
        nums = item.nums
        plat = k.value_platform.get(int(nums[0])) if nums and len(nums) == 1 else None
        if plat and plat != cs.platform:
            meaning = (k.choices or {}).get(int(nums[0]), "")
            yield hit(
                *where,
                name,
                f"{name}={item.entry.value} ({meaning}) exists only on "
                f"{plat} (target platform is {cs.platform})",
            )


@rule("DS111", E, "`enable` that is not the integer 0 or 1")
def enable_trap(cs: ConfigSet) -> Iterator[Hit]:
    for item in _items(cs):
        if not _is_enable_int(item.src, item.group.name, item.entry.key):
            continue
        value = item.entry.value
        if value in ("0", "1"):
            continue
        if item.group.name == "tracker":
            effect = "deepstream-app fails to parse the config"
        else:
            effect = f"[{item.group.name}] is skipped silently"
        yield hit(
            item.src,
            item.entry.line,
            item.group.name,
            "enable",
            f"enable={value} is not the integer 0 or 1: {effect}; write enable=1",
        )


@rule("DS112", W, "group skipped because `enable` is missing")
def enable_missing(cs: ConfigSet) -> Iterator[Hit]:
    kf = cs.app.keyfile
    if kf is None:
        return
    for group in kf.groups.values():
        if any(re.fullmatch(p, group.name) for p in ENABLE_INT_GROUPS) and (
            "enable" not in group.entries
        ):
            yield hit(
                cs.app,
                group.line,
                group.name,
                "enable",
                f"[{group.name}] has no enable key, so it is skipped: add enable=1 "
                "(or enable=0 to say it is off on purpose)",
            )


@rule("DS113", E, "group name DeepStream does not accept")
def group_naming(cs: ConfigSet) -> Iterator[Hit]:
    kf = cs.app.keyfile
    if kf is None:
        return
    for group in kf.groups.values():
        if group.name.startswith("source") and not re.fullmatch(r"source\d+", group.name):
            yield hit(
                cs.app,
                group.line,
                group.name,
                None,
                f"[{group.name}]: source groups must be named source<index>, e.g. [source0]",
            )


_LIMITS = (("source", 1024), ("sink", 1024), ("secondary-gie", 16))


@rule("DS114", E, "more groups of a kind than DeepStream supports")
def group_limits(cs: ConfigSet) -> Iterator[Hit]:
    kf = cs.app.keyfile
    if kf is None:
        return
    for prefix, limit in _LIMITS:
        groups = kf.groups_with_prefix(prefix)
        if len(groups) > limit:
            g = groups[limit]
            yield hit(
                cs.app,
                g.line,
                g.name,
                None,
                f"{len(groups)} [{prefix}*] groups: DeepStream supports at most {limit}",
            )


def _required(cs: ConfigSet) -> Iterator[tuple[ConfigFile, Group, str, str]]:
    kf = cs.app.keyfile
    if kf is not None:
        for group in kf.groups.values():
            if group.get("enable") != "1":
                continue
            gie = group.name == "primary-gie" or group.name.startswith("secondary-gie")
            if gie and "config-file" not in group.entries:
                yield cs.app, group, "config-file", "an enabled GIE needs its nvinfer config"
            if re.fullmatch(r"source\d+", group.name):
                if "type" not in group.entries:
                    yield cs.app, group, "type", "say what kind of source this is"
                elif group.get("type") in ("2", "3", "4") and "uri" not in group.entries:
                    yield cs.app, group, "uri", "URI/RTSP sources need a uri"
            if group.name.startswith("sink") and "type" not in group.entries:
                yield cs.app, group, "type", "say what kind of sink this is"
    if cs.analytics_file is not None and cs.analytics_file.keyfile is not None:
        prop = cs.analytics_file.keyfile.group("property")
        if prop is not None:
            for key in ("enable", "config-width", "config-height"):
                if key not in prop.entries:
                    yield cs.analytics_file, prop, key, "nvdsanalytics requires it"


@rule("DS115", E, "required key missing")
def required_key(cs: ConfigSet) -> Iterator[Hit]:
    for src, group, key, why in _required(cs):
        yield hit(src, group.line, group.name, key, f"[{group.name}] has no {key}: {why}")


@rule("DS116", W, "key set twice in a group (the last one wins)")
def duplicate_key(cs: ConfigSet) -> Iterator[Hit]:
    for src in keyfiles(cs):
        assert src.keyfile is not None
        for group in src.keyfile.groups.values():
            for entry in group.duplicates:
                last = group.entries[entry.key]
                yield hit(
                    src,
                    last.line,
                    group.name,
                    entry.key,
                    f"'{entry.key}' is set again (first at line {entry.line}); "
                    "the last value wins: keep one",
                )


@rule("DS117", E, "group defined twice")
def duplicate_group(cs: ConfigSet) -> Iterator[Hit]:
    for src in keyfiles(cs):
        assert src.keyfile is not None
        for group in src.keyfile.duplicate_groups:
            first = src.keyfile.groups[group.name]
            yield hit(
                src,
                group.line,
                group.name,
                None,
                f"[{group.name}] appears again (first at line {first.line}); give each group once",
            )


@rule("DS118", E, "line that is not a [group], key=value or comment")
def bad_line(cs: ConfigSet) -> Iterator[Hit]:
    for src in keyfiles(cs):
        assert src.keyfile is not None
        if src.kind == "broker" and src.keyfile.group("message-broker") is None:
            continue  # reported once as a missing [message-broker] header (DS406)
        for line, text in src.keyfile.bad_lines:
            yield hit(
                src,
                line,
                None,
                None,
                f"'{text.strip()}' is not a [group], key=value or # comment: "
                "GLib rejects the whole file",
            )
