"""What `alpr-gen validate` does, callable without Typer."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any, TextIO

from alpr_gen.errors import AlprGenError
from alpr_gen.validate import lint_path
from alpr_gen.validate.findings import LintReport
from alpr_gen.validate.report import FORMATS, emit


def retarget(profile: Any, deepstream: str | None, platform: str | None) -> Any:
    """The profile with another DeepStream version / platform, validated again."""
    from alpr_gen.errors import ProfileError
    from alpr_gen.profile import check_profile

    if not deepstream and not platform:
        return profile
    data = profile.model_dump()
    data["target"] = dict(data["target"])
    data["target"].update(
        {k: v for k, v in (("deepstream", deepstream), ("platform", platform)) if v}
    )
    try:
        variant = type(profile).model_validate(data)
    except ValueError as exc:
        raise ProfileError(f"site {profile.name}: cannot target {data['target']}: {exc}") from None
    problems = check_profile(variant)
    if problems:
        text = "; ".join(f"{p}: {m}" for p, m in problems)
        raise ProfileError(f"site {profile.name} is inconsistent for {data['target']}: {text}")
    return variant


def lint_profile(
    profile: Any,
    *,
    out_dir: Path = Path("out"),
    deepstream: str | None = None,
    platform: str | None = None,
) -> LintReport:
    """Render a profile in memory and lint it as if it were written to out_dir/NAME."""
    from alpr_gen.render import render_site

    profile = retarget(profile, deepstream, platform)
    files = render_site(profile)
    with tempfile.TemporaryDirectory(prefix="alpr-gen-validate-") as tmp:
        stage = Path(tmp)
        for rel, text in files.items():
            target = stage / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        return lint_path(
            stage,
            deepstream=profile.target.deepstream,
            platform=profile.target.platform,
            as_if_at=(out_dir / profile.name).absolute(),
        )


def lint_site(
    name: str,
    *,
    out_dir: Path = Path("out"),
    deepstream: str | None = None,
    platform: str | None = None,
) -> LintReport:
    """Load a site profile by name or path, render it in memory and lint it."""
    from alpr_gen.profile import load_profile

    return lint_profile(
        load_profile(name), out_dir=out_dir, deepstream=deepstream, platform=platform
    )


def shipped_sites() -> list[str]:
    """Names of the profiles shipped with alpr-gen (profiles/*.yaml, bases excluded)."""
    from alpr_gen.profile import known_profiles

    return list(known_profiles())


def run_validate(
    path: Path | None,
    *,
    sites: list[str] | None = None,
    all_sites: bool = False,
    deepstream: str | None = None,
    platform: str | None = None,
    fmt: str = "human",
    strict: bool = False,
    out_dir: Path = Path("out"),
    out: TextIO | None = None,
) -> int:
    """Lint a path and/or rendered sites, print the findings, return the exit code (0 or 1)."""
    if fmt not in FORMATS:
        raise AlprGenError(f"--format {fmt}: use one of {', '.join(FORMATS)}")
    names = list(sites or [])
    if all_sites:
        names += [s for s in shipped_sites() if s not in names]
        if not names:
            raise AlprGenError("--all-sites: no profiles found (profiles/*.yaml)")
    if path is None and not names:
        raise AlprGenError("nothing to validate: give a PATH, --site NAME or --all-sites")
    reports: list[tuple[str, LintReport]] = []
    if path is not None:
        reports.append((str(path), lint_path(path, deepstream=deepstream, platform=platform)))
    failed = 0
    for name in names:
        try:
            report = lint_site(name, out_dir=out_dir, deepstream=deepstream, platform=platform)
        except AlprGenError as exc:
            if len(names) == 1 and path is None:
                raise
            # One profile that cannot be loaded must not hide the others' findings.
            print(f"error: site {name}: {exc}", file=sys.stderr)
            failed = exc.exit_code
            continue
        reports.append((f"site {name} (rendered in memory)", report))
    if reports:
        emit(reports, fmt, out or sys.stdout)
    return max([failed] + [r.exit_code(strict=strict) for _, r in reports])
