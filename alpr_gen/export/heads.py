"""The two output heads, as torch modules wrapped around Ultralytics' detection model.

Both heads output one tensor named `boxes` whose rows are the same six floats, in network-input
pixels (the letterboxed `imgsz` x `imgsz` image nvinfer feeds the network):

    x1, y1, x2, y2, score, class

- `deepstream`: [batch, anchors, 6], one row per anchor (8400 at 640). score is the best class
  score (already a sigmoid), class its index as a float. nvinfer's parser keeps rows above
  pre-cluster-threshold and nvinfer clusters them (cluster-mode=2).
- `end2end`: [batch, topk, 6], class-aware non-maximum suppression inside the graph (ONNX
  NonMaxSuppression, TensorRT's INMSLayer on the GPU), best first, rows past the last detection are
  all zeros. nvinfer does no clustering (cluster-mode=4).

Ultralytics' raw output is [batch, 4 + nc, anchors] = cx, cy, w, h, class scores.

With `pad_fill` (the default) both heads first give the model Ultralytics' letterbox: nvinfer's
black padding becomes 114/255 and the boxes are clipped to the image inside the input
(alpr_gen.export.letterbox); end2end clips after its NMS, as Ultralytics does.
"""

from __future__ import annotations

import torch
from torch import nn
from torchvision.ops import nms  # imported here: importing it while tracing breaks the trace

from alpr_gen.export.letterbox import PaddingFill, clip_to_area

OUTPUT_NAME = "boxes"
INPUT_NAME = "images"


def split_raw(raw: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """[B, 4+nc, A] -> boxes xyxy [B, A, 4], best score [B, A], best class [B, A] (int64)."""
    pred = raw.transpose(1, 2)
    cxcy, wh, cls = pred[..., 0:2], pred[..., 2:4], pred[..., 4:]
    half = wh / 2
    boxes = torch.cat((cxcy - half, cxcy + half), dim=-1)
    score, label = cls.max(dim=-1)
    return boxes, score, label


class DeepStreamHead(nn.Module):
    """raw [B, 4+nc, A] -> boxes [B, A, 6]."""

    def __init__(self, model: nn.Module, pad_fill: bool = True) -> None:
        super().__init__()
        self.model = model
        self.fill = PaddingFill() if pad_fill else None

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        if self.fill is not None:
            images, area = self.fill(images)
        boxes, score, label = split_raw(_raw(self.model(images)))
        if self.fill is not None:
            boxes = clip_to_area(boxes, area)
        return torch.cat((boxes, score.unsqueeze(-1), label.unsqueeze(-1).to(boxes.dtype)), dim=-1)


class _NonMaxSuppression(torch.autograd.Function):
    """ONNX NonMaxSuppression when traced; the same selection computed with torchvision in eager.

    Returns selected indices [N, 3] = (batch, class, anchor), ordered like the ONNX operator: by
    batch, then class, then score descending.
    """

    @staticmethod
    def forward(
        ctx: object,
        boxes: torch.Tensor,
        scores: torch.Tensor,
        max_per_class: torch.Tensor,
        iou: torch.Tensor,
        conf: torch.Tensor,
    ) -> torch.Tensor:
        k, iou_t, conf_t = int(max_per_class.item()), float(iou.item()), float(conf.item())
        rows = []
        for b in range(scores.shape[0]):
            for c in range(scores.shape[1]):
                s = scores[b, c]
                idx = torch.nonzero(s > conf_t).flatten()
                keep = idx[nms(boxes[b, idx], s[idx], iou_t)][:k]
                col = torch.full_like(keep, b), torch.full_like(keep, c), keep
                rows.append(torch.stack(col, dim=1))
        if not rows:
            return torch.zeros((0, 3), dtype=torch.int64)
        return torch.cat(rows).to(torch.int64)

    @staticmethod
    def symbolic(g, boxes, scores, max_per_class, iou, conf):  # type: ignore[no-untyped-def]
        return g.op("NonMaxSuppression", boxes, scores, max_per_class, iou, conf)


class End2EndHead(nn.Module):
    """raw [B, 4+nc, A] -> boxes [B, topk, 6] after class-aware NMS."""

    def __init__(
        self, model: nn.Module, topk: int, conf: float, iou: float, nc: int, pad_fill: bool = True
    ) -> None:
        super().__init__()
        self.model = model
        self.fill = PaddingFill() if pad_fill else None
        self.topk = topk
        self.nc = nc
        self.register_buffer("max_per_class", torch.tensor([topk], dtype=torch.int64))
        self.register_buffer("iou", torch.tensor([iou], dtype=torch.float32))
        self.register_buffer("conf", torch.tensor([conf], dtype=torch.float32))

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        if self.fill is not None:
            images, area = self.fill(images)
        boxes, score, label = split_raw(_raw(self.model(images)))
        n_anchors = boxes.shape[1]
        # Per-class scores holding only each anchor's best class: the operator's per-class NMS is
        # then Ultralytics' class-aware NMS on the best class, with no coordinate offset trick
        # (an offset of class x 7680 px would cost precision in an fp16 engine).
        if self.nc == 1:
            cls_scores = score.unsqueeze(1)
        else:
            classes = torch.arange(self.nc, device=label.device).view(1, -1, 1)
            cls_scores = score.unsqueeze(1) * (label.unsqueeze(1) == classes).to(score.dtype)
        sel = _NonMaxSuppression.apply(boxes, cls_scores, self.max_per_class, self.iou, self.conf)
        flat = sel[:, 0] * n_anchors + sel[:, 2]
        flat_score = score.reshape(-1)
        # Kept anchors carry their score, the rest 0 (kept scores are > conf >= 0): a fixed-size
        # top-k over the anchors then yields the detections best first, zero rows after them.
        kept = torch.zeros_like(flat_score).index_put((flat,), flat_score[flat]).view_as(score)
        k = min(self.topk, n_anchors)
        top_score, top_idx = kept.topk(k, dim=1)
        top_boxes = boxes.gather(1, top_idx.unsqueeze(-1).expand(-1, -1, 4))
        if self.fill is not None:  # after the NMS, as Ultralytics clips after its NMS
            top_boxes = clip_to_area(top_boxes, area)
        top_label = label.gather(1, top_idx).to(boxes.dtype)
        valid = (top_score > 0).to(boxes.dtype).unsqueeze(-1)
        out = torch.cat((top_boxes, top_score.unsqueeze(-1), top_label.unsqueeze(-1)), dim=-1)
        return out * valid


def _raw(pred: torch.Tensor | tuple[torch.Tensor, ...] | list[torch.Tensor]) -> torch.Tensor:
    """Ultralytics returns the tensor alone in export mode and (tensor, extras) otherwise."""
    return pred[0] if isinstance(pred, (tuple, list)) else pred
