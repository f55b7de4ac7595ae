"""The bad-input corpus (issue 15): every case checked by `harness.run_case`."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from .corpus_configs import config_cases
from .corpus_outdir import outdir_cases
from .corpus_profiles import BASE, profile_cases
from .harness import BASE_ENV, Case, run_case

CASES: list[Case] = [*profile_cases(), *outdir_cases(), *config_cases()]


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bundle rendered from BASE (the starting point of the output-directory and config
    cases), with the secret in broker.txt (0600)."""
    from alpr_gen.profile import load_profile
    from alpr_gen.render import render_set
    from alpr_gen.writer import write_bundle

    root = tmp_path_factory.mktemp("template")
    profile = root / "p.yaml"
    profile.write_text(BASE)
    write_bundle(render_set(load_profile(str(profile), env=BASE_ENV)), root / "b")
    return root / "b"


def test_case_ids_are_unique() -> None:
    ids = Counter(c.id for c in CASES)
    assert [i for i, n in ids.items() if n > 1] == []


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.cls}/{c.id}")
def test_bad_input(
    case: Case,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    template: Path,
) -> None:
    run_case(case, tmp_path, capsys, monkeypatch, template)
