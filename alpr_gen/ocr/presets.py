"""Per-kind preprocessing of OCR recognisers, as nvinfer SGIE keys.

nvinfer computes `y = net-scale-factor * (x - offset[c])` on the resized crop, in
`model-color-format` channel order; with `maintain-aspect-ratio=1` it scales the crop to fit and
fills the rest with zeros (right/bottom only unless `symmetric-padding=1`).

Stdlib only: the render plan imports this module (`from alpr_gen.ocr.presets import OCR_PRESETS`).
"""

from __future__ import annotations

from dataclasses import dataclass

# nvinfer's model-color-format codes.
COLOR_RGB = 0
COLOR_BGR = 1
COLOR_GRAY = 2

# `blank_index` value meaning "the last class" (C - 1), LPRNet's convention.
BLANK_LAST = -1

# Output names written by `export-ocr --argmax` (indices int32 [B, T], scores float [B, T]).
ARGMAX_INDICES_OUTPUT = "ocr_indices"
ARGMAX_SCORES_OUTPUT = "ocr_scores"


@dataclass(frozen=True)
class OcrPreset:
    """How one kind of recogniser wants its input, and how its classes are numbered."""

    kind: str
    net_scale_factor: float
    offsets: tuple[float, float, float]
    model_color_format: int
    maintain_aspect_ratio: int
    symmetric_padding: int
    channels: int
    height: int
    width: int
    # Class index of the CTC blank; BLANK_LAST means C - 1. The dictionary file lists every other
    # class in order, so class k maps to dictionary line k (k < blank) or k - 1 (k > blank).
    blank_index: int
    description: str
    # PaddleOCR pads with 0.0 after normalising; nvinfer's padding reaches the model as
    # -offset * scale. True: export-ocr sets it to 0.0 in the graph (alpr_gen.ocr.padding).
    paddle_padding: bool = False
    # One-line recognisers (PP-OCR) on two-line plates: export-ocr adds the two-line stage
    # (alpr_gen.ocr.two_line) unless --no-two-line. LPRNet-style models keep their convention.
    two_line: bool = False

    @property
    def infer_dims(self) -> tuple[int, int, int]:
        """nvinfer's `infer-dims` (c;h;w)."""
        return (self.channels, self.height, self.width)


OCR_PRESETS: dict[str, OcrPreset] = {
    # PaddleOCR / rapidocr `resize_norm_img`: BGR (images come from cv2), (x / 255 - 0.5) / 0.5,
    # resized to height 48 keeping aspect, padded on the right with 0.0 after normalising (the
    # exported graph turns nvinfer's -1.0 padding into that). Blank is class 0; the last
    # class is the space rapidocr appends to the dictionary. Output: softmax [B, T, C], T = W / 8.
    "ppocr": OcrPreset(
        kind="ppocr",
        net_scale_factor=1.0 / 127.5,
        offsets=(127.5, 127.5, 127.5),
        model_color_format=COLOR_BGR,
        maintain_aspect_ratio=1,
        symmetric_padding=0,
        channels=3,
        height=48,
        width=320,
        blank_index=0,
        description="PaddleOCR PP-OCRv3/v4 recogniser (rapidocr-onnxruntime ships PP-OCRv4)",
        paddle_padding=True,
        two_line=True,
    ),
    # NVIDIA's LPRNet (deepstream_lpr_app lpr_config_sgie_*.txt): RGB, x / 255, stretched to
    # 96x48 (maintain-aspect-ratio left at 0), blank = dictionary size (the last class).
    "lprnet": OcrPreset(
        kind="lprnet",
        net_scale_factor=1.0 / 255.0,
        offsets=(0.0, 0.0, 0.0),
        model_color_format=COLOR_RGB,
        maintain_aspect_ratio=0,
        symmetric_padding=0,
        channels=3,
        height=48,
        width=96,
        blank_index=BLANK_LAST,
        description="LPRNet-style CTC recogniser (user-supplied ONNX + dictionary file)",
    ),
}
