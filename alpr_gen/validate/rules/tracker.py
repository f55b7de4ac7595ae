"""DS6xx: the tracker's low-level YAML and the [tracker] group's sizes."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

import yaml

from alpr_gen.configset import ConfigFile, ConfigSet
from alpr_gen.configset.values import enabled
from alpr_gen.deepstream.catalogue import Key
from alpr_gen.deepstream.catalogue.tracker import TRACKER_SECTIONS
from alpr_gen.validate.findings import Severity
from alpr_gen.validate.rules import Hit, hit, rule
from alpr_gen.validate.rules.keys import parse_value

E, W = Severity.ERROR, Severity.WARNING


def _mapping(node: yaml.Node) -> list[tuple[yaml.Node, yaml.Node]] | None:
    if isinstance(node, yaml.MappingNode):
        pairs: list[tuple[yaml.Node, yaml.Node]] = node.value
        return pairs
    return None


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _sections(
    cs: ConfigSet,
) -> Iterator[tuple[ConfigFile, str, int, list[tuple[yaml.Node, yaml.Node]]]]:
    src = cs.tracker_file
    if src is None or src.yaml_root is None:
        return
    for knode, vnode in _mapping(src.yaml_root) or []:
        items = _mapping(vnode)
        if items is not None:
            yield src, str(knode.value), _line(knode), items


def _close(word: str, options: list[str]) -> str:
    match = difflib.get_close_matches(word, options, n=1, cutoff=0.75)
    return f": did you mean '{match[0]}'?" if match else ""


@rule("DS601", E, "tracker YAML that cannot be parsed or is not a mapping of sections")
def tracker_yaml(cs: ConfigSet) -> Iterator[Hit]:
    src = cs.tracker_file
    if src is None or src.text is None:
        return
    if src.yaml_error:
        line, problem = src.yaml_error
        yield hit(src, line, None, None, f"YAML error: {problem}")
    elif src.yaml_root is None or _mapping(src.yaml_root) is None:
        yield hit(
            src,
            1,
            None,
            None,
            "the tracker config must be a mapping of sections "
            "(BaseConfig:, TargetManagement:, ...)",
        )


@rule("DS602", W, "unknown tracker YAML section")
def tracker_section(cs: ConfigSet) -> Iterator[Hit]:
    for src, name, line, _ in _sections(cs):
        if name not in TRACKER_SECTIONS:
            yield hit(
                src,
                line,
                name,
                None,
                f"unknown section '{name}' is ignored" + _close(name, list(TRACKER_SECTIONS)),
            )


def _keys(cs: ConfigSet) -> Iterator[tuple[ConfigFile, str, str, int, yaml.Node, Key | None]]:
    for src, section, _, items in _sections(cs):
        spec = TRACKER_SECTIONS.get(section)
        if spec is None:
            continue
        for knode, vnode in items:
            key = str(knode.value)
            yield src, section, key, _line(knode), vnode, spec.get(key)


@rule("DS603", W, "unknown key in a tracker YAML section")
def tracker_key(cs: ConfigSet) -> Iterator[Hit]:
    for src, section, key, line, _, spec in _keys(cs):
        if spec is None:
            options = list(TRACKER_SECTIONS[section])
            yield hit(
                src,
                line,
                section,
                key,
                f"unknown key '{key}' in {section} is ignored" + _close(key, options),
            )


@rule("DS604", E, "tracker YAML value of the wrong type or out of range")
def tracker_value(cs: ConfigSet) -> Iterator[Hit]:
    import yaml

    for src, section, key, line, vnode, spec in _keys(cs):
        if spec is None:
            continue
        if isinstance(vnode, yaml.SequenceNode):
            text = ";".join(str(v.value) for v in vnode.value)
        elif isinstance(vnode, yaml.ScalarNode):
            text = str(vnode.value)
        else:
            yield hit(src, line, section, key, f"{key} must be a value, not a mapping")
            continue
        nums, err = parse_value(spec, text)
        if err:
            yield hit(src, line, section, key, f"{key}: {err} ({spec.doc})")
            continue
        for n in nums or []:
            if (spec.lo is not None and n < spec.lo) or (spec.hi is not None and n > spec.hi):
                hi = f", {spec.hi:g}]" if spec.hi is not None else ", ...)"
                yield hit(
                    src,
                    line,
                    section,
                    key,
                    f"{key}={text} is out of range [{spec.lo:g}{hi} ({spec.doc})",
                )
                break


@rule("DS605", W, "tracker-width/height not a multiple of 32")
def tracker_size(cs: ConfigSet) -> Iterator[Hit]:
    g = cs.app_group("tracker")
    if g is None or not enabled(g):
        return
    for key in ("tracker-width", "tracker-height"):
        value = g.get(key)
        if value is not None and value.isdigit() and int(value) % 32:
            yield hit(
                cs.app,
                g.line_of(key),
                "tracker",
                key,
                f"{key}={value}: NvDCF and DeepSORT need a multiple of 32 "
                f"(e.g. {int(value) // 32 * 32 or 32})",
            )
