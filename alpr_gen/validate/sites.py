"""Validate site profiles: render a profile in memory and lint it as if it were written."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from alpr_gen.deepstream.layout import DEFAULT_OUT_ROOT
from alpr_gen.validate import lint_path
from alpr_gen.validate.findings import LintReport

if TYPE_CHECKING:
    from alpr_gen.profile.model import SiteProfile


def retarget(profile: SiteProfile, deepstream: str | None, platform: str | None) -> SiteProfile:
    """The profile with another DeepStream version / platform, validated again."""
    from alpr_gen.errors import ProfileError
    from alpr_gen.profile import check_profile

    if not deepstream and not platform:
        return profile
    data = profile.model_dump()
    data["target"] = dict(data["target"])
    # The Jetson module was inferred from the old release: infer it again unless asked for.
    data["target"].pop("jetson", None)
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
    profile: SiteProfile,
    *,
    out_dir: Path = DEFAULT_OUT_ROOT,
    deepstream: str | None = None,
    platform: str | None = None,
    deployed: bool = False,
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
            deployed=deployed,
        )


def lint_site(
    name: str,
    *,
    out_dir: Path = DEFAULT_OUT_ROOT,
    deepstream: str | None = None,
    platform: str | None = None,
    deployed: bool = False,
) -> LintReport:
    """Load a site profile by name or path, render it in memory and lint it. Its next steps
    start with rendering it (the set was linted in memory, not written)."""
    import shlex

    from alpr_gen.next_steps import Step, shown_dir
    from alpr_gen.profile import load_profile

    profile = load_profile(name)
    report = lint_profile(
        profile, out_dir=out_dir, deepstream=deepstream, platform=platform, deployed=deployed
    )
    render = f"alpr-gen render --site {shlex.quote(name)}"
    if out_dir != DEFAULT_OUT_ROOT:
        render += f" --out {shlex.quote(shown_dir(out_dir / profile.name))}"
    if deepstream or platform:
        report.next_steps = []  # a variant for another target: nothing the user can deploy
    else:
        report.next_steps.insert(0, Step(render, True))
    return report


def shipped_sites() -> list[str]:
    """Names of the profiles shipped with alpr-gen (profiles/*.yaml, bases excluded)."""
    from alpr_gen.profile import known_profiles

    return list(known_profiles())
