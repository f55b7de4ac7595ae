"""Every shipped profile renders to exactly the reviewed files in tests/golden/<site>/.

The golden files were reviewed key by key against shared/deepstream-reference.md; a change to
them is a change to what users deploy, so regenerate with --update-golden and review the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from alpr_gen.profile import known_profiles, load_profile
from alpr_gen.render import render_site

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
SITES = sorted(known_profiles())


def test_the_shipped_sites_are_the_documented_ones() -> None:
    assert {"lot7", "fleet16", "demo"} <= set(SITES)


@pytest.mark.parametrize("site", SITES)
def test_render_matches_golden(
    site: str, profile_env: dict[str, str], request: pytest.FixtureRequest
) -> None:
    files = render_site(load_profile(site))
    golden_dir = GOLDEN / site
    if request.config.getoption("--update-golden"):
        golden_dir.mkdir(parents=True, exist_ok=True)
        for old in golden_dir.iterdir():
            old.unlink()
        for rel, text in files.items():
            (golden_dir / rel).write_text(text)
    expected = {p.name: p.read_text() for p in sorted(golden_dir.iterdir())}
    assert sorted(files) == sorted(expected)
    for rel, text in files.items():
        assert text == expected[rel], f"{site}/{rel} differs from the golden file"


@pytest.mark.parametrize("site", SITES)
def test_render_is_deterministic(site: str, profile_env: dict[str, str]) -> None:
    assert render_site(load_profile(site)) == render_site(load_profile(site))
