"""An onnxruntime session standing in for nvinfer's TensorRT engine, built from InferSettings.

It runs the config's `onnx-file` on a preprocessed batch (alpr_gen.nvinfer.preprocess) and hands
each frame's outputs to the parser the way nvinfer does: one NvDsInferLayerInfo per output layer,
in the model's output order, the batch dimension removed (nvinfer calls the parser once per frame
with that frame's slice), named after the output. The CPU runs it by default; with
onnxruntime-gpu installed and a GPU present, the CUDA execution provider does (`provider` says
which one is active: onnxruntime falls back to the CPU when CUDA cannot start).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from alpr_gen.errors import NvinferError
from alpr_gen.nvinfer.bridge import Layer
from alpr_gen.nvinfer.settings import InferSettings, PreprocessSpec

CPU = "CPUExecutionProvider"
CUDA = "CUDAExecutionProvider"
_INPUT_TYPES = {"tensor(float)": np.float32, "tensor(float16)": np.float16}


def default_providers() -> list[str]:
    """CUDA first when this onnxruntime has it (onnxruntime-gpu), then the CPU."""
    import onnxruntime as ort

    return [CUDA, CPU] if CUDA in ort.get_available_providers() else [CPU]


class InferSession:
    """One model, run as nvinfer runs its engine."""

    def __init__(
        self,
        model: Path,
        *,
        providers: Sequence[str] | None = None,
        threads: int | None = None,
    ) -> None:
        import onnxruntime as ort

        if not Path(model).is_file():
            raise NvinferError(
                f"{model}: no such ONNX model",
                hint="export it first: the bundle's next steps (render, validate) name the command",
            )
        opts = ort.SessionOptions()
        opts.log_severity_level = 3
        if threads is None and os.environ.get("ALPR_ORT_THREADS"):
            threads = int(os.environ["ALPR_ORT_THREADS"])
        if threads:
            opts.intra_op_num_threads = threads
        try:
            self.session = ort.InferenceSession(
                str(model), opts, providers=list(providers or default_providers())
            )
        except Exception as exc:  # onnxruntime raises its own exception types for a bad model
            raise NvinferError(f"{model}: onnxruntime cannot load it: {exc}") from None
        self.model = Path(model)
        inp = self.session.get_inputs()
        if len(inp) != 1:
            raise NvinferError(f"{model}: {len(inp)} inputs; nvinfer feeds one image input")
        self.input_name: str = inp[0].name
        self.input_shape: tuple[int | str | None, ...] = tuple(inp[0].shape)
        self.input_dtype = _INPUT_TYPES.get(inp[0].type)
        if self.input_dtype is None:
            raise NvinferError(f"{model}: input type {inp[0].type}; nvinfer feeds float images")
        self.output_names: list[str] = [o.name for o in self.session.get_outputs()]
        self.provider: str = self.session.get_providers()[0]

    @classmethod
    def from_settings(
        cls, settings: InferSettings, *, providers: Sequence[str] | None = None
    ) -> InferSession:
        if settings.onnx_file is None:
            raise NvinferError(
                "the nvinfer config names no onnx-file: nothing to run without TensorRT",
                hint="name the ONNX model in onnx-file (the export step writes it)",
            )
        return cls(settings.onnx_file, providers=providers)

    @property
    def net_size(self) -> tuple[int, int] | None:
        """(width, height) of a static NCHW input, else None."""
        shape = self.input_shape
        if len(shape) == 4 and isinstance(shape[2], int) and isinstance(shape[3], int):
            return shape[3], shape[2]
        return None

    @property
    def max_batch(self) -> int | None:
        """The model's static batch size, or None for a dynamic one."""
        first = self.input_shape[0] if self.input_shape else None
        return first if isinstance(first, int) else None

    def preprocess_spec(self, settings: InferSettings) -> PreprocessSpec:
        """settings' preprocessing with the network size from infer-dims, else from the model."""
        return settings.preprocess_spec(None if settings.infer_dims else self.net_size)

    def run(self, batch: np.ndarray) -> list[np.ndarray]:
        """The model's outputs for an [N, C, H, W] batch, in output order, batch first; a model
        with a static batch B is run in chunks of B, the last one padded with zero images whose
        outputs are dropped (an engine built for batch B runs any batch up to B)."""
        x = np.ascontiguousarray(batch, dtype=self.input_dtype)
        n = len(x)
        step = self.max_batch or n
        if step > 0 and n % step:
            x = np.concatenate([x, np.zeros((step - n % step, *x.shape[1:]), x.dtype)])
        chunks = [
            self.session.run(None, {self.input_name: x[i : i + step]})
            for i in range(0, len(x), max(step, 1))
        ]
        return [np.concatenate([c[k] for c in chunks])[:n] for k in range(len(self.output_names))]

    def frame_layers(self, batch: np.ndarray) -> list[list[Layer]]:
        """Per frame, the output layers as nvinfer hands them to the parser."""
        outputs = self.run(batch)
        return [
            [
                Layer(np.ascontiguousarray(out[i]), name=name)
                for out, name in zip(outputs, self.output_names, strict=True)
            ]
            for i in range(len(batch))
        ]
