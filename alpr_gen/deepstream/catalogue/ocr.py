"""ocr_parser.cfg: settings of alpr-gen's OCR parser (NvDsInferParseAlprOcr), found through
ALPR_OCR_CONFIG or in deepstream-app's working directory (the bundle dir)."""

from __future__ import annotations

from alpr_gen.deepstream.catalogue import GroupSpec, Key, PathKind, T

OCR_GROUPS: list[GroupSpec] = [
    GroupSpec(
        "ocr-parser",
        r"ocr-parser",
        {
            "dictionary": Key(
                T.PATH, "one character per line (relative to this file)", path=PathKind.ARTIFACT
            ),
            "blank-index": Key(T.INT, "CTC blank class; -1 = the last (LPRNet)", lo=-1),
            "min-length": Key(T.INT, "shortest plate emitted", lo=1),
            "charset": Key(T.STR, "characters kept"),
            "confidence": Key(T.STR, "plate score", choices={"min": "", "product": "", "mean": ""}),
            "uppercase": Key(T.BOOL, "a-z read as A-Z before the charset filter", default="1"),
            "substitutions": Key(T.STR, "read characters as others: O:0;I:1"),
            "formats": Key(T.STR, "plate formats of L/D/A, ';'-separated: LLLDDDD;LLDDLLL"),
            "formats-strict": Key(T.BOOL, "drop a plate that fits no format", default="0"),
        },
        "alpr-gen OCR parser",
    )
]
