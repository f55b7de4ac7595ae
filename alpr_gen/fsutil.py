"""Files written whole or not at all, and their SHA-256: the one implementation of each."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from alpr_gen.errors import AlprGenError


def write_bytes_atomic(path: Path, data: bytes, mode: int | None = None) -> None:
    """Readers see the old content or the new, never half of it (temp file + rename). The mode
    defaults to what open() would give (0o666 less the umask; mkstemp alone gives 0o600)."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise AlprGenError(f"cannot write {path}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, default_mode() if mode is None else mode)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise AlprGenError(f"cannot write {path}: {exc.strerror}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path, text: str, mode: int | None = None) -> None:
    write_bytes_atomic(path, text.encode("utf-8"), mode)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def default_mode() -> int:
    """0o666 less the umask: what open() would have given a new file."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
