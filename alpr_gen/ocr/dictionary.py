"""The OCR dictionary: which character each non-blank class index stands for.

File format (what `NvDsInferParseAlprOcr` reads): UTF-8, one entry per line, in class order with
the CTC blank left out; only "\\n" / "\\r\\n" are stripped, so a line holding one space is the space
class. Class k maps to line k when k < blank, line k - 1 when k > blank.
"""

from __future__ import annotations

from pathlib import Path

from alpr_gen.errors import ExportError
from alpr_gen.fsutil import os_reason, read_bounded


def read_dictionary(path: Path) -> list[str]:
    """Read a dictionary file (PaddleOCR's `ppocr_keys_v1.txt`, LPRNet's `dict.txt`)."""
    try:
        raw = read_bounded(path)  # a FIFO or /dev/zero is refused, never read forever
    except OSError as exc:
        raise ExportError(f"{path}: cannot read the dictionary: {os_reason(exc)}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ExportError(f"{path}: byte {exc.start}: the dictionary is not UTF-8") from None
    entries = text.split("\n")
    if entries and entries[-1] == "":
        entries.pop()  # the final newline ends the last line, it does not start an entry
    entries = [e[:-1] if e.endswith("\r") else e for e in entries]
    validate_entries(entries, str(path))
    return entries


def validate_entries(entries: list[str], where: str) -> None:
    """Entries must be non-empty single lines (an empty line would shift every later class)."""
    if not entries:
        raise ExportError(f"{where}: the dictionary is empty")
    for lineno, entry in enumerate(entries, start=1):
        if entry == "":
            raise ExportError(
                f"{where}:{lineno}: empty dictionary entry",
                hint="every line is one class; remove blank lines (the CTC blank is not listed)",
            )


def dictionary_text(entries: list[str]) -> str:
    """The file text for `entries` (inverse of `read_dictionary`)."""
    validate_entries(entries, "dictionary")
    for entry in entries:
        if "\n" in entry or "\r" in entry:
            raise ExportError(f"dictionary entry {entry!r} contains a line break")
    return "\n".join(entries) + "\n"


def class_to_entry(num_classes: int, blank_index: int) -> list[int | None]:
    """For each class index, the dictionary line it maps to (None for the blank)."""
    table: list[int | None] = []
    for k in range(num_classes):
        if k == blank_index:
            table.append(None)
        else:
            table.append(k if k < blank_index else k - 1)
    return table
