"""The in-graph letterbox step (alpr_gen.export.letterbox) on nvinfer's own tensors, and why the
rendered PGIE sets crop-objects-to-roi-boundary=1 with it."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from alpr_gen.export.letterbox import FILL, PaddingFill, clip_to_area  # noqa: E402
from alpr_gen.nvinfer.geometry import boxes_to_frame, frame_filter, scale_geometry  # noqa: E402
from alpr_gen.nvinfer.preprocess import preprocess  # noqa: E402
from alpr_gen.nvinfer.settings import ClassAttrs, PreprocessSpec  # noqa: E402

NET = 640
SPEC = PreprocessSpec(NET, NET, net_scale_factor=1 / 255, maintain_aspect_ratio=True,
                      symmetric_padding=True, scaling_filter=1)  # fmt: skip
SIZES = [(1280, 720), (1920, 1080), (640, 480), (720, 1280), (1366, 768), (1281, 721),
         (853, 479), (480, 854), (640, 640), (3840, 100), (100, 3000)]  # fmt: skip


def _frame(w: int, h: int, seed: int = 0) -> np.ndarray:
    # values 1..255: no pixel of the frame itself is black
    return np.random.default_rng(seed).integers(1, 256, (h, w, 3), dtype=np.uint8)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_finds_nvinfers_padding_exactly(size: tuple[int, int]) -> None:
    item = preprocess(_frame(*size), SPEC)
    g = item.geometry
    filled, area = PaddingFill()(torch.from_numpy(item.tensor[None]))
    assert area[0].tolist() == [g.offset_left, g.offset_top, g.offset_left + g.width,
                                g.offset_top + g.height]  # fmt: skip
    out = filled[0].numpy()
    inside = (slice(None), slice(g.offset_top, g.offset_top + g.height),
              slice(g.offset_left, g.offset_left + g.width))  # fmt: skip
    np.testing.assert_array_equal(out[inside], item.tensor[inside])
    pad = np.ones(out.shape[1:], bool)
    pad[inside[1:]] = False
    assert (out[:, pad] == np.float32(FILL)).all()


def test_batch_items_have_their_own_geometry() -> None:
    items = [preprocess(_frame(*s, seed=i), SPEC) for i, s in enumerate(SIZES[:4])]
    _filled, area = PaddingFill()(torch.from_numpy(np.stack([i.tensor for i in items])))
    for row, item in zip(area.tolist(), items, strict=True):
        g = item.geometry
        assert row == [
            g.offset_left,
            g.offset_top,
            g.offset_left + g.width,
            g.offset_top + g.height,
        ]


def test_black_edges_of_the_image_itself() -> None:
    """Black rows at one edge only are image (nvinfer pads both sides, the second by at most
    one more); pillarbox bars across the unpadded axis are image; a black frame is filled."""
    fill = PaddingFill()
    frame = _frame(1280, 720)
    frame[:40] = 0  # the frame's own top rows are black
    item = preprocess(frame, SPEC)
    _f, area = fill(torch.from_numpy(item.tensor[None]))
    assert area[0].tolist() == [0, 140, 640, 500]
    frame = _frame(1280, 720)
    frame[:, :160] = 0  # a 4:3 picture pillarboxed in a 16:9 frame: the bars are image
    frame[:, -160:] = 0
    item = preprocess(frame, SPEC)
    filled, area = fill(torch.from_numpy(item.tensor[None]))
    assert area[0].tolist() == [0, 140, 640, 500]
    assert (filled[0, :, 200, :80] == 0).all()  # the bars stay black
    black = preprocess(np.zeros((720, 1280, 3), np.uint8), SPEC)
    filled, _area = fill(torch.from_numpy(black.tensor[None]))
    assert (filled == np.float32(FILL)).all()


def test_clip_to_area() -> None:
    boxes = torch.tensor([[[-30.0, 100.0, 50.0, 600.0], [10.0, 150.0, 20.0, 160.0]]])
    area = torch.tensor([[0.0, 140.0, 640.0, 500.0]])
    assert clip_to_area(boxes, area).tolist() == [[[0, 140, 50, 500], [10, 150, 20, 160]]]


@pytest.mark.parametrize("size", SIZES[:8], ids=lambda s: f"{s[0]}x{s[1]}")
def test_clipped_boxes_survive_nvinfers_attach_only_with_crop(size: tuple[int, int]) -> None:
    """Boxes ending at the image's bottom edge in the input, scaled back by nvinfer in float,
    can end a float ulp below the frame: attach_metadata_detector then drops them, unless
    crop-objects-to-roi-boundary=1, which crops them to the frame (the rendered setting)."""
    w, h = size
    g = scale_geometry(w, h, NET, NET, maintain_aspect_ratio=True, symmetric_padding=True)
    rng = np.random.default_rng(1)
    n = 4000
    y1 = rng.uniform(g.offset_top, g.offset_top + g.height - 2, n).astype(np.float32)
    x1 = rng.uniform(g.offset_left, g.offset_left + g.width - 2, n).astype(np.float32)
    x2, y2 = np.float32(g.offset_left + g.width), np.float32(g.offset_top + g.height)
    dets = np.stack([x1, y1, x2 - x1, y2 - y1, np.ones(n), np.zeros(n)], 1).astype(np.float32)
    frame = boxes_to_frame(dets, g)
    attrs = lambda _c: ClassAttrs()  # noqa: E731
    cropped = frame_filter(frame, attrs, (w, h), crop_objects_to_roi_boundary=True)
    assert len(cropped) == n
    assert (cropped[:, 1] + cropped[:, 3] <= np.float32(h)).all()
    np.testing.assert_allclose(cropped[:, 1] + cropped[:, 3], g.src_height, atol=1e-3)
    dropped = n - len(frame_filter(frame, attrs, (w, h)))
    print(f"{w}x{h}: {dropped / n:.2%} dropped without crop-objects-to-roi-boundary")


def test_some_geometries_drop_edge_boxes_without_crop() -> None:
    lost = 0
    for w, h in SIZES[:8]:
        g = scale_geometry(w, h, NET, NET, maintain_aspect_ratio=True, symmetric_padding=True)
        y1 = np.linspace(g.offset_top, g.offset_top + g.height - 2, 2000, dtype=np.float32)
        y2 = np.float32(g.offset_top + g.height)
        dets = np.stack([np.full_like(y1, 10), y1, np.full_like(y1, 5), y2 - y1,
                         np.ones_like(y1), np.zeros_like(y1)], 1)  # fmt: skip
        lost += 2000 - len(frame_filter(boxes_to_frame(dets, g), lambda _c: ClassAttrs(), (w, h)))
    assert lost > 0
