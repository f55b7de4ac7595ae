"""Every shipped profile renders clean (no errors, no warnings besides artifacts that are
deployed after render) at every supported DeepStream version and platform."""

from __future__ import annotations

import os

import pytest

from alpr_gen.deepstream.versions import PLATFORMS, VERSIONS
from alpr_gen.errors import ProfileError
from alpr_gen.profile import known_profiles, load_profile
from alpr_gen.validate.sites import lint_profile

# Secrets some profiles take from the environment; any value renders.
ENV = {**os.environ, "FLEET_MQTT_PASSWORD": "test-secret"}
# Not deployed at render time: models, engines, parser library, OCR dictionary, TLS files.
DEPLOY_RULES = {"DS202", "DS203"}


@pytest.mark.parametrize("site", sorted(known_profiles()))
def test_profile_renders_clean_everywhere(site: str) -> None:
    profile = load_profile(site, env=ENV)
    checked = 0
    for ds in VERSIONS:
        for platform in (*PLATFORMS, "jetson-orin", "jetson-thor"):
            try:
                report = lint_profile(profile, deepstream=ds, platform=platform)
            except ProfileError as exc:
                # The profile itself refuses this target (e.g. an in-graph-NMS head on 6.3).
                assert (ds, platform) != (profile.target.deepstream, profile.target.platform)
                assert "deepstream" in str(exc).lower() or "tensorrt" in str(exc).lower()
                # A Jetson module that cannot run the release is one of the refusals.
                assert platform != "jetson" or "runs on jetson" not in str(exc).lower()
                continue
            checked += 1
            unexpected = [f for f in report.findings if f.rule_id not in DEPLOY_RULES]
            assert unexpected == [], (ds, platform, unexpected)
    assert checked >= 6


@pytest.mark.parametrize("site", ["lot7", "fleet16"])
def test_retargeted_to_deepstream_9_1_validates_clean(site: str) -> None:
    profile = load_profile(site, env=ENV)
    report = lint_profile(profile, deepstream="9.1")
    assert report.deepstream == "9.1"
    assert [f for f in report.findings if f.rule_id not in DEPLOY_RULES] == []


def test_orin_with_deepstream_8_names_what_works(tmp_path, capsys) -> None:
    from alpr_gen.cli import main

    text = (
        (known_profiles()["lot7"]).read_text().replace("platform: jetson", "platform: jetson-orin")
    )
    text = text.replace('deepstream: "7.1"', 'deepstream: "8.0"')
    path = tmp_path / "orin8.yaml"
    path.write_text(
        text.replace(
            "extends: _alpr_base", f"extends: {known_profiles()['lot7'].parent / '_alpr_base.yaml'}"
        )
    )
    with pytest.raises(SystemExit) as exc:
        main(["render", "--site", str(path), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and "Traceback" not in err
    assert "7.1" in err and "Thor" in err and "target" in err
    assert not (tmp_path / "out").exists()
