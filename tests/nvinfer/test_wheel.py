"""alpr_gen.nvinfer from an installed wheel: build the wheel, install it into a fresh venv where
this checkout is not importable, and call the geometry, the preprocessing, the settings reader
and the parser bridge (a real bbox parse through nvinfer's ABI) from the installed package.

numpy, OpenCV and onnxruntime come from the environment running the tests (a .pth line adds its
site-packages after the venv's own, so the installed alpr_gen is the one imported); the parser
sources come from inside the wheel and are built into $XDG_CACHE_HOME, never site-packages.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]

PROBE = r"""
import json, sys, sysconfig
from pathlib import Path
import numpy as np
import alpr_gen
from alpr_gen.resources import data_dir
from alpr_gen.deepstream.keyfile import parse_keyfile
from alpr_gen.nvinfer.geometry import scale_geometry, boxes_to_frame
from alpr_gen.nvinfer.preprocess import preprocess
from alpr_gen.nvinfer.settings import InferSettings
from alpr_gen.nvinfer.bridge import Layer, ParserBridge

site = Path(sysconfig.get_paths()["purelib"]).resolve()
before = sorted(str(p) for p in site.rglob("*"))
settings = InferSettings.from_keyfile(parse_keyfile(
    "[property]\nmaintain-aspect-ratio=1\nsymmetric-padding=1\nnet-scale-factor=0.00392156862745098\n"
    "num-detected-classes=2\ncluster-mode=2\n", "/cfg/pgie.txt"))
spec = settings.preprocess_spec((64, 64))
frame = np.full((48, 80, 3), 255, np.uint8)
item = preprocess(frame, spec)
g = scale_geometry(1280, 720, 640, 640, maintain_aspect_ratio=True, symmetric_padding=True)
bridge = ParserBridge.open(9)
rows = np.array([[10, 160, 110, 210, 0.9, 1], [0, 0, 4, 4, 0.1, 0]], np.float32)
res = bridge.bbox("NvDsInferParseAlprYolo", [Layer(rows)], num_classes=2, pre_thresholds=[0.5, 0.5])
after = sorted(str(p) for p in site.rglob("*"))
print(json.dumps({
    "alpr_gen": alpr_gen.__file__,
    "site": str(site),
    "sys_path": sys.path,
    "sources": str(data_dir("custom_parsers")),
    "library": str(bridge.lib_path),
    "abi": [bridge.abi, bridge.object_size],
    "ok": res.ok, "dets": res.dets.tolist(), "rotation": res.rotation.tolist(),
    "frame_box": boxes_to_frame(res.dets, g).tolist(),
    "tensor": [list(item.tensor.shape), float(item.tensor[0, 32, 32]), float(item.tensor[0, 0, 0])],
    "geometry": [item.geometry.width, item.geometry.height, item.geometry.offset_top],
    "site_unchanged": before == after,
}))
"""


def _run(argv: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=600, **kw)  # type: ignore[call-overload]
    assert proc.returncode == 0, f"{argv}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def test_installed_wheel_runs_the_nvinfer_emulation(tmp_path: Path) -> None:
    pytest.importorskip("hatchling")
    dist = tmp_path / "dist"
    _run([sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "--no-build-isolation",
          "-q", "-w", str(dist)], cwd=tmp_path)  # fmt: skip
    (wheel,) = dist.glob("alpr_gen-*.whl")
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)])
    py = venv / "bin" / "python"
    _run([str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)])
    site = Path(_run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
                .stdout.strip())  # fmt: skip
    # numpy, cv2, onnxruntime from this environment, after the venv's own packages
    (site / "zz_shared_env.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "ALPR_GEN_CACHE_DIR")}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    work = tmp_path / "work"
    work.mkdir()
    out = json.loads(_run([str(py), "-c", PROBE], cwd=work, env=env).stdout)

    site = Path(out["site"])
    assert Path(out["alpr_gen"]).is_relative_to(site)  # the installed package, not the checkout
    assert not any(Path(p).resolve() == REPO for p in out["sys_path"] if p)
    assert Path(out["sources"]) == site / "alpr_gen" / "_data" / "custom_parsers"
    assert Path(out["library"]).is_relative_to(tmp_path / "cache" / "alpr-gen")
    assert out["site_unchanged"]  # nothing was built into site-packages
    assert out["abi"] == [9, 28] and out["ok"]
    assert out["dets"] == [[10.0, 160.0, 100.0, 50.0, 0.8999999761581421, 1.0]]
    assert out["rotation"] == [0.0]
    assert out["frame_box"] == [[20.0, 40.0, 200.0, 100.0, 0.8999999761581421, 1.0]]
    # 80x48 white frame into 64x64: 64x38 at top 13; white -> 255 * float32(1/255), pad -> 0
    assert out["tensor"][0] == [3, 64, 64] and out["tensor"][2] == 0.0
    assert abs(out["tensor"][1] - 1.0) < 1e-6 and out["geometry"] == [64, 38, 13]

    # the console script builds the library for a DeepStream 8.0 target from the wheel too
    lib_dir = tmp_path / "bundle lib $(x)"
    cli = _run([str(venv / "bin" / "alpr-gen"), "build-parser", "--out", str(lib_dir),
                "--deepstream", "8.0"], cwd=work, env=env)  # fmt: skip
    assert "parser ABI 6" in cli.stdout and (lib_dir / "libnvdsinfer_alpr.so").is_file()
