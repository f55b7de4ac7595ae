"""export-ocr on rapidocr's real PP-OCRv4 recogniser and on a small LPRNet-style graph."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from alpr_gen.errors import ExportError
from alpr_gen.ocr.dictionary import read_dictionary
from alpr_gen.ocr.export import OcrExportRequest, bundled_ppocr_model, export_ocr
from alpr_gen.ocr.presets import OCR_PRESETS


def session(path: Path) -> ort.InferenceSession:
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])


@pytest.mark.slow
def test_ppocr_export_fixes_input_and_keeps_results(exported: dict[str, Path]) -> None:
    src = session(bundled_ppocr_model())
    x = np.random.default_rng(0).uniform(-1, 1, (3, 3, 48, 320)).astype(np.float32)
    (want,) = src.run(None, {"x": x})
    for form, d in exported.items():
        model = onnx.load(str(d / "ocr_rec.onnx"))
        dims = model.graph.input[0].type.tensor_type.shape.dim
        assert [dd.dim_param or dd.dim_value for dd in dims] == ["batch", 3, 48, 320]
        out = session(d / "ocr_rec.onnx").run(None, {"x": x})
        # No padding: wider than the two-line gate, so the one-line read then blanks.
        steps = want.shape[1]
        assert out[0].shape[1] == 2 * steps + 1
        if form == "probs":
            np.testing.assert_allclose(out[0][:, :steps], want, rtol=1e-5, atol=1e-6)
        else:
            np.testing.assert_array_equal(out[0][:, :steps], want.argmax(2).astype(np.int32))
            # The padding step in front of the first layer changes nothing for these inputs
            # (no value is nvinfer's -1.0 padding) but lets onnxruntime pick other kernels.
            np.testing.assert_allclose(out[1][:, :steps], want.max(2), rtol=1e-5, atol=1e-6)
            assert out[0].dtype == np.int32 and not out[0][:, steps:].any()


@pytest.mark.slow
def test_ppocr_dictionary_and_sidecar(exported: dict[str, Path]) -> None:
    meta = {p.key: p.value for p in onnx.load(str(bundled_ppocr_model())).metadata_props}
    chars = meta["character"].splitlines()  # how rapidocr reads it
    entries = read_dictionary(exported["argmax"] / "ocr_dict.txt")
    assert entries == [*chars, " "]  # rapidocr appends the space class
    side = json.loads((exported["argmax"] / "ocr_rec.json").read_text())
    (probs_out,) = session(bundled_ppocr_model()).get_outputs()
    assert side["num_classes"] == probs_out.shape[2] == len(entries) + 1
    assert side["time_steps"] == 2 * (320 // 8) + 1  # the two-line stage (test_two_line.py)
    assert side["blank_index"] == 0
    assert side["output_blob_names"] == ["ocr_indices", "ocr_scores"]
    assert side["infer_dims"] == [3, 48, 320]
    pre = side["preprocess"]
    # nvinfer: y = k (x - o) must equal PaddleOCR's (x / 255 - 0.5) / 0.5 for every pixel value.
    x = np.arange(256, dtype=np.float64)
    np.testing.assert_allclose(
        pre["net_scale_factor"] * (x - pre["offsets"][0]), (x / 255 - 0.5) / 0.5, atol=1e-12
    )
    assert pre["model_color_format"] == 1  # BGR: rapidocr feeds cv2 images
    assert (pre["maintain_aspect_ratio"], pre["symmetric_padding"]) == (1, 0)
    probs_side = json.loads((exported["probs"] / "ocr_rec.json").read_text())
    assert probs_side["output_blob_names"] == [probs_out.name]


@pytest.mark.slow
def test_dynamic_batch_and_other_size(tmp_path: Path) -> None:
    res = export_ocr(OcrExportRequest(height=48, width=160, out_dir=tmp_path))
    assert res.sidecar["time_steps"] == 41  # 2 x 20 + 1: the two-line stage
    sess = session(res.onnx_path)
    for b in (1, 5):
        idx, sc = sess.run(None, {"x": np.zeros((b, 3, 48, 160), np.float32)})
        assert idx.shape == sc.shape == (b, 41)


def lprnet_like(path: Path, n_chars: int, *, steps: int = 18, bct: bool = True) -> None:
    """A tiny CTC net ending in logits, [B, C, T] like the LPRNet ports, input 3x24x94."""
    c = n_chars + 1
    rng = np.random.default_rng(1)
    w = numpy_helper.from_array(rng.normal(0, 0.3, (c, 3, 24, 1)).astype(np.float32), "w")
    nodes = [
        helper.make_node("Conv", ["img", "w"], ["conv"], strides=[1, 5], pads=[0, 0, 0, 2]),
        helper.make_node("Squeeze", ["conv", "axes"], ["logits"]),  # [B, C, T]
    ]
    axes = numpy_helper.from_array(np.array([2], np.int64), "axes")
    out_name = "logits"
    if not bct:
        nodes.append(helper.make_node("Transpose", ["logits"], ["logits_btc"], perm=[0, 2, 1]))
        out_name = "logits_btc"
    graph = helper.make_graph(
        nodes,
        "lprnet_like",
        [helper.make_tensor_value_info("img", TensorProto.FLOAT, [1, 3, 24, 94])],
        [helper.make_tensor_value_info(out_name, TensorProto.FLOAT, None)],
        [w, axes],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.save(model, str(path))


@pytest.mark.parametrize("bct", [True, False])
def test_lprnet_like_transposed_softmaxed_and_dictionary(tmp_path: Path, bct: bool) -> None:
    chars = list("0123456789ABCDEFGHJKLMNPRSTUVWXYZ")
    (tmp_path / "dict.txt").write_text("\n".join(chars) + "\n")
    lpr = tmp_path / "lpr.onnx"
    lprnet_like(lpr, len(chars), bct=bct)
    res = export_ocr(
        OcrExportRequest(
            model=lpr, kind="lprnet", dict_file=tmp_path / "dict.txt", height=24, width=94,
            argmax=False, out_dir=tmp_path / "out",
        )
    )  # fmt: skip
    side = res.sidecar
    assert side["blank_index"] == len(chars)  # LPRNet: blank = dictionary size
    assert side["num_classes"] == len(chars) + 1 and side["time_steps"] == 20
    assert ("output transposed from [B, C, T] to [B, T, C]" in side["graph_changes"]) == bct
    assert "softmax appended over the classes" in side["graph_changes"]
    assert side["preprocess"]["model_color_format"] == OCR_PRESETS["lprnet"].model_color_format
    x = np.random.default_rng(2).uniform(0, 1, (2, 3, 24, 94)).astype(np.float32)
    (raw,) = session(lpr).run(None, {"img": x[:1]})
    raw_btc = raw.transpose(0, 2, 1) if bct else raw
    e = np.exp(raw_btc - raw_btc.max(2, keepdims=True))
    (got,) = session(res.onnx_path).run(None, {"img": x})
    np.testing.assert_allclose(got[:1], e / e.sum(2, keepdims=True), rtol=1e-5, atol=1e-6)
    assert got.shape == (2, 20, len(chars) + 1)  # (94 + 2 - 1) // 5 + 1
    assert read_dictionary(res.dict_path) == chars


def test_dictionary_size_mismatch_is_refused_and_nothing_written(tmp_path: Path) -> None:
    (tmp_path / "dict.txt").write_text("A\nB\nC\n")
    lpr = tmp_path / "lpr.onnx"
    lprnet_like(lpr, 10)
    out = tmp_path / "out"
    with pytest.raises(ExportError, match=r"no class axis of 4 \(dictionary of 3 \+ blank\)"):
        export_ocr(
            OcrExportRequest(
                model=lpr, kind="lprnet", dict_file=tmp_path / "dict.txt", height=24, width=94,
                out_dir=out,
            )
        )  # fmt: skip
    assert not out.exists() or not any(out.iterdir())


def test_bad_requests(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="unknown; use one of ppocr, lprnet"):
        export_ocr(OcrExportRequest(kind="crnn", out_dir=tmp_path))
    with pytest.raises(ExportError, match="needs --model"):
        export_ocr(OcrExportRequest(kind="lprnet", out_dir=tmp_path))
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"not a model")
    with pytest.raises(ExportError, match="cannot load the ONNX model"):
        export_ocr(OcrExportRequest(model=junk, out_dir=tmp_path))
    lpr = tmp_path / "lpr.onnx"
    lprnet_like(lpr, 4)
    with pytest.raises(ExportError, match="no 'character' metadata, so --dict is needed"):
        export_ocr(OcrExportRequest(model=lpr, kind="lprnet", out_dir=tmp_path))
    (tmp_path / "gap.txt").write_text("A\n\nB\nC\n")
    with pytest.raises(ExportError, match=r"gap.txt:2: empty dictionary entry"):
        export_ocr(
            OcrExportRequest(model=lpr, kind="lprnet", dict_file=tmp_path / "gap.txt", out_dir=tmp_path)
        )  # fmt: skip
    with pytest.raises(ExportError, match="is fixed at 24 where 48 was asked"):
        (tmp_path / "d4.txt").write_text("A\nB\nC\nD\n")
        export_ocr(
            OcrExportRequest(model=lpr, kind="lprnet", dict_file=tmp_path / "d4.txt", out_dir=tmp_path)
        )  # fmt: skip


def test_model_with_its_own_argmax_heads_is_kept(tmp_path: Path) -> None:
    """NVIDIA-LPRNet-style outputs (int64 ArgMax + Max): fixed input, int32 indices, same values."""
    lpr = tmp_path / "lpr.onnx"
    lprnet_like(lpr, 5, bct=False)
    m = onnx.load(str(lpr))
    logits = m.graph.output[0].name
    m.graph.node.extend(
        [
            helper.make_node("ArgMax", [logits], ["tf_op_layer_ArgMax"], axis=2, keepdims=0),
            helper.make_node("ReduceMax", [logits], ["tf_op_layer_Max"], axes=[2], keepdims=0),
        ]
    )
    del m.graph.output[:]
    m.graph.output.extend(
        [
            helper.make_tensor_value_info("tf_op_layer_ArgMax", TensorProto.INT64, None),
            helper.make_tensor_value_info("tf_op_layer_Max", TensorProto.FLOAT, None),
        ]
    )
    onnx.save(m, str(lpr))
    (tmp_path / "dict.txt").write_text("A\nB\nC\nD\nE\n")
    req = OcrExportRequest(
        model=lpr, kind="lprnet", dict_file=tmp_path / "dict.txt", height=24, width=94,
        out_dir=tmp_path / "out",
    )  # fmt: skip
    res = export_ocr(req)
    assert res.sidecar["output_blob_names"] == ["ocr_indices", "tf_op_layer_Max"]
    assert res.sidecar["blank_index"] == 5 and res.sidecar["time_steps"] == 20
    x = np.random.default_rng(3).uniform(0, 1, (2, 3, 24, 94)).astype(np.float32)
    want_idx, want_max = session(lpr).run(None, {"img": x[:1]})
    idx, mx = session(res.onnx_path).run(None, {"img": x})
    assert idx.dtype == np.int32 and idx.shape == (2, 20)
    np.testing.assert_array_equal(idx[:1], want_idx)
    np.testing.assert_array_equal(mx[:1], want_max)
    with pytest.raises(ExportError, match="already ends in ArgMax/Max"):
        export_ocr(OcrExportRequest(**{**req.__dict__, "argmax": False}))
