"""The recogniser's outputs as nvinfer's OCR parser reads them: [B, T, C] probabilities, or
ArgMax/ReduceMax appended (int32 indices + float scores), with fixed shapes but the batch axis,
checked by running the graph once with onnxruntime."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from alpr_gen.errors import ExportError
from alpr_gen.ocr.presets import ARGMAX_INDICES_OUTPUT, ARGMAX_SCORES_OUTPUT

if TYPE_CHECKING:
    import onnx

PROBS_OUTPUT = "ocr_probs"
BATCH_DIM = "batch"


def argmax_outputs(model: onnx.ModelProto) -> tuple[str, str] | None:
    """(indices, scores) output names when the graph already ends in ArgMax/Max, else None."""
    from onnx import TensorProto

    outs = model.graph.output
    if len(outs) != 2:
        return None
    ints = [o.type.tensor_type.elem_type in (TensorProto.INT32, TensorProto.INT64) for o in outs]
    if sorted(ints) != [False, True]:
        return None
    return (outs[0].name, outs[1].name) if ints[0] else (outs[1].name, outs[0].name)


def probe_steps(model: onnx.ModelProto, indices: str, chw: tuple[int, int, int], src: Path) -> int:
    import numpy as np

    out = run_once(model, [indices], np.zeros((1, *chw), np.float32), src)[0]
    if out.ndim != 2 or out.shape[0] != 1:
        raise ExportError(f"{src}: indices output {indices!r} is {out.shape}, expected [1, T]")
    return int(out.shape[1])


def int32_indices(model: onnx.ModelProto, indices: str, scores: str) -> tuple[str, str]:
    """Cast int64 indices to int32 (DeepStream before 8.0 has no INT64 layers)."""
    from onnx import TensorProto, helper

    graph = model.graph
    out = next(o for o in graph.output if o.name == indices)
    if out.type.tensor_type.elem_type == TensorProto.INT32:
        return indices, scores
    graph.node.append(
        helper.make_node("Cast", [indices], [ARGMAX_INDICES_OUTPUT], to=TensorProto.INT32)
    )
    kept = [o for o in graph.output if o.name != indices]
    del graph.output[:]
    graph.output.append(
        helper.make_tensor_value_info(ARGMAX_INDICES_OUTPUT, TensorProto.INT32, None)
    )
    graph.output.extend(kept)
    return ARGMAX_INDICES_OUTPUT, scores


def normalise_output(
    model: onnx.ModelProto, n_entries: int, chw: tuple[int, int, int], src: Path
) -> tuple[str, int, int, list[str]]:
    """Leave one output holding [B, T, C] probabilities; return its name, T, C, what changed.

    C is recognised as the dictionary size + 1 (blank) or + 2 (PaddleOCR's appended space).
    """
    import numpy as np
    from onnx import helper

    graph = model.graph
    if len(graph.output) != 1:
        names = ", ".join(o.name for o in graph.output)
        raise ExportError(
            f"{src}: expected one [B, T, C] output, found {len(graph.output)} ({names})",
            hint="export the recogniser without its own ArgMax/Max heads",
        )
    name = graph.output[0].name
    # Shape inference misses Paddle's reshapes, so run the fixed-size model once instead.
    raw = run_once(model, [name], np.zeros((1, *chw), np.float32), src)[0]
    if raw.ndim != 3 or raw.shape[0] != 1:
        raise ExportError(f"{src}: output {name!r} has shape {raw.shape}, expected [1, T, C]")
    class_counts = (n_entries + 1, n_entries + 2)
    changes: list[str] = []
    producer = next((n for n in graph.node if name in n.output), None)
    softmaxed = producer is not None and producer.op_type == "Softmax"
    if raw.shape[2] in class_counts:
        steps, classes = int(raw.shape[1]), int(raw.shape[2])
    elif raw.shape[1] in class_counts:
        steps, classes = int(raw.shape[2]), int(raw.shape[1])
        graph.node.append(helper.make_node("Transpose", [name], [name + "_btc"], perm=[0, 2, 1]))
        name = name + "_btc"
        changes.append("output transposed from [B, C, T] to [B, T, C]")
    else:
        raise ExportError(
            f"{src}: output shape {list(raw.shape)} has no class axis of {class_counts[0]} "
            f"(dictionary of {n_entries} + blank)",
            hint="pass the dictionary the model was trained with (--dict)",
        )
    if not softmaxed:
        # CTC heads that end in logits: the confidence needs probabilities.
        graph.node.append(helper.make_node("Softmax", [name], [PROBS_OUTPUT], axis=-1))
        name = PROBS_OUTPUT
        changes.append("softmax appended over the classes")
    if name != graph.output[0].name:
        del graph.output[:]
        graph.output.append(helper.make_tensor_value_info(name, 1, None))
    return name, steps, classes, changes


def append_argmax(model: onnx.ModelProto, probs: str) -> None:
    from onnx import TensorProto, helper

    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 0)
    graph = model.graph
    raw_idx = ARGMAX_INDICES_OUTPUT + "_i64"
    graph.node.append(helper.make_node("ArgMax", [probs], [raw_idx], axis=2, keepdims=0))
    # int32 indices: TensorRT's TopK gives int32, and DeepStream before 8.0 has no INT64 type.
    graph.node.append(
        helper.make_node("Cast", [raw_idx], [ARGMAX_INDICES_OUTPUT], to=TensorProto.INT32)
    )
    if opset >= 18:
        axes = ARGMAX_SCORES_OUTPUT + "_axes"
        graph.initializer.append(helper.make_tensor(axes, TensorProto.INT64, [1], [2]))
        node = helper.make_node("ReduceMax", [probs, axes], [ARGMAX_SCORES_OUTPUT], keepdims=0)
    else:
        node = helper.make_node("ReduceMax", [probs], [ARGMAX_SCORES_OUTPUT], axes=[2], keepdims=0)
    graph.node.append(node)
    del graph.output[:]
    graph.output.append(
        helper.make_tensor_value_info(ARGMAX_INDICES_OUTPUT, TensorProto.INT32, None)
    )
    graph.output.append(
        helper.make_tensor_value_info(ARGMAX_SCORES_OUTPUT, TensorProto.FLOAT, None)
    )


def set_output_shapes(model: onnx.ModelProto, shapes: dict[str, list[int]]) -> None:
    for out in model.graph.output:
        shape = out.type.tensor_type.shape
        shape.Clear()
        shape.dim.add().dim_param = BATCH_DIM
        for d in shapes[out.name]:
            shape.dim.add().dim_value = d


def check_runs(
    model: onnx.ModelProto, shapes: dict[str, list[int]], chw: tuple[int, int, int], src: Path
) -> None:
    """Prove the dynamic batch axis: a batch of 2 must give [2, T(, C)] outputs."""
    import numpy as np

    got = run_once(model, list(shapes), np.zeros((2, *chw), np.float32), src)
    for (name, dims), arr in zip(shapes.items(), got, strict=True):
        if list(arr.shape) != [2, *dims]:
            raise ExportError(f"{src}: exported output {name!r} is {arr.shape}, expected {dims}")


def run_once(model: onnx.ModelProto, outputs: list[str], x: Any, src: Path) -> list[Any]:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    try:
        sess = ort.InferenceSession(
            model.SerializeToString(), opts, providers=["CPUExecutionProvider"]
        )
        return sess.run(outputs, {sess.get_inputs()[0].name: x})
    except Exception as exc:  # onnxruntime raises its own untyped errors
        raise ExportError(f"{src}: onnxruntime cannot run the fixed-size model: {exc}") from None
