"""Read GLib key files (DeepStream's INI dialect) keeping line numbers.

Used by `validate` and `run` so both read configs from disk exactly as DeepStream would:
`[group]` headers, `key=value` lines, `#` comments, blank lines. GLib strips whitespace around
the key and at the start of the value, and keeps it at the end of the value (`model.onnx ` names
a file with a space: nvinfer will not find `model.onnx`); lists are `;`-separated with an optional
trailing `;`.
Duplicate keys: the last one wins (GLib's behaviour), and the reader records the earlier ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

# g_ascii_isspace: what GLib skips before a line, after a key and before a value.
_GLIB_SPACE = " \t\n\r\f\v"


@dataclass
class Entry:
    key: str
    value: str
    line: int


@dataclass
class Group:
    name: str
    line: int
    entries: dict[str, Entry] = field(default_factory=dict)
    duplicates: list[Entry] = field(default_factory=list)

    def get(self, key: str, default: str | None = None) -> str | None:
        entry = self.entries.get(key)
        return entry.value if entry else default

    def line_of(self, key: str) -> int:
        entry = self.entries.get(key)
        return entry.line if entry else self.line


@dataclass
class KeyFile:
    path: Path
    groups: dict[str, Group] = field(default_factory=dict)
    # Lines GLib would reject (text outside a group, a line with no '='): (line, text).
    bad_lines: list[tuple[int, str]] = field(default_factory=list)
    duplicate_groups: list[Group] = field(default_factory=list)

    def group(self, name: str) -> Group | None:
        return self.groups.get(name)

    def groups_with_prefix(self, prefix: str) -> list[Group]:
        return [g for name, g in self.groups.items() if name.startswith(prefix)]


def parse_keyfile(text: str, path: Path | str = "<memory>") -> KeyFile:
    kf = KeyFile(Path(path))
    current: Group | None = None
    # GLib splits on '\n' only (str.splitlines would also split on \x85, \u2028, ...).
    for lineno, raw in enumerate(text.split("\n"), start=1):
        raw = raw.removesuffix("\r")
        line = raw.lstrip(_GLIB_SPACE)
        if not line or line.startswith("#"):
            continue
        head = line.rstrip(" \t")
        if head.startswith("[") and head.endswith("]"):
            name = head[1:-1].strip()
            current = Group(name, lineno)
            if name in kf.groups:
                kf.duplicate_groups.append(current)
                # GLib merges duplicate groups; keep the first and add into it.
                current = kf.groups[name]
            else:
                kf.groups[name] = current
            continue
        if current is None or "=" not in line:
            kf.bad_lines.append((lineno, raw))
            continue
        key, _, value = line.partition("=")
        key = key.rstrip(_GLIB_SPACE)
        entry = Entry(key, value.lstrip(_GLIB_SPACE), lineno)
        if key in current.entries:
            current.duplicates.append(current.entries[key])
        current.entries[key] = entry
    return kf


def read_keyfile(path: Path, limit: int = 4 * 1024 * 1024) -> KeyFile:
    """A key file from disk: a regular file of at most `limit` bytes, UTF-8 (OSError or
    UnicodeDecodeError otherwise; the config-set reader turns these into findings)."""
    import os
    import stat

    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
        raise OSError(f"{path}: not a regular file of at most {limit} bytes")
    with open(path, "rb") as fh:
        return parse_keyfile(fh.read(limit).decode("utf-8"), path)


def split_list(value: str) -> list[str]:
    """GLib list: `a;b;c;` -> ["a", "b", "c"]."""
    items = value.split(";")
    if items and items[-1].strip() == "":
        items = items[:-1]
    return [i.strip() for i in items]
