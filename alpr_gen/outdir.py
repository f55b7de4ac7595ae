"""The output directory as render touches it: one open directory, names never followed.

`--out` itself may be a symbolic link (the user chose it); every name *inside* it is opened
relative to the directory's descriptor with O_NOFOLLOW, so a symlink planted in the bundle
(`deepstream_app.txt -> /etc/passwd`, `lib -> /`) is seen as a link and never read through,
written through or deleted through. The directory is locked (flock on its descriptor) so two
renders into it take turns, and staging happens in a hidden directory inside it: the same
filesystem, so the final moves are renames even when `--out` is a Docker volume or another
mount point.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import secrets
import shutil
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from alpr_gen.errors import RenderError

STAGING_PREFIX = ".alpr-gen-staging-"
LOCK_TIMEOUT_S = 120.0
_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0)


@dataclass(frozen=True)
class Entry:
    """What is at a name inside the directory (never following a link)."""

    kind: str  # missing, file, dir, symlink, other
    data: bytes | None = None  # a file's bytes, when read
    mode: int = 0

    @property
    def describe(self) -> str:
        return {
            "dir": "is a directory",
            "symlink": "is a symbolic link (never followed)",
            "other": "is not a regular file (a FIFO, device or socket)",
        }.get(self.kind, self.kind)


def os_error_text(exc: OSError) -> str:
    """An OSError as one clear reason, with what to do for the usual ones."""
    reason = exc.strerror or str(exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"{reason} (free some space on that disk, or choose another --out)"
    if exc.errno == errno.EFBIG:
        return f"{reason} (a file-size limit: check `ulimit -f`)"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"{reason} (check the directory's permissions, or choose another --out)"
    return reason


class OutDir:
    """An open output directory (see the module docstring)."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self.fd = fd

    # --- reading ---------------------------------------------------------------------------

    def entry(self, name: str, *, limit: int) -> Entry:
        try:
            st = os.lstat(name, dir_fd=self.fd)
        except FileNotFoundError:
            return Entry("missing")
        if stat.S_ISLNK(st.st_mode):
            return Entry("symlink")
        if stat.S_ISDIR(st.st_mode):
            return Entry("dir")
        if not stat.S_ISREG(st.st_mode):
            return Entry("other")
        if st.st_size > limit:
            return Entry("file", None, st.st_mode)  # too big to be ours: never read whole
        try:
            fd = os.open(name, _READ_FLAGS, dir_fd=self.fd)
        except OSError as exc:
            if exc.errno == errno.ELOOP:  # became a link since lstat
                return Entry("symlink")
            raise
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return Entry("other")
            chunks = []
            size = 0
            while size <= limit and (block := os.read(fd, 1 << 20)):
                chunks.append(block)
                size += len(block)
        finally:
            os.close(fd)
        return Entry("file", b"".join(chunks) if size <= limit else None, st.st_mode)

    # --- writing ---------------------------------------------------------------------------

    def write_file(self, name: str, data: bytes, mode: int, *, dir_fd: int | None = None) -> None:
        """Create `name` (which must not exist) with `mode` from the start (0600 stays 0600)."""
        fd = os.open(
            name,
            os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW,
            mode,
            dir_fd=dir_fd or self.fd,
        )
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fchmod(fd, mode)  # the umask may have removed bits we want
            os.fsync(fd)
        finally:
            os.close(fd)

    def replace(self, stage_fd: int, name: str, target: str | None = None) -> None:
        """Rename `name` from the staging directory onto `target` (default: the same name)."""
        os.replace(name, target or name, src_dir_fd=stage_fd, dst_dir_fd=self.fd)

    def unlink(self, name: str) -> None:
        os.unlink(name, dir_fd=self.fd)

    def fsync(self) -> None:
        # Some filesystems cannot sync a directory; the renames are done either way.
        with contextlib.suppress(OSError):
            os.fsync(self.fd)

    @contextmanager
    def staging(self) -> Iterator[tuple[Path, int]]:
        """A hidden directory inside this one, removed on exit (also on Ctrl-C/SIGTERM)."""
        name = f"{STAGING_PREFIX}{secrets.token_hex(6)}"
        os.mkdir(name, 0o700, dir_fd=self.fd)
        try:
            fd = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=self.fd)
            try:
                yield self.path / name, fd
            finally:
                os.close(fd)
        finally:
            shutil.rmtree(self.path / name, ignore_errors=True)

    def remove_stale_staging(self) -> None:
        """Staging left by a render that was killed (SIGKILL, power loss): we hold the lock, so
        no other render is using it."""
        for name in os.listdir(self.fd):
            if name.startswith(STAGING_PREFIX):
                st = os.lstat(name, dir_fd=self.fd)
                if stat.S_ISDIR(st.st_mode):
                    shutil.rmtree(self.path / name, ignore_errors=True)

    # --- opening ---------------------------------------------------------------------------

    @classmethod
    @contextmanager
    def open(
        cls, path: Path, *, create: bool, exclusive: bool, timeout: float | None = None
    ) -> Iterator[OutDir | None]:
        """The directory, locked (exclusive for writing, shared for reading); None when it does
        not exist and `create` is False. Directories created here are removed again when the
        block fails and leaves them empty: a refused render leaves no trace."""
        created = _make_dirs(path) if create else []
        try:
            try:
                fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
            except FileNotFoundError:
                if create:
                    raise
                yield None
                return
            except NotADirectoryError:
                raise RenderError(
                    f"{path} exists and is not a directory", hint="choose another --out"
                ) from None
            try:
                _lock(fd, path, exclusive=exclusive, timeout=timeout or LOCK_TIMEOUT_S)
                yield cls(path, fd)
            finally:
                os.close(fd)  # releases the lock
        except BaseException:
            for directory in reversed(created):
                try:
                    directory.rmdir()
                except OSError:
                    break  # not empty: something was left on purpose (or by someone else)
            raise


def _make_dirs(path: Path) -> list[Path]:
    """mkdir -p, returning the directories it created (outermost first)."""
    missing = []
    probe = path
    while not probe.exists() and not probe.is_symlink() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    created = []
    try:
        for directory in reversed(missing):
            try:
                directory.mkdir()
            except FileExistsError:
                continue
            created.append(directory)
    except OSError as exc:
        for directory in reversed(created):
            directory.rmdir()
        raise RenderError(f"cannot create {path}: {os_error_text(exc)}") from None
    return created


def _lock(fd: int, path: Path, *, exclusive: bool, timeout: float) -> None:
    mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise RenderError(
                    f"{path} is locked by another render for more than {timeout:.0f} s",
                    hint="wait for it to finish, or stop it",
                ) from None
            time.sleep(0.05)
        except OSError:
            return  # a filesystem without flock (some network mounts): render unlocked
