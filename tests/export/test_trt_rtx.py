"""YOLO11 exports through TensorRT-RTX's real ONNX parser and builder (no GPU needed).

TensorRT-RTX is NOT TensorRT 10 (what DeepStream runs): these tests prove the exported graphs
parse in a real TensorRT-family parser with static output dims apart from the batch, and that the
deepstream-head graphs build engines (for SM 8.6). TensorRT-RTX has no NonMaxSuppression layer,
so the end2end graphs are checked for parsing only: their build is asserted to fail on the NMS
node, which says nothing about TensorRT 10 (whose INMSLayer imports that node).
"""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path
from types import ModuleType

import pytest

from alpr_gen.export.trt_rtx import GraphCheck, check_graph

from .conftest import BATCH

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def rtx() -> ModuleType:
    """tensorrt_rtx (the `test` extra installs it on x86-64 Linux): missing there in CI fails."""
    if os.environ.get("CI") and sys.platform == "linux" and platform.machine() == "x86_64":
        import tensorrt_rtx

        return tensorrt_rtx
    return pytest.importorskip("tensorrt_rtx")


def graph(
    head: str, batching: str, exports: dict[str, object], static_exports: dict[str, Path]
) -> tuple[Path, int | None]:
    """The ONNX of one export and its fixed batch (None: dynamic, 1..BATCH)."""
    if batching == "dynamic":
        _, result = exports[head]  # type: ignore[misc]
        return result.onnx, None  # type: ignore[attr-defined]
    return static_exports[head], 1


def assert_static_but_batch(check: GraphCheck, batch: int | None) -> None:
    for name, dims in {**check.inputs, **check.outputs}.items():
        assert dims[0] == (-1 if batch is None else batch), (name, dims)
        assert all(d > 0 for d in dims[1:]), (name, dims)


@pytest.mark.parametrize("batching", ["static", "dynamic"])
def test_deepstream_head_parses_and_builds(
    rtx: ModuleType,
    exports: dict[str, object],
    static_exports: dict[str, Path],
    batching: str,
) -> None:
    onnx, batch = graph("deepstream", batching, exports, static_exports)
    check = check_graph(onnx, f"yolo11n deepstream {batching}", build=True, max_batch=BATCH)
    assert check.parse_errors == []
    assert_static_but_batch(check, batch)
    assert list(check.outputs) == ["boxes"]
    assert check.outputs["boxes"][1:] == (8400, 6)
    assert check.built and check.build_errors == [] and check.engine_bytes > 1_000_000


@pytest.mark.parametrize("batching", ["static", "dynamic"])
def test_end2end_head_parses_but_rtx_cannot_build_its_nms(
    rtx: ModuleType,
    exports: dict[str, object],
    static_exports: dict[str, Path],
    batching: str,
) -> None:
    """Parse only: TensorRT-RTX has no NMS layer, so the build must fail on NonMaxSuppression
    (and on nothing else). TensorRT 10 imports that node as its INMSLayer: not checked here."""
    onnx, batch = graph("end2end", batching, exports, static_exports)
    check = check_graph(onnx, f"yolo11n end2end {batching}", build=True, max_batch=BATCH)
    assert check.parse_errors == []
    assert_static_but_batch(check, batch)
    assert check.outputs["boxes"][1:] == (100, 6)
    assert check.built is False
    assert check.build_errors and all("NonMaxSuppression" in e for e in check.build_errors)


def test_strongly_typed_fp16_build_through_alpr_gens_own_builder(
    rtx: ModuleType, exports: dict[str, object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """alpr-gen's engine step, given TensorRT-RTX as `tensorrt`: RTX has no FP16/INT8 builder
    flags (like TensorRT 11), so the step takes its strongly typed path: an FP16 copy of the ONNX,
    parsed and built for real. The FP16 engine holds half-size weights: smaller than FP32's.
    This exercises alpr-gen's strongly typed code on a real builder; it is not TensorRT 11."""
    from alpr_gen.errors import ExportError
    from alpr_gen.export import engine as engine_mod
    from alpr_gen.export.engine import EngineSpec, build_engine

    monkeypatch.setitem(sys.modules, "tensorrt", rtx)
    monkeypatch.setenv("PATH", str(tmp_path / "no-trtexec"))
    sizes = {}
    for precision in ("fp32", "fp16"):
        _, result = exports["deepstream"]  # type: ignore[misc]
        spec = EngineSpec(
            onnx=result.onnx,  # type: ignore[attr-defined]
            engine=tmp_path / f"ds_{precision}.engine",
            batch=BATCH,
            dynamic=True,
            imgsz=640,
            precision=precision,
            workspace_mb=512,
            gpu_id=0,
        )
        out = build_engine(spec, precision * 16)
        assert out.status == "built-tensorrt", out.message
        assert "strongly typed" in out.message
        sizes[precision] = spec.engine.stat().st_size
    assert sizes["fp16"] < 0.8 * sizes["fp32"], sizes
    assert not list(tmp_path.glob("*.fp16.onnx"))  # the FP16 copy is removed
    monkeypatch.setattr(engine_mod, "gpu_name", lambda gpu_id: "no GPU")
    _, e2e = exports["end2end"]  # type: ignore[misc]
    spec = EngineSpec(e2e.onnx, tmp_path / "e2e.engine", BATCH, True, 640, "fp16", 512, 0)  # type: ignore[attr-defined]
    with pytest.raises(ExportError, match=r"could not build e2e\.engine") as info:
        build_engine(spec, "e2" * 32)
    assert "NonMaxSuppression" in str(info.value)  # TensorRT's own reason reaches the user


def test_check_reports_a_dynamic_non_batch_dim(rtx: ModuleType, tmp_path: Path) -> None:
    """The dims check can fail: an output whose second dim follows a dynamic input dim (-1)."""
    import onnx
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("Relu", ["images"], ["found"])],
        "width",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, [2, "width"])],
        [helper.make_tensor_value_info("found", TensorProto.FLOAT, [2, "width"])],
    )
    path = tmp_path / "width.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)
    check = check_graph(path, "dynamic width (dims check)", build=False, max_batch=1)
    assert check.parse_errors == [] and check.outputs["found"] == (2, -1)
    with pytest.raises(AssertionError):
        assert_static_but_batch(check, 2)
