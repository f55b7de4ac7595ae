"""render lints the staged set and refuses to write an invalid one (unless --force)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from alpr_gen import writer
from alpr_gen.cli import main
from alpr_gen.profile.model import SiteProfile
from alpr_gen.render import RenderedSet, render_set


def _broken_render(profile: SiteProfile) -> RenderedSet:
    bundle = render_set(profile)
    files = dict(bundle.files)
    # A hand edit that breaks a cross-file rule: the OCR SGIE waits for a GIE that does not exist,
    # so deepstream-app would silently never create it.
    for name in ("deepstream_app.txt", "sgie_ocr.txt"):
        files[name] = files[name].replace("operate-on-gie-id=1\n", "operate-on-gie-id=7\n")
        assert files[name] != bundle.files[name]
    return replace(bundle, files=files)


def render_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(["render", *args])
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


def test_invalid_set_is_refused_and_nothing_written(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    profile_env: dict[str, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(writer, "render_set", _broken_render)
    out = tmp_path / "lot7"
    code, _, err = render_cli(["--site", "lot7", "--out", str(out)], capsys)
    assert code == 2 and "validation error" in err
    assert not out.exists()
    assert "operate-on-gie-id" in err
    code, _, _ = render_cli(["--site", "lot7", "--out", str(out), "--force"], capsys)
    assert code == 0
    assert "operate-on-gie-id=7" in (out / "sgie_ocr.txt").read_text()


def test_clean_render_prints_next_steps_not_warnings(
    tmp_path: Path, profile_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "lot7"
    code, printed, _ = render_cli(["--site", "lot7", "--out", str(out)], capsys)
    assert code == 0
    # Models not exported yet are next steps, not warnings, and no file is listed twice.
    assert "warning" not in printed and "DS202" not in printed
    steps = [
        ln.split(". ", 1)[1] for ln in printed.splitlines() if ln[:5].strip().rstrip(".").isdigit()
    ]
    assert steps == [
        f"alpr-gen export --config {out} --weights YOUR_MODEL.pt",
        f"alpr-gen export-ocr --config {out}",
        f"alpr-gen build-parser --config {out}",
        f"alpr-gen validate --deployed {out}",
        f"alpr-gen run --config {out}",
    ]


def test_an_lprnet_site_renders_clean(
    write_profile, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # LPRNet's blank is the last class: the parser settings say blank-index=-1, which the
    # validator once refused, so every lprnet site failed to render.
    from .conftest import MINIMAL

    path = write_profile(MINIMAL + "ocr:\n  preset: lprnet\n")
    outcome = writer.render_to_dir(str(path), tmp_path / "lpr")
    assert outcome.written and outcome.report is not None and not outcome.report.errors
    cfg = (tmp_path / "lpr" / "ocr_parser.cfg").read_text()
    assert "blank-index=-1\n" in cfg
    sgie = (tmp_path / "lpr" / "sgie_ocr.txt").read_text()
    assert "infer-dims=3;48;96\n" in sgie and "model-color-format=0\n" in sgie
