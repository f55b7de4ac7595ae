"""Lint rules: small functions with stable ids, registered with `@rule`.

A rule takes the loaded ConfigSet and yields Hits (where and what); the runner stamps the rule id
and severity on them. Ids are grouped: DS0xx target, DS1xx groups/keys/types, DS2xx files and
paths, DS3xx cross-file, DS4xx messaging, DS5xx nvdsanalytics, DS6xx tracker YAML, DS7xx OCR.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from alpr_gen.configset import ConfigFile, ConfigSet, Gie
from alpr_gen.configset.values import glib_int
from alpr_gen.validate.findings import Severity


@dataclass(frozen=True)
class Hit:
    file: str
    line: int
    group: str | None
    key: str | None
    message: str


RuleFunc = Callable[[ConfigSet], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    title: str
    func: RuleFunc
    # Severity under `validate --deployed` (the set is on the device, about to start): what is
    # pending while editing a set (info) is missing there (error). None: the same as `severity`.
    deployed: Severity | None = None

    def severity_for(self, *, deployed: bool) -> Severity:
        return self.deployed if deployed and self.deployed is not None else self.severity


RULES: dict[str, Rule] = {}


def rule(
    rule_id: str, severity: Severity, title: str, *, deployed: Severity | None = None
) -> Callable[[RuleFunc], RuleFunc]:
    def register(func: RuleFunc) -> RuleFunc:
        if rule_id in RULES:
            raise RuntimeError(f"rule id {rule_id} registered twice")
        RULES[rule_id] = Rule(rule_id, severity, title, func, deployed)
        return func

    return register


def hit(src: ConfigFile, line: int, group: str | None, key: str | None, message: str) -> Hit:
    return Hit(src.rel, line, group, key, message)


def keyfiles(cs: ConfigSet) -> Iterator[ConfigFile]:
    for src in cs.files.values():
        if src.keyfile is not None and src.kind in (
            "app",
            "nvinfer",
            "analytics",
            "msgconv",
            "broker",
            "ocr",
        ):
            yield src


# The integer DeepStream reads (g_key_file_get_integer), or None.
int_or_none = glib_int


def setting_location(cs: ConfigSet, gie: Gie, key: str) -> tuple[ConfigFile, int, str]:
    """File, line and group of a GIE's effective value of `key`."""
    found = gie.setting(key)
    if found is None:
        return cs.app, gie.group.line, gie.group.name
    return found.file, found.line, found.group


def all_rules() -> dict[str, Rule]:
    # Importing the modules registers their rules.
    from alpr_gen.validate.rules import (  # noqa: F401
        analytics,
        classes,
        engines,
        files,
        gies,
        groups,
        keys,
        messaging,
        ocr,
        pipeline,
        sources,
        target,
        tracker,
    )

    return RULES
