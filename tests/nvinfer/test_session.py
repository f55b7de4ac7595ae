"""InferSession: onnxruntime standing in for nvinfer's engine, outputs shaped as the parser gets
them (one layer per output, batch dimension removed, in the model's output order)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

from onnx import TensorProto, helper  # noqa: E402

from alpr_gen.errors import NvinferError  # noqa: E402
from alpr_gen.nvinfer.session import CPU, CUDA, InferSession, default_providers  # noqa: E402
from alpr_gen.nvinfer.settings import InferSettings  # noqa: E402


def tiny_model(path: Path, batch: int | str = "N") -> Path:
    """images [batch, 3, 4, 6] -> doubled [batch, 3, 4, 6], summed [batch, 1, 4, 6]."""
    x = helper.make_tensor_value_info("images", TensorProto.FLOAT, [batch, 3, 4, 6])
    two = helper.make_tensor("two", TensorProto.FLOAT, [], [2.0])
    axes = helper.make_tensor("axes", TensorProto.INT64, [1], [1])
    graph = helper.make_graph(
        [helper.make_node("Mul", ["images", "two"], ["doubled"]),
         helper.make_node("ReduceSum", ["images", "axes"], ["summed"], keepdims=1)],
        "tiny", [x],
        [helper.make_tensor_value_info("doubled", TensorProto.FLOAT, [batch, 3, 4, 6]),
         helper.make_tensor_value_info("summed", TensorProto.FLOAT, [batch, 1, 4, 6])],
        initializer=[two, axes],
    )  # fmt: skip
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(path))
    return path


def test_frames_get_their_layers_as_nvinfer_hands_them(tmp_path: Path) -> None:
    sess = InferSession(tiny_model(tmp_path / "m.onnx"), providers=[CPU])
    assert sess.provider == CPU and sess.input_name == "images"
    assert sess.output_names == ["doubled", "summed"]
    assert sess.net_size == (6, 4) and sess.max_batch is None
    batch = np.random.default_rng(0).random((3, 3, 4, 6)).astype(np.float32)
    frames = sess.frame_layers(batch)
    assert len(frames) == 3 and [layer.name for layer in frames[1]] == ["doubled", "summed"]
    np.testing.assert_array_equal(frames[1][0].array, batch[1] * 2)
    np.testing.assert_allclose(frames[2][1].array, batch[2].sum(0, keepdims=True), rtol=1e-6)
    assert frames[0][0].array.shape == (3, 4, 6)  # no batch dimension, as nvinfer's inferDims


def test_a_static_batch_model_runs_in_chunks(tmp_path: Path) -> None:
    sess = InferSession(tiny_model(tmp_path / "b1.onnx", batch=1), providers=[CPU])
    assert sess.max_batch == 1
    batch = np.arange(3 * 3 * 4 * 6, dtype=np.float32).reshape(3, 3, 4, 6)
    doubled, summed = sess.run(batch)
    assert doubled.shape == (3, 3, 4, 6) and summed.shape == (3, 1, 4, 6)
    np.testing.assert_array_equal(doubled, batch * 2)


@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_a_static_batch_larger_than_one_takes_any_batch(tmp_path: Path, n: int) -> None:
    """Batch 2 model, 1 to 5 frames: the last chunk is padded, the padding's outputs dropped
    (a mux batch that does not divide by the engine's batch, e.g. a stream that ended)."""
    sess = InferSession(tiny_model(tmp_path / "b2.onnx", batch=2), providers=[CPU])
    batch = np.random.default_rng(n).random((n, 3, 4, 6)).astype(np.float32)
    doubled, summed = sess.run(batch)
    assert doubled.shape == (n, 3, 4, 6) and summed.shape == (n, 1, 4, 6)
    np.testing.assert_array_equal(doubled, batch * 2)


def test_built_from_settings_with_the_models_size(tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    model = tiny_model(tmp_path / "models" / "m.onnx")
    settings = InferSettings.from_mapping(
        {"onnx-file": "models/m.onnx", "maintain-aspect-ratio": "1"}, base_dir=tmp_path
    )
    sess = InferSession.from_settings(settings, providers=[CPU])
    assert sess.model == model
    spec = sess.preprocess_spec(settings)
    assert (spec.net_width, spec.net_height, spec.maintain_aspect_ratio) == (6, 4, True)


def test_errors_are_nvinfer_errors(tmp_path: Path) -> None:
    with pytest.raises(NvinferError, match="names no onnx-file"):
        InferSession.from_settings(InferSettings())
    with pytest.raises(NvinferError, match="no such ONNX model"):
        InferSession(tmp_path / "missing.onnx")
    (tmp_path / "bad.onnx").write_bytes(b"not a model")
    with pytest.raises(NvinferError, match="cannot load it"):
        InferSession(tmp_path / "bad.onnx", providers=[CPU])


def test_cuda_is_preferred_only_where_onnxruntime_has_it() -> None:
    import onnxruntime as ort

    providers = default_providers()
    assert providers[-1] == CPU
    assert (CUDA in providers) == (CUDA in ort.get_available_providers())
