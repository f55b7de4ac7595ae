"""render lints the staged set and refuses to write an invalid one (unless --force)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from alpr_gen import site
from alpr_gen.errors import RenderError
from alpr_gen.render import Bundle, render_bundle


def _broken_render(profile: object) -> Bundle:
    bundle = render_bundle(profile)  # type: ignore[arg-type]
    files = dict(bundle.files)
    # A hand edit that breaks a cross-file rule: the OCR SGIE waits for a GIE that does not exist,
    # so deepstream-app would silently never create it.
    for name in ("deepstream_app.txt", "sgie_ocr.txt"):
        files[name] = files[name].replace("operate-on-gie-id=1\n", "operate-on-gie-id=7\n")
        assert files[name] != bundle.files[name]
    return replace(bundle, files=files)


def test_invalid_set_is_refused_and_nothing_written(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    profile_env: dict[str, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(site, "render_bundle", _broken_render)
    out = tmp_path / "lot7"
    with pytest.raises(RenderError, match="validation error"):
        site.render_to_dir("lot7", out)
    assert not out.exists()
    printed = capsys.readouterr().out
    assert "operate-on-gie-id" in printed
    assert site.render_to_dir("lot7", out, force=True) == 0
    assert "operate-on-gie-id=7" in (out / "sgie_ocr.txt").read_text()


def test_clean_render_reports_warnings_as_a_count(
    tmp_path: Path, profile_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert site.render_to_dir("lot7", tmp_path / "lot7") == 0
    printed = capsys.readouterr().out
    assert "warning(s)" in printed  # models are not deployed yet
    assert "DS202" not in printed  # ...but the details are left to `alpr-gen validate`


def test_an_lprnet_site_renders_clean(
    write_profile, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # LPRNet's blank is the last class: the parser settings say blank-index=-1, which the
    # validator once refused, so every lprnet site failed to render.
    from .conftest import MINIMAL

    path = write_profile(MINIMAL + "ocr:\n  preset: lprnet\n")
    assert site.render_to_dir(str(path), tmp_path / "lpr") == 0
    cfg = (tmp_path / "lpr" / "ocr_parser.cfg").read_text()
    assert "blank-index=-1\n" in cfg
    sgie = (tmp_path / "lpr" / "sgie_ocr.txt").read_text()
    assert "infer-dims=3;48;96\n" in sgie and "model-color-format=0\n" in sgie
