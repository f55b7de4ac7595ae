"""`alpr-gen validate`: a DeepStream config linter that needs no GPU.

`lint_path` loads a deepstream-app config set (the app config and every file it names), runs
every registered rule and returns the findings. It raises only for usage errors (no such path,
unknown --deepstream/--platform); malformed configs become findings.
"""

from __future__ import annotations

from pathlib import Path

from alpr_gen.deepstream.versions import PLATFORMS, VERSIONS
from alpr_gen.errors import AlprGenError
from alpr_gen.validate.findings import Finding, LintReport, Severity

__all__ = ["Finding", "LintReport", "Severity", "lint_path"]


def lint_path(
    path: Path,
    *,
    deepstream: str | None = None,
    platform: str | None = None,
    as_if_at: Path | None = None,
) -> LintReport:
    """Lint the config set at `path` (a directory or a deepstream-app config file)."""
    from alpr_gen.validate.loader import find_app_config, load
    from alpr_gen.validate.rules import Hit, all_rules

    if deepstream is not None and deepstream not in VERSIONS:
        raise AlprGenError(
            f"--deepstream {deepstream}: supported versions are {', '.join(VERSIONS)}"
        )
    if platform is not None and platform not in PLATFORMS:
        raise AlprGenError(f"--platform {platform}: use one of {', '.join(PLATFORMS)}")
    path = Path(path)
    if not path.exists():
        raise AlprGenError(f"{path}: no such file or directory")
    app = find_app_config(path)
    if app is None:
        raise AlprGenError(
            f"{path}: no deepstream-app config here (deepstream_app.txt, or a .txt file with "
            "[application]/[sourceN]/[streammux]/[primary-gie] groups)",
            hint="pass the app config file itself",
        )
    if app.suffix in (".yml", ".yaml"):
        raise AlprGenError(
            f"{app}: YAML deepstream-app configs are not supported; validate the INI (.txt) form"
        )
    cs = load(app, deepstream=deepstream, platform=platform, as_if_at=as_if_at)
    # Findings name files where the set lives (as_if_at), not where it was staged.
    report = LintReport(str(cs.logical_root), cs.app.rel, cs.deepstream, cs.platform)
    for rule in all_rules().values():
        try:
            hits: list[Hit] = list(rule.func(cs))
        except Exception as exc:  # a rule bug must not hide the other findings
            hits = [
                Hit(
                    cs.app.rel,
                    0,
                    None,
                    None,
                    f"internal error in rule {rule.id} ({type(exc).__name__}: {exc}); "
                    "please report it",
                )
            ]
            report.findings.append(_finding("DS000", Severity.WARNING, hits[0]))
            continue
        report.findings.extend(_finding(rule.id, rule.severity, h) for h in hits)
    report.findings.sort(key=Finding.sort_key)
    return report


def _finding(rule_id: str, severity: Severity, h: object) -> Finding:
    return Finding(rule_id, severity, h.file, h.line, h.group, h.key, h.message)  # type: ignore[attr-defined]
