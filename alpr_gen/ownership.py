"""Which files in an output directory alpr-gen wrote, and what a render may do to each.

A file is alpr-gen's when the manifest of the previous render lists it and its content still
has the digest recorded there (for a file holding credentials: the digest in the 0600
PRIVATE_DIGESTS file). Only such files are replaced or removed. A file alpr-gen did not write,
or one edited since, is a *conflict* (render refuses to overwrite it without --force) and, when
the new set no longer has it, is *kept*. A manifest that cannot be trusted counts as absent.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from alpr_gen.deepstream.layout import (
    MANIFEST,
    MAX_MANIFEST_BYTES,
    PRIVATE,
    PRIVATE_DIGESTS,
    Manifest,
    parse_manifest,
    parse_private_digests,
)
from alpr_gen.fsutil import MAX_TEXT_BYTES, sha256_bytes
from alpr_gen.outdir import Entry, OutDir
from alpr_gen.redact import mask_line, printable

if TYPE_CHECKING:
    from alpr_gen.render import RenderedSet

STATUSES = ("created", "changed", "identical", "removed", "kept", "conflict")


@dataclass(frozen=True)
class FileStatus:
    path: str
    status: str  # one of STATUSES
    reason: str = ""  # conflict / kept: why the file is not alpr-gen's to change


@dataclass
class DirState:
    """What is in the output directory now, as far as a render is concerned."""

    entries: dict[str, Entry]
    manifest: Manifest | None  # trusted previous manifest, or None
    manifest_problem: str | None  # why an existing manifest was not trusted
    private_digests: dict[str, str]

    def is_ours(self, name: str) -> bool:
        entry = self.entries.get(name)
        if entry is None or entry.kind != "file" or entry.data is None or self.manifest is None:
            return False
        recorded = self.manifest.files.get(name)
        digest = sha256_bytes(entry.data)
        if recorded == PRIVATE:
            return self.private_digests.get(name) == digest
        return recorded == digest

    def why_not_ours(self, name: str) -> str:
        entry = self.entries[name]
        if entry.kind != "file":
            return entry.describe
        if entry.data is None:
            return "too large to be a file alpr-gen wrote"
        if self.manifest is None:
            if self.manifest_problem:
                return f"not known to be alpr-gen's ({self.manifest_problem})"
            return "not written by alpr-gen (there is no manifest.json)"
        if name not in self.manifest.files:
            return "not written by alpr-gen (manifest.json does not list it)"
        return "edited since alpr-gen wrote it"


def read_state(out: OutDir | None, names: set[str]) -> DirState:
    """The entries at `names`, the previous manifest's names and the manifest itself."""
    if out is None:
        return DirState({}, None, None, {})
    manifest, problem = _previous_manifest(out)
    wanted = set(names) | (set(manifest.files) if manifest else set())
    entries = {name: out.entry(name, limit=MAX_TEXT_BYTES) for name in sorted(wanted)}
    digests: dict[str, str] = {}
    private = out.entry(PRIVATE_DIGESTS, limit=MAX_MANIFEST_BYTES)
    if private.kind == "file" and private.data is not None and private.mode & 0o077 == 0:
        digests = parse_private_digests(private.data.decode("utf-8", errors="replace"))
    return DirState(entries, manifest, problem, digests)


def _previous_manifest(out: OutDir) -> tuple[Manifest | None, str | None]:
    entry = out.entry(MANIFEST, limit=MAX_MANIFEST_BYTES)
    if entry.kind == "missing":
        return None, None
    if entry.kind != "file" or entry.data is None:
        return None, f"manifest.json {entry.describe if entry.kind != 'file' else 'is too large'}"
    try:
        manifest = parse_manifest(entry.data.decode("utf-8"))
    except UnicodeDecodeError:
        return None, "manifest.json is not UTF-8 text"
    if manifest.error:
        return None, manifest.error
    return manifest, None


def plan_changes(bundle: RenderedSet, state: DirState) -> list[FileStatus]:
    """What writing `bundle` over `state` does, file by file (conflicts included)."""
    changes = []
    for rel, text in bundle.files.items():
        entry = state.entries.get(rel, Entry("missing"))
        if entry.kind == "missing":
            changes.append(FileStatus(rel, "created"))
        elif entry.kind == "file" and entry.data == text.encode():
            changes.append(FileStatus(rel, "identical"))
        elif state.is_ours(rel) or (rel == MANIFEST and _manifest_is_ours(state, entry)):
            changes.append(FileStatus(rel, "changed"))
        else:
            changes.append(FileStatus(rel, "conflict", state.why_not_ours(rel)))
    if state.manifest is not None:
        for rel in sorted(set(state.manifest.files) - set(bundle.files)):
            entry = state.entries.get(rel, Entry("missing"))
            if entry.kind == "missing":
                continue
            if state.is_ours(rel):
                changes.append(FileStatus(rel, "removed"))
            else:
                changes.append(FileStatus(rel, "kept", state.why_not_ours(rel)))
    return changes


def _manifest_is_ours(state: DirState, entry: Entry) -> bool:
    # A manifest that parsed as ours is ours to rewrite; anything else at that name is not.
    return entry.kind == "file" and state.manifest is not None


def unified_diff(bundle: RenderedSet, state: DirState, changes: list[FileStatus]) -> str:
    """The changes as a unified diff, every line masked (credentials) and escaped (control
    characters): what --dry-run shows."""
    out: list[str] = []
    for change in changes:
        if change.status in ("identical", "kept"):
            continue
        entry = state.entries.get(change.path, Entry("missing"))
        old = _lines(entry.data) if entry.kind == "file" and entry.data is not None else []
        new = _lines(bundle.files[change.path].encode()) if change.path in bundle.files else []
        if entry.kind not in ("missing", "file") or (entry.kind == "file" and entry.data is None):
            out.append(f"# {change.path}: {entry.describe}; not shown\n")
            old = []
        before = f"a/{change.path}" if entry.kind != "missing" else "/dev/null"
        after = f"b/{change.path}" if change.path in bundle.files else "/dev/null"
        for line in difflib.unified_diff(old, new, before, after):
            out.append(_show(line))
    return "".join(out)


def _lines(data: bytes) -> list[str]:
    return data.decode("utf-8", errors="replace").splitlines(keepends=True)


def _show(line: str) -> str:
    body = line.rstrip("\n")
    if body.startswith(("+++", "---", "@@")):
        return printable(body) + "\n"
    return body[:1] + printable(mask_line(body[1:])) + "\n"
