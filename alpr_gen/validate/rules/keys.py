"""DS1xx: groups, keys and values checked against the schema."""

from __future__ import annotations

import difflib
import re
import weakref
from collections.abc import Iterator
from dataclasses import dataclass

from alpr_gen.configset import ConfigFile, ConfigSet
from alpr_gen.deepstream import glib_values as gv
from alpr_gen.deepstream.catalogue import GroupSpec, Key, T, find_group, find_key, groups_for
from alpr_gen.deepstream.catalogue.app import ENABLE_INT_GROUPS
from alpr_gen.deepstream.keyfile import Entry, Group
from alpr_gen.deepstream.versions import version_key
from alpr_gen.validate.findings import Severity
from alpr_gen.validate.rules import Hit, hit, keyfiles, rule

E, W = Severity.ERROR, Severity.WARNING
_GLIB_SPACE = " \t\n\r\f\v"


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


def items(cs: ConfigSet) -> list[Item]:
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
    for item in items(cs):
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


def is_enable_int(src: ConfigFile, group: str, key: str) -> bool:
    return (
        src.kind == "app"
        and key == "enable"
        and (group == "tracker" or any(re.fullmatch(p, group) for p in ENABLE_INT_GROUPS))
    )


def parse_value(key: Key, value: str) -> tuple[list[float] | None, str | None]:
    """Numbers in the value (None for strings) or a type error message, read by GLib's own
    rules (`alpr_gen.deepstream.glib_values`): whitespace may end an integer or a boolean, never
    a decimal number."""
    t = key.type
    if t in (T.INT, T.FLAG, T.BOOL, T.FLOAT):
        try:
            if t is T.BOOL:
                gv.parse_boolean(value)
                return None, None
            return [gv.parse_integer(value) if t is not T.FLOAT else gv.parse_double(value)], None
        except gv.GLibValueError:
            return None, f"'{value}' is not {_NOUN[t]}{_space_note(value, t)}"
    if t in (T.INT_LIST, T.FLOAT_LIST, T.COLOR):
        try:
            items = gv.parse_string_list(value)
        except gv.GLibValueError as exc:
            return None, f"'{value}' {exc}"
        nums: list[float] = []
        for item in items:
            try:
                nums.append(gv.parse_integer(item) if t is T.INT_LIST else gv.parse_double(item))
            except gv.GLibValueError:
                one = T.INT if t is T.INT_LIST else T.FLOAT
                return None, f"'{item}' in '{value}' is not {_NOUN[one]}{_space_note(item, one)}"
        return nums, None
    return None, None


_NOUN = {T.INT: "an integer", T.FLAG: "an integer", T.FLOAT: "a number",
         T.BOOL: "a boolean (true/false/1/0)"}  # fmt: skip


def _space_note(value: str, t: T) -> str:
    """Why a decimal that looks right is refused (integers and booleans may end in spaces)."""
    if t is T.FLOAT and value != value.rstrip(_GLIB_SPACE) and value.strip(_GLIB_SPACE):
        return " (GLib reads no whitespace after a decimal number)"
    return ""


@rule("DS105", E, "value of the wrong type")
def bad_type(cs: ConfigSet) -> Iterator[Hit]:
    for item in items(cs):
        if item.key is None or is_enable_int(item.src, item.group.name, item.entry.key):
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
    for item in items(cs):
        k = item.key
        if k is None or is_enable_int(item.src, item.group.name, item.entry.key):
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
    for item in items(cs):
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
    for item in items(cs):
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
    for src in keyfiles(cs):
        assert src.keyfile is not None
        for group in src.keyfile.groups.values():
            spec = find_group(src.kind.value, group.name, src.adaptor)
            if spec is not None and spec.since and target < version_key(spec.since):
                yield hit(
                    src,
                    group.line,
                    group.name,
                    None,
                    f"[{group.name}] exists only from DeepStream {spec.since} "
                    f"(target is {cs.deepstream}): deepstream-app ignores it; remove it",
                )
    for item in items(cs):
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
    for item in items(cs):
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
        code = int(nums[0]) if nums and len(nums) == 1 else None
        plat = k.value_platform.get(code) if code is not None else None
        if code is not None and plat and plat != cs.platform:
            meaning = (k.choices or {}).get(code, "")
            yield hit(
                *where,
                name,
                f"{name}={item.entry.value} ({meaning}) exists only on "
                f"{plat} (target platform is {cs.platform})",
            )


@rule("DS120", E, "string or path value that ends in whitespace (DeepStream keeps it)")
def trailing_whitespace(cs: ConfigSet) -> Iterator[Hit]:
    for item in items(cs):
        k, value = item.key, item.entry.value
        # ocr_parser.cfg is read by alpr-gen's own parser, which trims its values.
        if k is None or k.type not in (T.STR, T.PATH) or item.src.kind == "ocr":
            continue
        if value != value.rstrip(_GLIB_SPACE):
            yield hit(
                item.src,
                item.entry.line,
                item.group.name,
                item.entry.key,
                f"{item.entry.key}={value.rstrip(_GLIB_SPACE)!r} ends in whitespace: GLib keeps "
                f"it, so DeepStream reads {value!r}; remove the whitespace at the end of the line",
            )
