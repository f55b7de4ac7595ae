"""DS7xx: alpr-gen's OCR parser settings (ocr_parser.cfg)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from alpr_gen.configset import ConfigSet
from alpr_gen.configset.values import glib_bool
from alpr_gen.deepstream.facts import OCR_PARSER as OCR_PARSER_FUNC
from alpr_gen.deepstream.layout import OCR_PARSER_CONFIG as OCR_CONFIG_NAME
from alpr_gen.next_steps import render_advice
from alpr_gen.validate.findings import Severity
from alpr_gen.validate.rules import Hit, hit, rule


@rule("DS701", Severity.ERROR, "OCR SGIE without ocr_parser.cfg in the working directory")
def ocr_config_missing(cs: ConfigSet) -> Iterator[Hit]:
    if cs.ocr_file is not None:
        return
    for gie in cs.gies:
        if gie.enabled and gie.is_ocr:
            found = gie.setting("parse-classifier-func-name")
            yield hit(
                found.file if found else cs.app,
                found.line if found else 0,
                "property",
                "parse-classifier-func-name",
                f"{OCR_PARSER_FUNC} reads {OCR_CONFIG_NAME} from deepstream-app's working "
                "directory (the bundle dir) and it is not there: the parser returns no "
                f"plates; render it: {render_advice(cs.site, cs.logical_root)}",
            )
            return


@rule("DS702", Severity.ERROR, "ocr_parser.cfg without [ocr-parser] dictionary")
def ocr_dictionary_key(cs: ConfigSet) -> Iterator[Hit]:
    src = cs.ocr_file
    if src is None or src.keyfile is None:
        return
    group = src.keyfile.group("ocr-parser")
    if group is None or not group.get("dictionary"):
        line = group.line if group else 1
        yield hit(
            src,
            line,
            "ocr-parser",
            "dictionary",
            "the OCR parser needs [ocr-parser] dictionary=<file, one character a line>",
        )


# The OCR parser's limits on formats= (custom_parsers/src/ocr_parser.cpp, loadConfig).
_FORMAT_RE = re.compile(r"[LDA]{1,32}")
_MAX_FORMATS = 16


@rule("DS703", Severity.ERROR, "ocr_parser.cfg formats/formats-strict the OCR parser refuses")
def ocr_formats(cs: ConfigSet) -> Iterator[Hit]:
    src = cs.ocr_file
    if src is None or src.keyfile is None:
        return
    group = src.keyfile.group("ocr-parser")
    if group is None:
        return
    value = group.get("formats")
    if value is not None:
        items = [item.strip() for item in value.split(";")]
        bad = [item for item in items if not _FORMAT_RE.fullmatch(item)]
        if bad or len(items) > _MAX_FORMATS:
            why = (
                f"'{bad[0]}' is not 1..32 of L (letter), D (digit), A (either)"
                if bad
                else f"{len(items)} formats, at most {_MAX_FORMATS}"
            )
            yield hit(
                src,
                group.line_of("formats"),
                "ocr-parser",
                "formats",
                f"formats: {why}; the OCR parser refuses the file and returns no plates",
            )
    if glib_bool(group.get("formats-strict")) and value is None:
        yield hit(
            src,
            group.line_of("formats-strict"),
            "ocr-parser",
            "formats-strict",
            "formats-strict=1 without formats=...: the OCR parser refuses the file",
        )
