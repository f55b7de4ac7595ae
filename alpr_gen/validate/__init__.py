"""`alpr-gen validate`: a DeepStream config linter that needs no GPU.

`lint_path` loads a deepstream-app config set (the app config and every file it names), runs
every registered rule and returns the findings. It raises only for usage errors (no such path,
unknown --deepstream/--platform); malformed configs become findings.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from alpr_gen.deepstream.versions import PLATFORMS, VERSIONS, known_platform
from alpr_gen.errors import AlprGenError
from alpr_gen.validate.findings import Finding, LintReport, Severity

if TYPE_CHECKING:
    from alpr_gen.configset import ConfigSet

__all__ = ["Finding", "LintReport", "Severity", "lint", "lint_path"]


def lint_path(
    path: Path,
    *,
    deepstream: str | None = None,
    platform: str | None = None,
    as_if_at: Path | None = None,
) -> LintReport:
    """Lint the config set at `path` (a directory or a deepstream-app config file)."""
    from alpr_gen.configset import load

    if deepstream is not None and deepstream not in VERSIONS:
        raise AlprGenError(
            f"--deepstream {deepstream}: supported versions are {', '.join(VERSIONS)}"
        )
    if platform is not None and not known_platform(platform):
        raise AlprGenError(
            f"--platform {platform}: use one of {', '.join(PLATFORMS)}, jetson-orin, jetson-thor"
        )
    return lint(load(path, deepstream=deepstream, platform=platform, as_if_at=as_if_at))


def lint(cs: ConfigSet) -> LintReport:
    """Run every registered rule on a loaded set; findings name files where the set lives."""
    from alpr_gen.validate.rules import Hit, all_rules

    report = LintReport(str(cs.logical_root), cs.app.rel, cs.deepstream, cs.platform)
    for rule in all_rules().values():
        try:
            hits: list[Hit] = list(rule.func(cs))
        except Exception as exc:  # a rule bug must not hide the other findings
            report.findings.append(
                Finding(
                    "DS000",
                    Severity.WARNING,
                    cs.app.rel,
                    0,
                    None,
                    None,
                    f"internal error in rule {rule.id} ({type(exc).__name__}: {exc}); "
                    "please report it",
                )
            )
            continue
        report.findings.extend(
            Finding(rule.id, rule.severity, h.file, h.line, h.group, h.key, h.message) for h in hits
        )
    report.findings.sort(key=Finding.sort_key)
    return report
