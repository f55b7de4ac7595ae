"""DS3xx across files, the GIEs: ids and wiring, labels, class attributes, trackers for SGIEs."""

from __future__ import annotations

import re
from collections.abc import Iterator

from alpr_gen.configset import ConfigFile, ConfigSet, Gie
from alpr_gen.configset.values import glib_bool
from alpr_gen.deepstream.keyfile import split_list
from alpr_gen.validate.findings import Severity
from alpr_gen.validate.rules import Hit, hit, int_or_none, rule, setting_location

E, W = Severity.ERROR, Severity.WARNING


@rule("DS301", E, "gie-unique-id used by two GIEs")
def duplicate_gie_id(cs: ConfigSet) -> Iterator[Hit]:
    seen: dict[int, Gie] = {}
    for gie in cs.enabled_gies:
        uid = int_or_none(gie.value("gie-unique-id"))
        if uid is None:
            continue
        if uid in seen:
            src, line, group = setting_location(cs, gie, "gie-unique-id")
            yield hit(
                src,
                line,
                group,
                "gie-unique-id",
                f"gie-unique-id={uid} is also used by [{seen[uid].group.name}]: "
                "every GIE needs its own id",
            )
        else:
            seen[uid] = gie


@rule("DS302", E, "SGIE whose operate-on-gie-id does not lead to the PGIE (never created)")
def sgie_unreachable(cs: ConfigSet) -> Iterator[Hit]:
    pgie = cs.pgie
    if pgie is None:
        return
    ids = {int_or_none(g.value("gie-unique-id")): g for g in cs.enabled_gies}
    pgie_id = int_or_none(pgie.value("gie-unique-id"))
    for gie in cs.enabled_gies:
        if gie.primary:
            continue
        target = int_or_none(gie.value("operate-on-gie-id"))
        if target is None or target == -1:
            continue
        seen: set[int] = set()
        cur: int | None = target
        while cur is not None and cur != pgie_id and cur in ids and cur not in seen:
            seen.add(cur)
            cur = int_or_none(ids[cur].value("operate-on-gie-id"))
        if cur != pgie_id:
            src, line, group = setting_location(cs, gie, "operate-on-gie-id")
            yield hit(
                src,
                line,
                group,
                "operate-on-gie-id",
                f"operate-on-gie-id={target} does not lead to the primary GIE "
                f"(gie-unique-id={pgie_id}): [{gie.group.name}] is silently not created",
            )


@rule("DS303", W, "app GIE group and its nvinfer file disagree")
def app_overrides(cs: ConfigSet) -> Iterator[Hit]:
    for gie in cs.enabled_gies:
        if gie.config is None or gie.config.keyfile is None:
            continue
        prop = gie.config.keyfile.group("property")
        if prop is None:
            continue
        for key in ("batch-size", "gie-unique-id"):
            app_v, file_v = gie.group.get(key), prop.get(key)
            if app_v is not None and file_v is not None and app_v != file_v:
                yield hit(
                    cs.app,
                    gie.group.line_of(key),
                    gie.group.name,
                    key,
                    f"{key}={app_v} here overrides {key}={file_v} in {gie.config.rel}: "
                    "make them agree",
                )


def _detector(gie: Gie) -> bool:
    return gie.value("network-type") is None or gie.int_value("network-type") in (0, 3)


def _label_count(src: ConfigFile) -> int:
    lines = [ln for ln in (src.text or "").splitlines() if ln.strip()]
    if len(lines) == 1 and ";" in lines[0]:
        return len(split_list(lines[0]))
    return len(lines)


@rule("DS304", E, "detector label lines differ from num-detected-classes")
def label_count(cs: ConfigSet) -> Iterator[Hit]:
    for gie in cs.enabled_gies:
        labels = gie.labels
        n = int_or_none(gie.value("num-detected-classes"))
        if labels is None or labels.text is None or n is None or not _detector(gie):
            continue
        count = _label_count(labels)
        if count != n:
            src, line, group = setting_location(cs, gie, "num-detected-classes")
            yield hit(
                src,
                line,
                group,
                "num-detected-classes",
                f"num-detected-classes={n} but {labels.rel} has {count} labels: make them agree",
            )


@rule("DS305", E, "[class-attrs-N] with N >= num-detected-classes (fatal)")
def class_attrs_range(cs: ConfigSet) -> Iterator[Hit]:
    for gie in cs.enabled_gies:
        n = int_or_none(gie.value("num-detected-classes"))
        if gie.config is None or gie.config.keyfile is None or n is None:
            continue
        for group in gie.config.keyfile.groups.values():
            m = re.fullmatch(r"class-attrs-(\d+)", group.name)
            if m and int(m[1]) >= n:
                yield hit(
                    gie.config,
                    group.line,
                    group.name,
                    None,
                    f"[{group.name}] but num-detected-classes={n}: nvinfer fails to "
                    f"start; classes are 0..{n - 1}",
                )


@rule("DS313", E, "SGIE in classifier-async-mode without the tracker (never classifies)")
def async_needs_tracker(cs: ConfigSet) -> Iterator[Hit]:
    if cs.tracker.enabled:
        return
    for gie in cs.enabled_gies:
        if not gie.primary and glib_bool(gie.value("classifier-async-mode")):
            src, line, group = setting_location(cs, gie, "classifier-async-mode")
            yield hit(
                src,
                line,
                group,
                "classifier-async-mode",
                "classifier-async-mode skips untracked objects and the tracker is off: "
                "enable [tracker] or set classifier-async-mode=0",
            )


@rule("DS314", W, "SGIE with secondary-reinfer-interval without the tracker")
def reinfer_needs_tracker(cs: ConfigSet) -> Iterator[Hit]:
    if cs.tracker.enabled:
        return
    for gie in cs.enabled_gies:
        if not gie.primary and gie.value("secondary-reinfer-interval") is not None:
            src, line, group = setting_location(cs, gie, "secondary-reinfer-interval")
            yield hit(
                src,
                line,
                group,
                "secondary-reinfer-interval",
                "secondary-reinfer-interval needs tracked objects and the tracker is "
                "off: the SGIE runs on every object of every frame; enable [tracker]",
            )


@rule("DS319", W, "SGIE operate-on-class-ids outside the PGIE's classes")
def sgie_classes(cs: ConfigSet) -> Iterator[Hit]:
    pgie = cs.pgie
    n = int_or_none(pgie.value("num-detected-classes")) if pgie else None
    if n is None:
        return
    for gie in cs.enabled_gies:
        value = gie.value("operate-on-class-ids")
        if gie.primary or not value:
            continue
        bad = [c for c in split_list(value) if (int_or_none(c) is not None and not 0 <= int(c) < n)]
        if bad:
            src, line, group = setting_location(cs, gie, "operate-on-class-ids")
            yield hit(
                src,
                line,
                group,
                "operate-on-class-ids",
                f"class ids {';'.join(bad)} do not exist: the PGIE has classes 0..{n - 1}",
            )


@rule("DS322", W, "[class-attrs-*] in a config that is not a detector (ignored)")
def class_attrs_ignored(cs: ConfigSet) -> Iterator[Hit]:
    for gie in cs.enabled_gies:
        if gie.config is None or gie.config.keyfile is None or _detector(gie):
            continue
        for group in gie.config.keyfile.groups.values():
            if group.name.startswith("class-attrs-"):
                yield hit(
                    gie.config,
                    group.line,
                    group.name,
                    None,
                    f"[{group.name}] is read only for network-type 0 or 3 (detectors): "
                    "its thresholds do nothing here; remove it",
                )
