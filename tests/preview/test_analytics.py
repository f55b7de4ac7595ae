"""nvdsanalytics: the config as nvdsanalytics_property_parser.cpp reads it, and the rules."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from alpr_gen.configset.analytics import analytics
from alpr_gen.configset.files import FileKind, read_config_file
from alpr_gen.preview.analytics import AnalyticsStage, segments_intersect
from alpr_gen.preview.meta import FrameMeta, ObjectMeta

CONFIG = """\
[property]
enable=1
config-width=640
config-height=360

[line-crossing-stream-0]
enable=1
line-crossing-entry=320;150;320;250;50;200;590;200
class-id=0

[line-crossing-stream-1]
enable=1
extended=0
mode=strict
line-crossing-short=320;150;320;250;300;200;340;200

[roi-filtering-stream-0]
enable=1
roi-gate=0;0;320;0;320;360;0;360

[direction-detection-stream-0]
enable=1
direction-south=0;0;0;10
direction-east=0;0;10;0
"""


def view_of(tmp_path: Path, text: str = CONFIG):
    path = tmp_path / "analytics.txt"
    path.write_text(text)
    view = analytics(read_config_file(FileKind.ANALYTICS, "analytics.txt", path, path))
    assert view is not None
    return view


def test_parser_defaults(tmp_path: Path) -> None:
    v = view_of(tmp_path)
    entry, short = v.lines
    # nvdsanalytics_property_parser.cpp: extended defaults to TRUE, line mode to loose
    assert entry.extended is True and entry.mode == "loose" and entry.class_ids == (0,)
    assert short.extended is False and short.mode == "strict" and short.stream == 1
    assert entry.direction == ((320, 150), (320, 250)) and entry.line == ((50, 200), (590, 200))
    assert v.directions[0].mode == "balanced"  # direction detection defaults to balanced
    assert v.rois[0].points[2] == (320, 360)


def test_bad_rule_is_dropped_with_a_reason(tmp_path: Path) -> None:
    v = view_of(tmp_path, "[property]\nenable=1\n[line-crossing-stream-0]\nenable=1\n"
                          "line-crossing-x=1;2;3\n")  # fmt: skip
    assert v.lines == () and "line-crossing-x" in v.problems[0]


def track(stage: AnalyticsStage, stream: int, path: list[tuple[float, float]], cls: int = 0):
    """Feed a box whose bottom centre follows `path` (frame space: 2x the config space)."""
    crossings = []
    for i, (x, y) in enumerate(path):
        o = ObjectMeta(cls, "vehicle", x - 20, y - 40, 40, 40, 0.9, 1, object_id=5)
        f = FrameMeta(stream, i, i / 15, np.zeros((720, 1280, 3), np.uint8), 1280, 720, 0.0, [o])
        crossings += stage.process(f)
    return crossings, o


def test_line_crossed_once_in_its_direction(tmp_path: Path) -> None:
    stage = AnalyticsStage(view_of(tmp_path), (1280, 720))  # config space scaled x2
    down = [(640, 380 + 5 * i) for i in range(12)]  # crosses y=400 going down
    found, _ = track(stage, 0, down)
    assert [(c.label, c.object_id) for c in found] == [("entry", 5)]
    assert found[0].direction == (0.0, 200.0)  # the configured vector, in frame space
    again, _ = track(stage, 0, [(640, 380 + 5 * i) for i in range(12)])
    assert again == []  # each object counts once per line


def test_wrong_direction_and_class_do_not_count(tmp_path: Path) -> None:
    up = [(640, 420 - 5 * i) for i in range(12)]
    assert track(AnalyticsStage(view_of(tmp_path), (1280, 720)), 0, up)[0] == []
    down = [(640, 380 + 5 * i) for i in range(12)]
    assert track(AnalyticsStage(view_of(tmp_path), (1280, 720)), 0, down, cls=1)[0] == []


def test_segment_versus_extended_line(tmp_path: Path) -> None:
    far = [(100, 380 + 5 * i) for i in range(12)]  # x=100: outside the short segment 600..680
    assert track(AnalyticsStage(view_of(tmp_path), (1280, 720)), 1, far)[0] == []
    near = [(640, 380 + 5 * i) for i in range(12)]
    assert len(track(AnalyticsStage(view_of(tmp_path), (1280, 720)), 1, near)[0]) == 1
    assert segments_intersect((0, -1), (0, 1), (5, 0), (9, 0), extended=True)
    assert not segments_intersect((0, -1), (0, 1), (5, 0), (9, 0), extended=False)


def test_strict_mode_refuses_a_diagonal_crossing(tmp_path: Path) -> None:
    diagonal = [(600 + 4 * i, 380 + 4 * i) for i in range(12)]  # 45 deg off the direction
    assert track(AnalyticsStage(view_of(tmp_path), (1280, 720)), 1, diagonal)[0] == []


def test_roi_and_direction(tmp_path: Path) -> None:
    stage = AnalyticsStage(view_of(tmp_path), (1280, 720))
    _, o = track(stage, 0, [(100, 300 + 3 * i) for i in range(12)])
    assert o.rois == ["gate"] and o.direction == "south"
    _, o = track(AnalyticsStage(view_of(tmp_path), (1280, 720)), 0,
                 [(700 + 5 * i, 300) for i in range(12)])  # fmt: skip
    assert o.rois == [] and o.direction == "east"


@pytest.mark.parametrize("enable", ["0", "true", ""])
def test_rules_need_enable_1(tmp_path: Path, enable: str) -> None:
    text = CONFIG.replace(
        "[line-crossing-stream-0]\nenable=1", f"[line-crossing-stream-0]\nenable={enable}"
    )
    stage = AnalyticsStage(view_of(tmp_path, text), (1280, 720))
    down = [(640, 380 + 5 * i) for i in range(12)]
    # g_key_file_get_boolean: "true" enables, "0" and "" do not
    assert bool(track(stage, 0, down)[0]) == (enable == "true")
