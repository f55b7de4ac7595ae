"""The first run of every shipped profile, as a newcomer does it: render, follow the next steps
it prints (the demo model for the user's weights, rapidocr's PP-OCRv4, ONNX only: no TensorRT
here), then `validate --deployed` is clean and `run --dry-run` shows the deepstream-app command.
Nothing uses the network.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from alpr_gen.profile import known_profiles

from .sandbox import Sandbox, follow, next_steps

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("site", sorted(known_profiles()))
def test_fresh_render_then_the_printed_steps_give_a_deployed_set(site: str, tmp_path: Path) -> None:
    box = Sandbox(tmp_path)
    rendered = box.run(f"alpr-gen render --site {site}")
    assert rendered.code == 0, rendered.text
    # A fresh render is clean: what later steps make is listed as steps, not as warnings.
    assert "warning" not in rendered.text.lower(), rendered.text
    steps = next_steps(rendered.out)
    bundle = f"out/{site}"
    assert steps[-2:] == [
        f"alpr-gen validate --deployed {bundle}",
        f"alpr-gen run --config {bundle}",
    ]
    assert steps[:3] == [
        f"alpr-gen export --config {bundle} --weights YOUR_MODEL.pt",
        f"alpr-gen export-ocr --config {bundle}",
        f"alpr-gen build-parser --config {bundle}",
    ]
    # Before the steps, the deployed check fails and names what is missing.
    early = box.run(f"alpr-gen validate --deployed {bundle}")
    assert early.code == 1 and "DS202" in early.out, early.text
    assert box.run(f"alpr-gen validate --strict {bundle}").code == 0  # pending is not a warning

    for step in steps[:-2]:
        done = follow(box, step)
        assert done is None or done.code == 0, (step, done.text if done else "")

    deployed = box.run(f"alpr-gen validate --deployed {bundle}")
    assert deployed.code == 0, deployed.text
    assert "0 error(s), 0 warning(s)" in deployed.out and "next steps" not in deployed.out
    models = box.cwd / bundle / "models"
    assert (models / "ocr_rec.onnx").is_file() and (models / "ocr_dict.txt").is_file()
    assert (box.cwd / bundle / "lib" / "libnvdsinfer_alpr.so").is_file()

    # deepstream-app is not installed here: `auto` would pick the preview backend.
    dry = box.run(f"alpr-gen run --config {bundle} --dry-run --backend deepstream-app")
    assert dry.code == 0, dry.text
    assert "deepstream-app -c deepstream_app.txt" in dry.out
    assert "reachability and broker login not checked" in dry.out  # a dry run stays offline
    assert box.network_attempts() == [], box.network_attempts()
