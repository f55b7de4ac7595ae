"""The FP16 copy a strongly typed TensorRT (11) builds from: valid ONNX, float32 at the edges,
NMS and TopK kept in float32, and onnxruntime's results close to the float32 graph's."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto

from alpr_gen.export.fp16_onnx import convert_to_fp16

pytestmark = pytest.mark.slow


def value_types(model: onnx.ModelProto) -> dict[str, int]:
    inferred = onnx.shape_inference.infer_shapes(model)
    g = inferred.graph
    types = {v.name: v.type.tensor_type.elem_type for v in [*g.value_info, *g.input, *g.output]}
    types.update({t.name: t.data_type for t in g.initializer})
    return types


@pytest.mark.parametrize("head", ["deepstream", "end2end"])
def test_fp16_copy_of_an_export(
    head: str, exports: dict[str, object], inputs: np.ndarray, tmp_path: Path
) -> None:
    _, result = exports[head]  # type: ignore[misc]
    src: Path = result.onnx  # type: ignore[attr-defined]
    dst = tmp_path / "fp16.onnx"
    convert_to_fp16(src, dst)
    model = onnx.load(str(dst))
    onnx.checker.check_model(model, full_check=True)  # valid, topologically sorted
    g = model.graph
    assert [i.type.tensor_type.elem_type for i in g.input] == [TensorProto.FLOAT]
    assert [o.type.tensor_type.elem_type for o in g.output] == [TensorProto.FLOAT]
    conv_weights = {t.data_type for t in g.initializer if t.name.endswith(".weight")}
    assert conv_weights == {TensorProto.FLOAT16}
    types = value_types(model)
    for node in g.node:
        if node.op_type in ("NonMaxSuppression", "TopK"):
            # NMS takes float32 only; TopK in float32 keeps the order of close scores
            assert types[node.input[0]] == TensorProto.FLOAT, node.name
    assert any(n.op_type == "NonMaxSuppression" for n in g.node) == (head == "end2end")

    want = ort.InferenceSession(str(src)).run(None, {"images": inputs})[0]
    got = ort.InferenceSession(str(dst)).run(None, {"images": inputs})[0]
    assert got.shape == want.shape and got.dtype == np.float32
    if head == "deepstream":
        # Boxes in input pixels (0..640, where float16 steps by 0.5 px): nearly all within a
        # pixel; a random-weight model's DFL softmax moves a few by some pixels more.
        moved = np.abs(got[..., :4] - want[..., :4])
        assert np.mean(moved <= 1.0) > 0.99 and moved.max() < 8.0, moved.max()
        np.testing.assert_allclose(got[..., 4], want[..., 4], atol=5e-3)  # scores: 0..1
