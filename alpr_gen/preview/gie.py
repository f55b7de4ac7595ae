"""What both GIE stages share: an nvinfer instance built from the set's files, through
alpr_gen.nvinfer (settings, onnxruntime session, the set's parser library through nvinfer's ABI).

The parser library is the one the set names (`custom-lib-path`), dlopen()ed as nvinfer does; the
small C++ harness that builds nvinfer's std::vector arguments comes from alpr-gen's cache, built
for the parser ABI of the set's DeepStream release.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from alpr_gen.configset import Gie
from alpr_gen.errors import PreviewError

if TYPE_CHECKING:
    import numpy as np

    from alpr_gen.nvinfer.bridge import Layer, ParserBridge
    from alpr_gen.nvinfer.settings import InferSettings, PreprocessSpec


def read_labels(gie: Gie) -> list[str]:
    """The label file: one label per line (a detector's classes)."""
    if gie.labels is None or gie.labels.text is None:
        return []
    return [line.strip() for line in gie.labels.text.splitlines() if line.strip()]


class ModelRunner(Protocol):
    """What runs the model for a GIE: alpr_gen.nvinfer's InferSession (onnxruntime) by default;
    benchmarks may put another runner of the same network in its place."""

    def frame_layers(self, batch: np.ndarray) -> list[list[Layer]]: ...

    def preprocess_spec(self, settings: InferSettings) -> PreprocessSpec: ...


# Gie + its settings -> a runner to use instead of onnxruntime, or None for the default.
RunnerFactory = Callable[[Gie, "InferSettings"], "ModelRunner | None"]


@dataclass
class InferInstance:
    """One nvinfer: settings, session, preprocessing and the parser bridge."""

    gie: Gie
    settings: InferSettings
    session: ModelRunner
    spec: PreprocessSpec
    bridge: ParserBridge
    labels: list[str]

    @property
    def net(self) -> tuple[int, int, int]:
        """NvDsInferNetworkInfo: width, height, channels."""
        return (self.spec.net_width, self.spec.net_height, self.spec.channels)

    def frame_layers(self, batch: np.ndarray) -> list[list[Layer]]:
        """Per item, the output layers the parser gets; see `frame_layers`."""
        return frame_layers(self.session, batch)


def frame_layers(session: ModelRunner, batch: np.ndarray) -> list[list[Layer]]:
    """The session's per-item output layers for a batch of any size: a runner takes any batch,
    as an engine built for batch N runs any batch up to N (InferSession pads a fixed-batch
    model's last chunk itself)."""
    return session.frame_layers(batch)


def open_instance(
    gie: Gie,
    *,
    deepstream: str,
    providers: Sequence[str] | None,
    threads: int | None,
    runner_for: RunnerFactory | None = None,
) -> InferInstance:
    """Build the nvinfer instance of an enabled GIE group; PreviewError says what is missing."""
    from alpr_gen.deepstream.versions import RELEASES
    from alpr_gen.errors import AlprGenError
    from alpr_gen.next_steps import WEIGHTS_PLACEHOLDER, shown_dir
    from alpr_gen.nvinfer.bridge import ParserBridge, build_bridge
    from alpr_gen.nvinfer.session import InferSession

    where = f"[{gie.name}]"
    bundle = shlex.quote(shown_dir(gie.app.logical.parent))
    if gie.config is None or gie.config.keyfile is None:
        raise PreviewError(
            f"{gie.app.rel} {where}: its nvinfer config-file is missing or unreadable",
            hint=f"`alpr-gen validate {bundle}` says what is wrong with it",
        )
    try:
        settings = gie.infer_settings()  # the app group's keys over the file, as deepstream-app
    except AlprGenError as exc:
        raise PreviewError(f"{gie.config.rel}: {exc.message}", hint=exc.hint) from None
    runner = runner_for(gie, settings) if runner_for is not None else None
    if runner is None and (settings.onnx_file is None or not Path(settings.onnx_file).is_file()):
        raise PreviewError(
            f"{gie.config.rel}: onnx-file {settings.onnx_file or '(not set)'} not found; the "
            "preview backend runs the ONNX model (nvinfer would build its engine from it)",
            hint=(
                f"`alpr-gen export-ocr --config {bundle}`"
                if gie.is_ocr
                else f"`alpr-gen export --config {bundle} --weights {WEIGHTS_PLACEHOLDER}`"
            ),
        )
    lib = settings.custom_lib_path
    if lib is None or not Path(lib).is_file():
        raise PreviewError(
            f"{gie.config.rel}: custom-lib-path {lib or '(not set)'} not found",
            hint=f"`alpr-gen build-parser --config {bundle}`",
        )
    try:
        session = runner or InferSession(
            Path(str(settings.onnx_file)), providers=providers, threads=threads
        )
        abi = RELEASES[deepstream].parser_abi
        bridge = ParserBridge(Path(lib), build_bridge(abi).harness)
    except AlprGenError as exc:
        raise PreviewError(f"{gie.config.rel}: {exc.message}", hint=exc.hint) from None
    except (OSError, ValueError) as exc:
        raise PreviewError(f"{gie.config.rel}: {exc}") from None
    spec = session.preprocess_spec(settings)
    return InferInstance(gie, settings, session, spec, bridge, read_labels(gie))
