"""DS0xx: which DeepStream version and platform the set is checked against."""

from __future__ import annotations

from collections.abc import Iterator

from alpr_gen.configset import ConfigSet
from alpr_gen.deepstream.versions import jetson_problem
from alpr_gen.validate.findings import Severity
from alpr_gen.validate.rules import Hit, rule


@rule("DS001", Severity.INFO, "target assumed (no manifest.json, no --deepstream/--platform)")
def target_assumed(cs: ConfigSet) -> Iterator[Hit]:
    if cs.target.source == "assumed":
        yield Hit(
            cs.app.rel,
            0,
            None,
            None,
            f"no manifest.json beside the app config: checked as DeepStream "
            f"{cs.deepstream} on {cs.platform}; pass --deepstream/--platform to choose",
        )


@rule("DS002", Severity.WARNING, "manifest.json unreadable or naming an unknown target")
def bad_manifest(cs: ConfigSet) -> Iterator[Hit]:
    if cs.manifest_error:
        yield Hit(
            "manifest.json",
            0,
            None,
            None,
            f"{cs.manifest_error}; checked as DeepStream {cs.deepstream} on {cs.platform}",
        )


@rule("DS004", Severity.ERROR, "DeepStream release that does not run on the target Jetson")
def jetson_mismatch(cs: ConfigSet) -> Iterator[Hit]:
    problem = jetson_problem(cs.deepstream, cs.target.jetson) if cs.target.jetson else None
    if problem:
        yield Hit("manifest.json" if cs.manifest else cs.app.rel, 0, None, None, problem)


@rule("DS003", Severity.INFO, "YAML or nvinferserver element config not checked")
def yaml_unchecked(cs: ConfigSet) -> Iterator[Hit]:
    for src in cs.files.values():
        if src.kind == "unchecked":
            yield Hit(
                src.rel,
                0,
                None,
                None,
                f"{src.rel} is a YAML or nvinferserver config: its keys are not checked "
                "(only INI-style configs are)",
            )
