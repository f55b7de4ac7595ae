from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def glib_dump(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """GLib's own key-file parser, compiled once (skips without libglib2.0-dev)."""
    from .glib import build_glib_dump

    return build_glib_dump(tmp_path_factory)


@pytest.fixture
def write_profile(tmp_path: Path):
    """Write a profile YAML into tmp_path and return its path."""

    def write(text: str, name: str = "site.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text)
        return path

    return write


MINIMAL = """\
name: mini
target: {platform: dgpu, deepstream: "7.1"}
place: {id: p1, name: Place one}
cameras:
  - id: cam-a
    name: Camera A
    uri: rtsp://10.0.0.1/s
    resolution: [1920, 1080]
    lines:
      - name: entry
        points: [[100, 500], [1800, 500]]
        direction: [[960, 300], [960, 700]]
  - id: cam-b
    name: Camera B
    uri: rtsp://10.0.0.2/s
    fps: 25
detector:
  labels: [vehicle, plate]
  vehicle_class_ids: [0]
  plate_class_ids: [1]
messaging:
  broker: kafka
  host: kafka.local
  topic: plates
"""
