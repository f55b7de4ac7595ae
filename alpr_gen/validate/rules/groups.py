"""DS111-DS118: groups as DeepStream's parser takes them: `enable`, names, limits, required keys,
duplicates, lines that are not key=value."""

from __future__ import annotations

import re
from collections.abc import Iterator

from alpr_gen.configset import ConfigFile, ConfigSet
from alpr_gen.configset.values import enabled, glib_int
from alpr_gen.deepstream.catalogue.app import ENABLE_INT_GROUPS
from alpr_gen.deepstream.facts import URI_SOURCE_TYPES
from alpr_gen.deepstream.keyfile import Group
from alpr_gen.redact import quote_line
from alpr_gen.validate.findings import Severity
from alpr_gen.validate.rules import Hit, hit, keyfiles, rule
from alpr_gen.validate.rules.keys import is_enable_int, items

E, W = Severity.ERROR, Severity.WARNING


@rule("DS111", E, "`enable` that is not the integer 0 or 1")
def enable_trap(cs: ConfigSet) -> Iterator[Hit]:
    for item in items(cs):
        if not is_enable_int(item.src, item.group.name, item.entry.key):
            continue
        value = item.entry.value
        if glib_int(value) in (0, 1):
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
            if not enabled(group):
                continue
            gie = group.name == "primary-gie" or group.name.startswith("secondary-gie")
            if gie and "config-file" not in group.entries:
                yield cs.app, group, "config-file", "an enabled GIE needs its nvinfer config"
            if re.fullmatch(r"source\d+", group.name):
                if "type" not in group.entries:
                    yield cs.app, group, "type", "say what kind of source this is"
                elif glib_int(group.get("type")) in URI_SOURCE_TYPES and "uri" not in group.entries:
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
            # A mangled line of a file with credentials may be the password itself: not shown.
            quoted = "this line" if src.private else f"'{quote_line(text, 80)}'"
            yield hit(
                src,
                line,
                None,
                None,
                f"{quoted} is not a [group], key=value or # comment: GLib rejects the whole file",
            )
