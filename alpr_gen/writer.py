"""Write a rendered site into its bundle directory: staged, checked, then moved into place.

Every file is first written to a staging directory beside the output. If anything fails before
the move (a write error, the validator refusing the set), the previous output is untouched.
Files are then moved in with `os.replace` (atomic per file, same filesystem) and files the
previous render wrote but this one does not are removed. Only the bundle's own file names are
ever written: model artifacts that `export` put under the output (models/, lib/) are kept.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from alpr_gen.deepstream.layout import MANIFEST, default_bundle_dir, parse_manifest
from alpr_gen.errors import RenderError
from alpr_gen.render import RenderedSet, render_set
from alpr_gen.validate.findings import LintReport


@dataclass(frozen=True)
class FileStatus:
    path: str
    status: str  # created, changed, identical, removed


def plan_changes(bundle: RenderedSet, out_dir: Path) -> list[FileStatus]:
    """What writing `bundle` to `out_dir` would do, file by file."""
    changes = []
    for rel, text in bundle.files.items():
        target = out_dir / rel
        if not target.exists():
            changes.append(FileStatus(rel, "created"))
        elif target.read_bytes() != text.encode():
            changes.append(FileStatus(rel, "changed"))
        else:
            changes.append(FileStatus(rel, "identical"))
    for rel in sorted(_previous_files(out_dir) - set(bundle.files)):
        if (out_dir / rel).exists():
            changes.append(FileStatus(rel, "removed"))
    return changes


def _previous_files(out_dir: Path) -> set[str]:
    """The files the manifest on disk says a previous render wrote."""
    from alpr_gen.configset.files import read_bounded

    path = out_dir / MANIFEST
    if not path.is_file():
        return set()
    try:
        manifest = parse_manifest(read_bounded(path).decode("utf-8"))
    except (OSError, UnicodeDecodeError):
        return set()
    return {name for name in manifest.files if _safe_relpath(name)}


def _safe_relpath(rel: str) -> bool:
    parts = Path(rel).parts
    return bool(parts) and not Path(rel).is_absolute() and ".." not in parts


@contextmanager
def staged(bundle: RenderedSet, out_dir: Path) -> Iterator[Path]:
    """A temporary directory beside `out_dir` holding the bundle; removed on exit."""
    parent = out_dir.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.staging-", dir=parent))
    except OSError as exc:
        raise RenderError(
            f"cannot write under {parent}: {exc.strerror}", hint="choose another --out"
        ) from None
    try:
        for rel, text in bundle.files.items():
            if not _safe_relpath(rel):
                raise RenderError(f"refusing to write {rel!r} outside the output directory")
            path = stage / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            # Create private files 0600 from the start: never world-readable, even briefly.
            mode = 0o600 if rel in bundle.private else 0o644
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
            os.chmod(path, mode)  # the umask may have removed bits we want
        yield stage
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def write_bundle(
    bundle: RenderedSet,
    out_dir: Path,
    *,
    check_staged: Callable[[Path], None] | None = None,
) -> list[FileStatus]:
    """Stage, let `check_staged` raise to refuse the set, then move the files into place."""
    if out_dir.exists() and not out_dir.is_dir():
        raise RenderError(f"{out_dir} exists and is not a directory", hint="choose another --out")
    changes = plan_changes(bundle, out_dir)
    with staged(bundle, out_dir) as stage:
        if check_staged is not None:
            check_staged(stage)
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
            # The manifest goes last: it describes the set only once the set is complete.
            order = sorted(bundle.files, key=lambda rel: rel == MANIFEST)
            for rel in order:
                target = out_dir / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(stage / rel, target)
            for change in changes:
                if change.status == "removed":
                    (out_dir / change.path).unlink(missing_ok=True)
        except OSError as exc:
            raise RenderError(
                f"cannot write {out_dir}: {exc.strerror}", hint="check the directory's permissions"
            ) from None
    return changes


@dataclass(frozen=True)
class RenderOutcome:
    site: str
    out_dir: Path
    rendered: RenderedSet
    changes: list[FileStatus]
    written: bool  # False for --dry-run and --check
    report: LintReport | None = None  # validation of the set as written

    @property
    def drift(self) -> list[FileStatus]:
        return [c for c in self.changes if c.status != "identical"]


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
    unless `force`. With `dry_run` or `check`, nothing is written: the changes are returned.
    """
    from alpr_gen.profile import load_profile

    profile = load_profile(site)
    rendered = render_set(profile)
    out_dir = out if out is not None else default_bundle_dir(profile.name)
    if dry_run or check:
        return RenderOutcome(
            profile.name, out_dir, rendered, plan_changes(rendered, out_dir), False
        )
    reports: list[LintReport] = []

    def refuse_invalid(stage: Path) -> None:
        reports.append(_validate_staged(rendered, stage, out_dir, force=force))

    changes = write_bundle(rendered, out_dir, check_staged=refuse_invalid)
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
