"""The demo clip generator: an H.264 file whose frames and ground truth agree."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alpr_synth import PLATE_CLASS_ID, VEHICLE_CLASS_ID
from alpr_synth.video import VideoSpec, ffmpeg_argv


def test_ffmpeg_argv_asks_for_h264_yuv420p(tmp_path: Path) -> None:
    argv = ffmpeg_argv("ffmpeg", VideoSpec(width=320, height=240, fps=10), tmp_path / "x.mp4")
    assert argv[argv.index("-c:v") + 1] == "libx264"
    assert argv[argv.index("-pix_fmt", argv.index("-c:v")) + 1] == "yuv420p"
    assert argv[argv.index("-s") + 1] == "320x240" and argv[-1].endswith("x.mp4")


def test_short_clip_matches_its_ground_truth(tmp_path: Path, fonts: list[Path]) -> None:
    cv2 = pytest.importorskip("cv2")
    from alpr_synth.video import ffmpeg_exe, write_demo_video

    try:
        ffmpeg_exe()
    except RuntimeError as exc:
        pytest.skip(str(exc))
    spec = VideoSpec(seed=3, width=640, height=360, fps=10, seconds=3.0, vehicles=2)
    mp4, gt_path = write_demo_video(tmp_path, spec)
    gt = json.loads(gt_path.read_text())
    cap = cv2.VideoCapture(str(mp4))
    frames = 0
    while cap.read()[0]:
        frames += 1
    assert frames == gt["frames"] == 30
    assert [v["id"] for v in gt["vehicles"]] == [1, 2]
    assert {v["style"] for v in gt["vehicles"]} == {"us", "eu"}
    ids = {v["id"] for v in gt["vehicles"]}
    plates = [r for r in gt["boxes"] if r[2] == PLATE_CLASS_ID]
    assert plates and any(r[2] == VEHICLE_CLASS_ID for r in gt["boxes"])
    for frame, vid, _cls, x0, y0, x1, y1 in gt["boxes"]:
        assert 0 <= frame < frames and vid in ids
        assert 0 <= x0 < x1 <= spec.width and 0 <= y0 < y1 <= spec.height
    # Plates grow as their vehicle approaches the camera.
    first = [r for r in plates if r[1] == 1]
    assert first[-1][5] - first[-1][3] > first[0][5] - first[0][3]
    # Same seed, same ground truth.
    _, again = write_demo_video(tmp_path / "again", spec)
    assert again.read_text() == gt_path.read_text()
