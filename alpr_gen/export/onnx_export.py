"""Load a YOLO11 detection checkpoint and write it as an ONNX with one of the two heads."""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from alpr_gen.errors import ExportError
from alpr_gen.export.heads import INPUT_NAME, OUTPUT_NAME
from alpr_gen.export.request import ExportRequest

if TYPE_CHECKING:
    from torch import nn

# Never let Ultralytics reach the network or pip from inside an export.
os.environ.setdefault("YOLO_OFFLINE", "1")
os.environ.setdefault("YOLO_AUTOINSTALL", "false")
os.environ.setdefault("YOLO_VERBOSE", "false")


@dataclass
class LoadedModel:
    model: nn.Module  # ultralytics DetectionModel, eval mode, fp32, on the CPU
    names: tuple[str, ...]
    stride: int


def load_detection_model(weights: Path) -> LoadedModel:
    """Read an Ultralytics checkpoint; ExportError when it is missing, corrupt or not a detector."""
    if not weights.is_file():
        raise ExportError(f"--weights {weights}: no such file")
    if weights.suffix != ".pt":
        raise ExportError(
            f"--weights {weights}: expected an Ultralytics .pt checkpoint",
            hint="export from the training output, e.g. runs/detect/train/weights/best.pt",
        )
    # torch.save writes a zip archive; anything else is truncated or not a checkpoint.
    if not zipfile.is_zipfile(weights):
        raise ExportError(
            f"--weights {weights}: not a readable PyTorch checkpoint (empty, truncated or corrupt)",
            hint="copy the file again or re-save it with YOLO(...).save('best.pt')",
        )
    from ultralytics.nn.tasks import load_checkpoint

    try:
        model, _ = load_checkpoint(str(weights))
    except (TypeError, RuntimeError, EOFError, KeyError, AttributeError, ModuleNotFoundError) as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise ExportError(f"--weights {weights}: cannot load the checkpoint: {first}") from e
    except Exception as e:  # pickle errors and zip errors come in several types
        raise ExportError(f"--weights {weights}: cannot load the checkpoint: {e}") from e

    from ultralytics.nn.modules.head import Detect

    task = getattr(model, "task", None)
    head = model.model[-1] if hasattr(model, "model") else None
    if task != "detect" or not isinstance(head, Detect):
        kind = task or type(model).__name__
        raise ExportError(
            f"--weights {weights}: a {kind} model, not a YOLO detection model",
            hint="alpr-gen exports detectors (vehicles/plates); train with task=detect",
        )
    names_attr = getattr(model, "names", None) or {}
    names = tuple(str(names_attr[i]) for i in sorted(names_attr)) if names_attr else ()
    if len(names) != head.nc:
        names = tuple(f"class{i}" for i in range(head.nc))
    return LoadedModel(model=model, names=names, stride=int(max(model.stride.tolist())))


def prepare_for_export(model: nn.Module, *, dynamic: bool) -> nn.Module:
    """Fuse and switch the Detect head to export mode (decoded boxes, no training extras)."""
    from ultralytics.nn.modules.block import C2f
    from ultralytics.nn.modules.head import Detect

    for p in model.parameters():
        p.requires_grad = False
    model = model.eval().float().fuse()  # type: ignore[operator]  # DetectionModel.fuse
    if hasattr(model, "end2end"):
        # One-to-many outputs: we put our own NMS (or none) after them. (setattr: the typed
        # nn.Module has no such attribute.)
        setattr(model, "end2end", False)  # noqa: B010
    for m in model.modules():
        if isinstance(m, Detect):
            m.dynamic = dynamic
            m.export = True
            m.format = "onnx"  # type: ignore[assignment]  # Detect declares it None
            m.xyxy = False
            m.shape = None
        elif isinstance(m, C2f):
            # Split rather than Chunk: a cleaner graph (an instance attribute shadows the method)
            m.forward = m.forward_split  # type: ignore[method-assign]
    return model


def build_head(loaded: LoadedModel, req: ExportRequest) -> nn.Module:
    from alpr_gen.export.heads import DeepStreamHead, End2EndHead

    model = prepare_for_export(loaded.model, dynamic=req.dynamic)
    if req.head == "deepstream":
        return DeepStreamHead(model, pad_fill=req.pad_fill).eval()
    return End2EndHead(
        model, req.topk, req.conf, req.iou, len(loaded.names), pad_fill=req.pad_fill
    ).eval()


def export_onnx(
    wrapper: nn.Module, req: ExportRequest, dest: Path, metadata: dict[str, str]
) -> None:
    """Trace `wrapper` to `dest` (a staging path), simplify it with onnxslim and check it."""
    import warnings

    import onnx
    import torch

    im = torch.zeros(req.batch, 3, req.imgsz, req.imgsz)
    dynamic_axes = {INPUT_NAME: {0: "batch"}, OUTPUT_NAME: {0: "batch"}} if req.dynamic else None
    raw_path = dest.with_name(dest.name + ".raw.onnx")
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")  # tracer chatter about advanced indexing and constants
            torch.onnx.export(
                wrapper,
                (im,),
                str(raw_path),
                opset_version=req.resolved_opset,
                input_names=[INPUT_NAME],
                output_names=[OUTPUT_NAME],
                dynamic_axes=dynamic_axes,
                dynamo=False,
            )
        model_onnx = onnx.load(str(raw_path))
    except Exception as e:
        raise ExportError(f"ONNX export of {req.weights} failed: {e}") from e
    finally:
        raw_path.unlink(missing_ok=True)

    import onnxslim

    try:
        model_onnx = onnxslim.slim(model_onnx)
    except Exception as e:  # slimming is an optimisation; a failure is a bug worth reporting
        raise ExportError(f"onnxslim could not simplify the exported graph: {e}") from e
    for key, value in metadata.items():
        prop = model_onnx.metadata_props.add()
        prop.key, prop.value = key, value
    model_onnx.producer_name = "alpr-gen"
    try:
        onnx.checker.check_model(model_onnx)
    except onnx.checker.ValidationError as e:
        raise ExportError(f"the exported ONNX does not pass onnx.checker: {e}") from e
    onnx.save(model_onnx, str(dest))


def output_shape(path: Path) -> tuple[int | str, ...]:
    import onnx

    m = onnx.load(str(path), load_external_data=False)
    dims = m.graph.output[0].type.tensor_type.shape.dim
    return tuple(d.dim_value if d.HasField("dim_value") else d.dim_param for d in dims)
