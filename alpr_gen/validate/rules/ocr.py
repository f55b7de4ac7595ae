"""DS7xx: alpr-gen's OCR parser settings (ocr_parser.cfg)."""

from __future__ import annotations

from collections.abc import Iterator

from alpr_gen.validate.findings import Severity
from alpr_gen.validate.loader import ConfigSet, is_ocr_gie
from alpr_gen.validate.rules import Hit, hit, rule
from alpr_gen.validate.schema import OCR_CONFIG_NAME, OCR_PARSER_FUNC


@rule("DS701", Severity.ERROR, "OCR SGIE without ocr_parser.cfg in the working directory")
def ocr_config_missing(cs: ConfigSet) -> Iterator[Hit]:
    if cs.ocr is not None:
        return
    for gie in cs.gies:
        if gie.enabled and is_ocr_gie(gie):
            _, src, line = gie.value("parse-classifier-func-name")
            yield hit(
                src or cs.app,
                line,
                "property",
                "parse-classifier-func-name",
                f"{OCR_PARSER_FUNC} reads {OCR_CONFIG_NAME} from deepstream-app's working "
                "directory (the bundle dir) and it is not there: the parser returns no "
                "plates; render it with `alpr-gen render`",
            )
            return


@rule("DS702", Severity.ERROR, "ocr_parser.cfg without [ocr-parser] dictionary")
def ocr_dictionary_key(cs: ConfigSet) -> Iterator[Hit]:
    src = cs.ocr
    if src is None or src.kf is None:
        return
    group = src.kf.group("ocr-parser")
    if group is None or not group.get("dictionary"):
        line = group.line if group else 1
        yield hit(
            src,
            line,
            "ocr-parser",
            "dictionary",
            "the OCR parser needs [ocr-parser] dictionary=<file, one character a line>",
        )
