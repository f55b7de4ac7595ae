"""Writing a bundle: deterministic, atomic, private files private, never outside --out."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from alpr_gen.errors import RenderError
from alpr_gen.profile import load_profile
from alpr_gen.render import render_set
from alpr_gen.writer import write_bundle


def test_rendering_twice_gives_identical_bytes_and_a_true_manifest(
    tmp_path: Path, profile_env: dict[str, str]
) -> None:
    bundle = render_set(load_profile("lot7"))
    write_bundle(bundle, tmp_path / "a")
    write_bundle(render_set(load_profile("lot7")), tmp_path / "b")
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "b").iterdir())
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text())
    assert manifest["site"] == "lot7" and manifest["target"] == {
        "platform": "jetson",
        "deepstream": "7.1",
        "jetson": "orin",  # inferred: DeepStream 7.1 runs on Orin only
    }
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((tmp_path / "a" / name).read_bytes()).hexdigest() == digest
    assert set(manifest["files"]) | {"manifest.json"} == set(names)


def test_a_refused_render_leaves_the_previous_output_untouched(
    tmp_path: Path, profile_env: dict[str, str]
) -> None:
    out = tmp_path / "lot7"
    write_bundle(render_set(load_profile("lot7")), out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def refuse(stage: Path) -> None:
        assert (stage / "deepstream_app.txt").is_file()  # the check sees the complete set
        raise RenderError("refused")

    with pytest.raises(RenderError):
        write_bundle(render_set(load_profile("demo")), out, check_staged=refuse)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no staging left


def test_a_failed_staging_write_leaves_the_previous_output_untouched(
    tmp_path: Path, profile_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "lot7"
    write_bundle(render_set(load_profile("lot7")), out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real_write = os.write
    calls = {"n": 0}

    def failing_write(fd: int, data: bytes) -> int:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", failing_write)
    with pytest.raises(RenderError, match=r"No space left on device.*free some space"):
        write_bundle(render_set(load_profile("demo")), out)
    monkeypatch.undo()
    assert calls["n"] >= 3
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no staging left either


def test_stale_files_go_and_deployed_models_stay(
    tmp_path: Path, profile_env: dict[str, str]
) -> None:
    out = tmp_path / "site"
    write_bundle(render_set(load_profile("lot7")), out)  # Kafka: broker.txt
    (out / "models").mkdir()
    (out / "models" / "yolo11n.onnx").write_bytes(b"model")
    (out / "notes.txt").write_text("mine")
    changes = write_bundle(render_set(load_profile("demo")), out)  # no broker
    assert not (out / "broker.txt").exists()
    assert ("broker.txt", "removed") in {(c.path, c.status) for c in changes}
    assert (out / "models" / "yolo11n.onnx").read_bytes() == b"model"
    assert (out / "notes.txt").read_text() == "mine"


def test_credentials_are_private(tmp_path: Path, profile_env: dict[str, str]) -> None:
    write_bundle(render_set(load_profile("fleet16")), tmp_path / "f")
    assert (tmp_path / "f" / "broker.txt").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "f" / "pgie_yolo11.txt").stat().st_mode & 0o777 == 0o644


def test_rtsp_credentials_make_the_app_config_private(
    tmp_path: Path, profile_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOT7_CAM1_URI", "rtsp://admin:pw@10.7.0.11:554/stream1")
    bundle = render_set(load_profile("lot7"))
    assert "deepstream_app.txt" in bundle.private
    write_bundle(bundle, tmp_path / "l")
    assert (tmp_path / "l" / "deepstream_app.txt").stat().st_mode & 0o777 == 0o600


def test_a_manifest_cannot_make_the_writer_delete_outside_out(
    tmp_path: Path, profile_env: dict[str, str]
) -> None:
    out = tmp_path / "site"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep")
    (out / "manifest.json").write_text(
        json.dumps({"files": {"../victim.txt": "x", "/etc/passwd": "y"}})
    )
    # A manifest naming paths outside the bundle is not trusted: it is not even alpr-gen's to
    # overwrite without --force, and with --force it still removes nothing.
    with pytest.raises(RenderError, match="outside the bundle directory"):
        write_bundle(render_set(load_profile("demo")), out)
    write_bundle(render_set(load_profile("demo")), out, force=True)
    assert victim.read_text() == "keep"


def test_out_must_be_a_directory(tmp_path: Path, profile_env: dict[str, str]) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(RenderError, match="not a directory"):
        write_bundle(render_set(load_profile("demo")), target)
