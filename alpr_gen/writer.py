"""Write a rendered site into its bundle directory: locked, staged, checked, then moved in.

The output directory is locked (two renders into it take turns) and every file is first written
to a staging directory inside it (same filesystem: the moves are renames, also on a Docker
volume). If anything fails before the move (a write error, a full disk, the validator refusing
the set, Ctrl-C or SIGTERM), the staging directory is removed and the previous output is
untouched. The move itself runs with signals held back, and is undone if a rename fails.

Only alpr-gen's own files are replaced or removed (`ownership.py`): a hand-written or
hand-edited file is a conflict that refuses the render unless `force`; model artifacts that
`export` put under the output (models/, lib/) are never touched.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from alpr_gen import interrupts
from alpr_gen.deepstream.layout import (
    MANIFEST,
    PRIVATE_DIGESTS,
    default_bundle_dir,
    safe_bundle_name,
)
from alpr_gen.errors import RenderError
from alpr_gen.fsutil import sha256_bytes
from alpr_gen.outdir import Entry, OutDir, os_error_text
from alpr_gen.ownership import DirState, FileStatus, plan_changes, read_state, unified_diff
from alpr_gen.render import RenderedSet, render_set
from alpr_gen.validate.findings import LintReport

__all__ = ["FileStatus", "RenderOutcome", "render_to_dir", "write_bundle"]


def write_bundle(
    bundle: RenderedSet,
    out_dir: Path,
    *,
    check_staged: Callable[[Path], None] | None = None,
    force: bool = False,
) -> list[FileStatus]:
    """Stage, let `check_staged` raise to refuse the set, then move the files into place."""
    for rel in bundle.files:
        if not safe_bundle_name(rel):
            raise RenderError(f"refusing to write {rel!r}: not a plain file name in the bundle")
    with interrupts.terminations_raise():
        try:
            with OutDir.open(out_dir, create=True, exclusive=True) as out:
                assert out is not None  # create=True
                out.remove_stale_staging()
                state = read_state(out, set(bundle.files))
                changes = plan_changes(bundle, state)
                _refuse_conflicts(changes, out_dir, force=force)
                changes = [_forced(c) for c in changes]
                with out.staging() as (stage_path, stage_fd):
                    for rel, text in bundle.files.items():
                        mode = 0o600 if rel in bundle.private else 0o644
                        out.write_file(rel, text.encode(), mode, dir_fd=stage_fd)
                    if check_staged is not None:
                        check_staged(stage_path)
                    _commit(out, stage_fd, bundle, changes, state)
        except OSError as exc:
            raise RenderError(
                f"cannot write {out_dir}: {os_error_text(exc)}; nothing was changed"
            ) from None
    return changes


def _refuse_conflicts(changes: list[FileStatus], out_dir: Path, *, force: bool) -> None:
    conflicts = [c for c in changes if c.status == "conflict"]
    # A directory (or a device) where a file belongs is never replaced, even with --force.
    blocked = [c for c in conflicts if c.reason.startswith(("is a directory", "is not a regular"))]
    if blocked:
        listed = "\n".join(f"  {out_dir / c.path}: {c.reason}" for c in blocked)
        raise RenderError(
            f"alpr-gen writes these files, but something else is in their place; nothing was "
            f"written:\n{listed}",
            hint="move them away, or choose another --out",
        )
    if conflicts and not force:
        listed = "\n".join(f"  {out_dir / c.path}: {c.reason}" for c in conflicts)
        raise RenderError(
            f"{len(conflicts)} file(s) in {out_dir} would be overwritten although alpr-gen did "
            f"not write them (or they were edited since); nothing was written:\n{listed}",
            hint="move them away, or render again with --force to overwrite them (the same "
            "render with --dry-run shows the differences)",
        )


def _forced(change: FileStatus) -> FileStatus:
    """A conflict that --force overwrites is a change, saying what it overwrote."""
    if change.status != "conflict":
        return change
    return FileStatus(change.path, "changed", f"overwritten (--force): {change.reason}")


def _commit(
    out: OutDir, stage_fd: int, bundle: RenderedSet, changes: list[FileStatus], state: DirState
) -> None:
    """Move the staged files in (manifest last) and remove stale ones; undo all on failure."""
    # The manifest goes last: it describes the set only once the set is complete.
    order = sorted(bundle.files, key=lambda rel: rel == MANIFEST)
    removed = [c.path for c in changes if c.status == "removed"]
    done: list[str] = []
    gone: list[str] = []
    digests = {rel: sha256_bytes(bundle.files[rel].encode()) for rel in sorted(bundle.private)}
    with interrupts.deferred():
        try:
            for rel in order:
                if rel == MANIFEST:
                    _write_private_digests(out, stage_fd, digests)
                out.replace(stage_fd, rel)
                done.append(rel)
            for rel in removed:
                out.unlink(rel)
                gone.append(rel)
        except OSError:
            _undo(out, stage_fd, state, done, gone)
            raise
        out.fsync()


def _write_private_digests(out: OutDir, stage_fd: int, digests: dict[str, str]) -> None:
    """The digests of the files holding credentials, readable by their owner only."""
    if not digests:
        existing = out.entry(PRIVATE_DIGESTS, limit=0)
        if existing.kind in ("file", "symlink"):
            out.unlink(PRIVATE_DIGESTS)
        return
    text = json.dumps(digests, indent=2, sort_keys=True) + "\n"
    out.write_file(PRIVATE_DIGESTS, text.encode(), 0o600, dir_fd=stage_fd)
    out.replace(stage_fd, PRIVATE_DIGESTS)


def _undo(out: OutDir, stage_fd: int, state: DirState, done: list[str], gone: list[str]) -> None:
    """Put back what the failed move replaced or removed (best effort: the disk failed)."""
    for rel in [*done, *gone]:
        before = state.entries.get(rel, Entry("missing"))
        try:
            if before.kind == "file" and before.data is not None:
                tmp = f".undo-{rel}"
                out.write_file(tmp, before.data, before.mode & 0o777, dir_fd=stage_fd)
                out.replace(stage_fd, tmp, rel)
            elif before.kind == "missing" and rel in done:
                out.unlink(rel)
        except OSError:
            continue


@dataclass(frozen=True)
class RenderOutcome:
    site: str
    out_dir: Path
    rendered: RenderedSet
    changes: list[FileStatus]
    written: bool  # False for --dry-run and --check
    report: LintReport | None = None  # validation of the set as written
    diff: str = ""  # --dry-run: the changes as a unified diff, credentials masked

    @property
    def drift(self) -> list[FileStatus]:
        return [c for c in self.changes if c.status != "identical"]

    @property
    def conflicts(self) -> list[FileStatus]:
        return [c for c in self.changes if c.status == "conflict"]


def render_to_dir(
    site: str,
    out: Path | None = None,
    *,
    force: bool = False,
    dry_run: bool = False,
    check: bool = False,
) -> RenderOutcome:
    """Render `site` (a profile name or path) into `out` (default out/<site>).

    The staged set is validated as if it were already in place; errors refuse it (RenderError)
    unless `force`, which also overwrites files alpr-gen did not write. With `dry_run` or
    `check`, nothing is written: the changes (and, for `dry_run`, their diff) are returned.
    """
    from alpr_gen.profile import load_profile

    profile = load_profile(site)
    rendered = render_set(profile)
    out_dir = out if out is not None else default_bundle_dir(profile.name)
    if dry_run or check:
        with OutDir.open(out_dir, create=False, exclusive=False) as current:
            state = read_state(current, set(rendered.files))
        changes = plan_changes(rendered, state)
        diff = unified_diff(rendered, state, changes) if dry_run else ""
        return RenderOutcome(profile.name, out_dir, rendered, changes, False, diff=diff)
    reports: list[LintReport] = []

    def refuse_invalid(stage: Path) -> None:
        reports.append(_validate_staged(rendered, stage, out_dir, force=force))

    changes = write_bundle(rendered, out_dir, check_staged=refuse_invalid, force=force)
    return RenderOutcome(profile.name, out_dir, rendered, changes, True, reports[0])


def _validate_staged(
    rendered: RenderedSet, stage: Path, out_dir: Path, *, force: bool
) -> LintReport:
    """Lint the staged set as if it were already in `out_dir`; refuse it on errors."""
    from alpr_gen.validate import lint_path

    report = lint_path(
        stage,
        deepstream=rendered.plan.deepstream,
        platform=rendered.plan.platform,
        as_if_at=out_dir.resolve(),
    )
    if report.errors and not force:
        shown = "\n".join(
            f"  {out_dir / f.file}:{f.line}: {f.rule_id} {f.message}" for f in report.errors[:20]
        )
        raise RenderError(
            f"the rendered set for {rendered.plan.site} has {len(report.errors)} validation "
            f"error(s); nothing was written:\n{shown}",
            hint="fix the profile, or pass --force to write it anyway",
        )
    return report
