"""The nvdsanalytics config file."""

from __future__ import annotations

from alpr_gen.deepstream.catalogue import FLAG, GroupSpec, Key, T

_POINTS = Key(T.INT_LIST, "x;y;... (>= 3 points)", lo=0)
ANALYTICS_GROUPS: list[GroupSpec] = [
    GroupSpec(
        "property",
        r"property",
        {
            "enable": Key(T.FLAG, "required", lo=0, hi=1),
            "config-width": Key(T.INT, "coordinate space width (required)", lo=1),
            "config-height": Key(T.INT, "coordinate space height (required)", lo=1),
            "osd-mode": Key(T.INT, "0 none, 1 lines only, 2 all", lo=0, hi=2),
            "display-font-size": Key(T.INT, "pt", lo=1),
            "obj-cnt-win-in-ms": Key(T.INT, "ms", lo=1),
            "display-obj-cnt": FLAG,
        },
        "nvdsanalytics settings",
    ),
    GroupSpec(
        "roi-filtering-stream-N",
        r"roi-filtering-stream-\d+",
        {"enable": FLAG, "class-id": Key(T.INT_LIST, "-1 all"), "inverse-roi": FLAG},
        "ROI filter for source N",
        prefix_keys={"roi-": _POINTS},
    ),
    GroupSpec(
        "overcrowding-stream-N",
        r"overcrowding-stream-\d+",
        {
            "enable": FLAG,
            "class-id": Key(T.INT_LIST, "-1 all"),
            "object-threshold": Key(T.INT, "objects", lo=1),
            "time-threshold": Key(T.INT, "ms", lo=0),
        },
        "overcrowding for source N",
        prefix_keys={"roi-": _POINTS},
    ),
    GroupSpec(
        "line-crossing-stream-N",
        r"line-crossing-stream-\d+",
        {
            "enable": FLAG,
            "class-id": Key(T.INT_LIST, "-1 all"),
            "extended": Key(T.INT, "0 segment, 1 infinite line", lo=0, hi=1),
            "mode": Key(
                T.STR,
                "loose, balanced, strict",
                choices={"loose": "", "balanced": "", "strict": ""},
            ),
        },
        "line crossing for source N",
        prefix_keys={
            "line-crossing-": Key(T.INT_LIST, "dx1;dy1;dx2;dy2;x1;y1;x2;y2", lo=0, length=(8, 8))
        },
    ),
    GroupSpec(
        "direction-detection-stream-N",
        r"direction-detection-stream-\d+",
        {
            "enable": FLAG,
            "class-id": Key(T.INT_LIST, "-1 all"),
            "mode": Key(
                T.STR,
                "loose, balanced, strict",
                choices={"loose": "", "balanced": "", "strict": ""},
            ),
        },
        "direction detection for source N",
        prefix_keys={"direction-": Key(T.INT_LIST, "x1;y1;x2;y2", lo=0, length=(4, 4))},
    ),
]
