"""One file of a config set, read once, bounded, never followed into anything but a regular file.

Reading never raises on bad input: what cannot be read (missing, not a regular file, too big,
not UTF-8, CR-only line endings, a tracker YAML past its limits) is kept as `error` (or
`yaml_error`) for validate to report and the other commands to refuse.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

from alpr_gen import yaml_bounded
from alpr_gen.deepstream.keyfile import KeyFile, parse_keyfile
from alpr_gen.fsutil import MAX_TEXT_BYTES, os_reason, read_bounded, text_problem

if TYPE_CHECKING:
    import yaml

# DeepStream's configs are a few KB; a label file of 10k classes is ~100 KB (fsutil's limit).
MAX_CONFIG_BYTES = MAX_TEXT_BYTES
# A tracker YAML holds a few dozen keys: these bounds leave room and stop an alias bomb.
_TRACKER_LIMITS = yaml_bounded.Limits(depth=16, values=20_000)


class FileKind(str, Enum):
    APP = "app"
    NVINFER = "nvinfer"
    ANALYTICS = "analytics"
    MSGCONV = "msgconv"
    BROKER = "broker"
    TRACKER = "tracker"
    LABELS = "labels"
    OCR = "ocr"
    MUX = "mux"
    UNCHECKED = "unchecked"  # a YAML element config or an nvinferserver file: not linted

    @property
    def is_keyfile(self) -> bool:
        return self not in (FileKind.TRACKER, FileKind.LABELS, FileKind.UNCHECKED)


@dataclass(eq=False)
class ConfigFile:
    """One file of the set as read."""

    kind: FileKind
    rel: str  # display path (relative to the set's root when inside it)
    logical: Path  # where DeepStream will see it
    real: Path  # where it was read from
    text: str | None = None
    keyfile: KeyFile | None = None
    adaptor: str | None = None  # broker cfg: kafka / mqtt / amqp / redis
    error: str | None = None  # could not be read / decoded
    yaml_root: yaml.Node | None = None  # tracker: the composed YAML node tree
    yaml_error: tuple[int, str] | None = None
    extra: dict[str, str] = field(default_factory=dict)
    # Holds credentials: a broker cfg, or a file only its owner may read (render writes those
    # 0600). Findings never quote its lines.
    private: bool = False


def read_config_file(kind: FileKind, rel: str, logical: Path, real: Path) -> ConfigFile:
    out = ConfigFile(kind, rel, logical, real)
    try:
        data = read_bounded(real)
        out.private = kind is FileKind.BROKER or os.stat(real).st_mode & 0o077 == 0
    except OSError as exc:
        out.error = os_reason(exc)
        return out
    problem = text_problem(data)
    if problem:
        out.error = problem
        return out
    out.text = data.decode("utf-8")
    if kind.is_keyfile or kind is FileKind.LABELS:
        # GLib (and nvinfer's label reader) split lines on "\n" only: a file saved with
        # classic-Mac line endings is one long line, and GLib then reads zero groups.
        stray = _lone_cr_line(out.text)
        if stray:
            out.error = (
                f"line {stray}: a CR line ending without LF (classic Mac): DeepStream reads the "
                "file as one line; save it with LF (or CRLF) line endings"
            )
            out.text = None
            return out
    if kind.is_keyfile:
        out.keyfile = parse_keyfile(out.text, real)
    elif kind is FileKind.TRACKER:
        _compose_yaml(out)
    return out


def _lone_cr_line(text: str) -> int | None:
    """The line of the first CR that is not part of a CRLF, if any."""
    i = text.find("\r")
    while i != -1:
        if not text.startswith("\n", i + 1):
            return text.count("\n", 0, i) + 1
        i = text.find("\r", i + 1)
    return None


def _compose_yaml(src: ConfigFile) -> None:
    import re

    assert src.text is not None
    # NVIDIA's tracker files start with the OpenCV-style `%YAML:1.0`, which the low-level
    # library accepts and PyYAML does not: blank it (keeping line numbers).
    text = re.sub(r"\A%YAML:[^\n]*", "", src.text)
    try:
        root = yaml_bounded.compose(text)
        yaml_bounded.check(root, limits=_TRACKER_LIMITS)
    except yaml_bounded.YamlProblem as exc:
        src.yaml_error = (exc.line, exc.problem)
        return
    src.yaml_root = root
