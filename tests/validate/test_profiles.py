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
        for platform in PLATFORMS:
            try:
                report = lint_profile(profile, deepstream=ds, platform=platform)
            except ProfileError as exc:
                # The profile itself refuses this target (e.g. an in-graph-NMS head on 6.3).
                assert (ds, platform) != (profile.target.deepstream, profile.target.platform)
                assert "deepstream" in str(exc).lower() or "tensorrt" in str(exc).lower()
                continue
            checked += 1
            unexpected = [f for f in report.findings if f.rule_id not in DEPLOY_RULES]
            assert unexpected == [], (ds, platform, unexpected)
    assert checked >= 6
