"""One file of a config set, read once, bounded, never followed into anything but a regular file.

Reading never raises on bad input: what cannot be read (missing, not a regular file, too big,
not UTF-8) is kept as `error` for validate to report and the other commands to refuse.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

from alpr_gen.deepstream.keyfile import KeyFile, parse_keyfile

if TYPE_CHECKING:
    import yaml

# DeepStream's configs are a few KB; a label file of 10k classes is ~100 KB. Anything this big is
# not a config (a device node, a model renamed .txt) and is not read into memory.
MAX_CONFIG_BYTES = 4 * 1024 * 1024


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


def read_bounded(path: Path, limit: int = MAX_CONFIG_BYTES) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; OSError (with a reason) otherwise.

    stat() first: open() on a FIFO blocks forever and /dev/zero never ends.
    """
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        raise OSError(f"{path}: not a regular file")
    with open(path, "rb") as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise OSError(f"{path}: larger than {limit // (1024 * 1024)} MiB; not a config file")
    return data


def read_config_file(kind: FileKind, rel: str, logical: Path, real: Path) -> ConfigFile:
    out = ConfigFile(kind, rel, logical, real)
    try:
        data = read_bounded(real)
    except OSError as exc:
        out.error = exc.strerror or str(exc)
        return out
    try:
        out.text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        out.error = f"not UTF-8 text ({exc.reason} at byte {exc.start})"
        return out
    if "\x00" in out.text:
        out.error = "contains a NUL byte (binary, or UTF-16 text); save it as UTF-8"
        out.text = None
        return out
    if kind.is_keyfile:
        out.keyfile = parse_keyfile(out.text, real)
    elif kind is FileKind.TRACKER:
        _compose_yaml(out)
    return out


def _compose_yaml(src: ConfigFile) -> None:
    import re

    import yaml

    assert src.text is not None
    # NVIDIA's tracker files start with the OpenCV-style `%YAML:1.0`, which the low-level
    # library accepts and PyYAML does not: blank it (keeping line numbers).
    text = re.sub(r"\A%YAML:[^\n]*", "", src.text)
    try:
        src.yaml_root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else 0
        src.yaml_error = (line, str(getattr(exc, "problem", None) or exc))
    except RecursionError:
        src.yaml_error = (0, "nested too deeply")
