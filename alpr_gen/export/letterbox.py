"""Ultralytics' letterbox under nvinfer, inside the graph: grey padding and boxes kept in the image.

nvinfer (maintain-aspect-ratio=1, symmetric-padding=1, as alpr-gen renders the PGIE) scales the
frame into a zeroed buffer (gstnvinfer.cpp, get_converted_buffer: cudaMemset2DAsync(..., 0, ...)),
so with net-scale-factor 1/255 and no offsets the padding reaches the model as exact 0.0 in every
channel: whole rows above and below the image (a frame wider than the input) or whole columns
left and right of it (a taller frame), floor(pad / 2) before it and the rest after it. Ultralytics
trained and predicts with 114/255 there. `PaddingFill` finds the padding in each image of the batch
from the tensor itself, so one graph serves every frame geometry (any streammux size, the new
streammux's per-camera resolutions):

- along each axis, the rows (columns) before the first and after the last one holding a non-zero
  value; nvinfer's padding is symmetric (the trailing side is the leading side or one more), so
  the leading count is min(lead, trail) and the trailing one min(trail, leading + 1): an image
  whose own edge rows are black on one side only is never taken for padding;
- nvinfer pads one axis only, so only the axis with the larger padding is filled (a pillarboxed
  16:9 frame keeps its black bars); image rows or columns that are exactly black on both sides of
  the padded axis are taken for padding (a 2.35:1 film letterboxed inside the frame, say);
- those pixels become 114/255 (`FILL`); everything else passes through untouched.

The same padding gives the image's rectangle inside the input (`area`, x1, y1, x2, y2 in network
pixels). The heads clip their boxes to it, as Ultralytics clips to the frame (`clip_boxes`): nvinfer
itself sets a negative left/top to 0 without shrinking the box and drops a box whose bottom
passes the frame (gstnvinfer_meta_utils.cpp, attach_metadata_detector), and the parser, which only
knows the network input, cannot tell where the image ends.
"""

from __future__ import annotations

import torch
from torch import nn

from alpr_gen.export.request import PAD_FILL_LEVEL

# float32(114) / float32(255): the value Ultralytics' loader gives a padding pixel.
FILL = float(torch.tensor(PAD_FILL_LEVEL, dtype=torch.float32) / torch.tensor(255.0))


def _edge_runs(nonzero: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """[B, N] bool -> (lead, trail) [B] float: entries before the first / after the last True
    (N each when none is True)."""
    n = nonzero.shape[1]
    idx = torch.arange(n, dtype=torch.float32, device=nonzero.device).unsqueeze(0)
    first = torch.where(nonzero, idx, torch.full_like(idx, float(n))).amin(dim=1)
    last = torch.where(nonzero, idx, torch.full_like(idx, -1.0)).amax(dim=1)
    return first, (n - 1) - last


def _symmetric(lead: torch.Tensor, trail: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """nvinfer's padding is floor(p / 2) before and the rest after: keep only what fits that."""
    before = torch.minimum(lead, trail)
    after = torch.minimum(trail, before + 1)
    return before, after


class PaddingFill(nn.Module):
    """images [B, 3, H, W] as nvinfer feeds them -> (images with the padding at 114/255, the
    image's area [B, 4] = x1, y1, x2, y2 in input pixels)."""

    def forward(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h, w = images.shape[2], images.shape[3]
        # Float reductions (TensorRT reduces no booleans): > 0 where a row holds a non-zero value.
        mag = images.abs()
        rows = mag.amax(dim=3).amax(dim=1) > 0  # [B, H]
        cols = mag.amax(dim=2).amax(dim=1) > 0  # [B, W]
        top, bottom = _symmetric(*_edge_runs(rows))
        left, right = _symmetric(*_edge_runs(cols))
        # One padded axis: the one with more padding (rows on a tie).
        use_rows = (top + bottom >= left + right).to(images.dtype)
        top, bottom = top * use_rows, bottom * use_rows
        left, right = left * (1 - use_rows), right * (1 - use_rows)
        y = torch.arange(h, dtype=torch.float32, device=images.device).unsqueeze(0)
        x = torch.arange(w, dtype=torch.float32, device=images.device).unsqueeze(0)
        pad_rows = (y < top.unsqueeze(1)) | (y >= (h - bottom).unsqueeze(1))  # [B, H]
        pad_cols = (x < left.unsqueeze(1)) | (x >= (w - right).unsqueeze(1))  # [B, W]
        pad = pad_rows.unsqueeze(2) | pad_cols.unsqueeze(1)  # [B, H, W]
        fill = torch.tensor(FILL, dtype=images.dtype, device=images.device)
        filled = torch.where(pad.unsqueeze(1), fill, images)
        area = torch.stack((left, top, w - right, h - bottom), dim=1)
        return filled, area


def clip_to_area(boxes: torch.Tensor, area: torch.Tensor) -> torch.Tensor:
    """boxes [B, N, 4] x1, y1, x2, y2 clipped to area [B, 4] (Ultralytics' clip_boxes, in input
    pixels)."""
    lo = torch.cat((area[:, 0:2], area[:, 0:2]), dim=1).unsqueeze(1)
    hi = torch.cat((area[:, 2:4], area[:, 2:4]), dim=1).unsqueeze(1)
    return torch.minimum(torch.maximum(boxes, lo), hi)
