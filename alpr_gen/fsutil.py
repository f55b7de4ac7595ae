"""Files read bounded, written whole or not at all, and their SHA-256: the one implementation
of each.

Any path that comes from input (a profile, a config set, the command line) is read through
`read_bounded`: only a regular file, at most a few MiB, so a FIFO, `/dev/zero` or a model renamed
`.txt` ends in a clear error instead of a hang or memory exhaustion. `text_problem` says why
bytes are not the UTF-8 text alpr-gen and DeepStream expect.
"""

from __future__ import annotations

import codecs
import errno
import hashlib
import os
import stat
import tempfile
from pathlib import Path

from alpr_gen.errors import AlprGenError

# DeepStream's configs and site profiles are a few KB; a label file of 10k classes is ~100 KB.
# Anything this big is not a config (a device node, a model renamed .txt): never read whole.
MAX_TEXT_BYTES = 4 * 1024 * 1024

_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def read_bounded(path: Path, limit: int = MAX_TEXT_BYTES) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; OSError (with a reason) otherwise.

    The file is opened without blocking and checked with fstat() on the open descriptor: open()
    on a FIFO would block forever, /dev/zero never ends, and a check before open() could be
    raced by a rename.
    """
    _check_regular(path, os.stat(path), limit)  # never open() a device node at all
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    fd = os.open(path, flags)
    try:
        _check_regular(path, os.fstat(fd), limit)  # the file opened is the file checked
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            block = os.read(fd, min(1 << 20, limit + 1 - size))
            if not block:
                break
            chunks.append(block)
            size += len(block)
    finally:
        os.close(fd)
    if size > limit:  # grew while we read it
        raise OSError(errno.EFBIG, _too_big(limit), str(path))
    return b"".join(chunks)


def _check_regular(path: Path, st: os.stat_result, limit: int) -> None:
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(errno.EISDIR, "is a directory, not a file", str(path))
    if not stat.S_ISREG(st.st_mode):
        raise OSError(errno.EINVAL, _NOT_REGULAR, str(path))
    if st.st_size > limit:
        raise OSError(errno.EFBIG, _too_big(limit), str(path))


_NOT_REGULAR = "not a regular file (a FIFO, device or socket is never read)"


def _too_big(limit: int) -> str:
    size = f"{limit // (1024 * 1024)} MiB" if limit >= 1024 * 1024 else f"{limit // 1024} KiB"
    return f"larger than {size}: not a text file alpr-gen reads"


def os_reason(exc: OSError) -> str:
    """The reason of an OSError without the path (callers name the file themselves)."""
    return exc.strerror or str(exc)


def text_problem(data: bytes) -> str | None:
    """Why `data` is not UTF-8 text (None when it is), with the line where it goes wrong."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return f"{name} text; save it as UTF-8"
    nul = data.find(b"\x00")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if nul != -1 and nul < exc.start:
            return _binary(data, nul)
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start]
        return (
            f"line {line}: not UTF-8 (byte 0x{byte:02X}; Latin-1 or another legacy encoding, or "
            "a binary file); save it as UTF-8"
        )
    if nul != -1:
        return _binary(data, nul)
    return None


def _binary(data: bytes, nul: int) -> str:
    line = data.count(b"\n", 0, nul) + 1
    return f"line {line}: contains a NUL byte (a binary file, or UTF-16 text); save it as UTF-8"


def line_of_problem(problem: str) -> int | None:
    """The line number `text_problem` named, if any."""
    if problem.startswith("line "):
        head = problem[5:].split(":", 1)[0]
        return int(head) if head.isdigit() else None
    return None


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
