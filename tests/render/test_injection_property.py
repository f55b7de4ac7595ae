"""Property: whatever text a user writes, it is refused or it reads back as exactly one value."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alpr_gen.deepstream.keyfile import parse_keyfile
from alpr_gen.errors import ProfileError
from alpr_gen.profile import load_profile
from alpr_gen.render import render_site

from .conftest import MINIMAL
from .glib import glib_entries, our_entries

_BASELINE: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {}


def _shape(text: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    kf = parse_keyfile(text)
    assert not kf.bad_lines
    return tuple((name, tuple(g.entries)) for name, g in kf.groups.items())


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=st.text(min_size=1, max_size=40), uri_tail=st.text(max_size=20))
def test_user_text_never_changes_the_file_structure(
    name: str, uri_tail: str, tmp_path_factory: pytest.TempPathFactory, glib_dump: Path
) -> None:
    path = tmp_path_factory.mktemp("p") / "site.yaml"
    import json

    # JSON strings are valid YAML scalars: any text survives the YAML layer unchanged.
    text = MINIMAL.replace("name: Camera A", f"name: {json.dumps(name)}").replace(
        "uri: rtsp://10.0.0.1/s", f"uri: {json.dumps('rtsp://10.0.0.1/' + uri_tail)}"
    )
    path.write_text(text)
    try:
        files = render_site(load_profile(str(path), env={}))
    except ProfileError:
        return
    if not _BASELINE:
        _BASELINE.update(
            {
                k: _shape(v)
                for k, v in render_site(load_profile_text(MINIMAL, tmp_path_factory)).items()
                if k.endswith(".txt") and k != "labels.txt"
            }
        )
    for fname, shape in _BASELINE.items():
        assert _shape(files[fname]) == shape, fname
    app = parse_keyfile(files["deepstream_app.txt"])
    assert app.group("source0").get("uri") == ("rtsp://10.0.0.1/" + uri_tail).strip()
    msgconv = parse_keyfile(files["msgconv.txt"])
    assert msgconv.group("sensor0").get("description") == name.strip()
    # And GLib itself, the parser deepstream-app uses, reads the same groups, keys and values.
    out = path.parent
    for fname in ("deepstream_app.txt", "msgconv.txt"):
        (out / fname).write_text(files[fname])
        assert glib_entries(glib_dump, out / fname) == our_entries(out / fname)


def load_profile_text(text: str, factory: pytest.TempPathFactory):
    path = factory.mktemp("base") / "site.yaml"
    path.write_text(text)
    return load_profile(str(path), env={})
