"""The bad-input corpus' harness: a case is files + a command line + what must hold afterwards.

Every case, whatever its class, is checked for the same things (`run_case`):
  - the exit code;
  - no traceback in stdout or stderr;
  - the location in the message (file:line, a dotted path, or the option), as a regex;
  - the output directory unchanged (or still absent);
  - no secret in stdout, stderr or any file under the case's directory that is not 0600;
  - a time limit (a watchdog interrupts the case: a hang fails it instead of the run).
Cases run in-process through `alpr_gen.cli.main`; signals and resource limits need a process
of their own (test_signals.py).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import stat
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

import pytest

from alpr_gen.cli import main

# The secret every case may carry: in the environment, in profiles (0600) or in URIs.
SECRET = "s3cr3t-Pw-9f2"
BASE_ENV = {"HOSTILE_MQTT_PASSWORD": SECRET}


@dataclass(frozen=True)
class Fifo:
    """A named pipe: open() on it blocks until a writer comes (a reader must never wait)."""


@dataclass(frozen=True)
class Link:
    target: str  # "{tmp}" is the case directory


@dataclass(frozen=True)
class Dir:
    """A directory where a file is expected."""


@dataclass(frozen=True)
class Private:
    """A file created 0600 (it holds the secret: the leak check skips 0600 files)."""

    content: str | bytes


@dataclass(frozen=True)
class Edit:
    """Replace text in a file copied from the bundle template (old must be there)."""

    old: str
    new: str
    count: int = 1


@dataclass(frozen=True)
class Transform:
    """Rewrite the bytes of a file copied from the bundle template."""

    func: Callable[[bytes], bytes]
    mode: int | None = None  # 0o600 when the result holds the secret


FileSpec = str | bytes | Fifo | Link | Dir | Private | Edit | Transform


@dataclass(frozen=True)
class Case:
    id: str
    cls: str
    argv: tuple[str, ...]
    files: Mapping[str, FileSpec] = field(default_factory=dict)
    code: int = 2
    where: str | None = None  # regex; "{tmp}" is the case directory (escaped)
    out: str | None = "out"  # must be unchanged (absent stays absent); None: not checked
    env: Mapping[str, str] = field(default_factory=dict)
    secrets: tuple[str, ...] = (SECRET,)
    bundle: bool = False  # copy the rendered template bundle to {tmp}/b first
    check: Callable[[Path, str], None] | None = None  # extra assertions (tmp, output)
    prepare: Callable[[Path, pytest.MonkeyPatch], None] | None = None  # after the files
    timeout: float = 15.0


class CaseTimeout(BaseException):
    """The watchdog fired (a BaseException: nothing in alpr-gen may swallow it)."""


def snapshot(root: Path) -> dict[str, tuple[str, int, bytes | str]] | None:
    """Every entry under root (never following links): kind, mode, content."""
    if not root.exists() and not root.is_symlink():
        return None
    out: dict[str, tuple[str, int, bytes | str]] = {}
    if root.is_symlink() or not root.is_dir():
        return {".": ("other", 0, b"")}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            st = p.lstat()
            rel = p.relative_to(root).as_posix()
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("link", 0, os.readlink(p))
            elif stat.S_ISREG(st.st_mode):
                out[rel] = ("file", st.st_mode & 0o777, p.read_bytes())
            else:
                out[rel] = ("dir" if stat.S_ISDIR(st.st_mode) else "other", st.st_mode & 0o777, b"")
    return out


def materialise(tmp: Path, files: Mapping[str, FileSpec], template: Path | None) -> None:
    if template is not None:
        shutil.copytree(template, tmp / "b", symlinks=True)
    for rel, spec in files.items():
        path = tmp / rel.replace("{tmp}", str(tmp))
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(spec, Transform):
            path.write_bytes(spec.func(path.read_bytes()))
            if spec.mode is not None:
                path.chmod(spec.mode)
            continue
        if isinstance(spec, Edit):
            text = path.read_text()
            assert spec.old in text, f"{rel}: {spec.old!r} not in the template"
            path.write_text(text.replace(spec.old, spec.new, spec.count))
            continue
        if path.exists() or path.is_symlink():
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
        if isinstance(spec, Fifo):
            os.mkfifo(path)
        elif isinstance(spec, Link):
            path.symlink_to(spec.target.replace("{tmp}", str(tmp)))
        elif isinstance(spec, Dir):
            path.mkdir()
        elif isinstance(spec, Private):
            data = spec.content.encode() if isinstance(spec.content, str) else spec.content
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
        elif isinstance(spec, bytes):
            path.write_bytes(spec)
        else:
            path.write_text(spec.replace("{tmp}", str(tmp)))


def _alarm(_signum: int, _frame: FrameType | None) -> None:
    raise CaseTimeout()


def run_case(
    case: Case,
    tmp: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    template: Path | None,
) -> str:
    """Run one case and check everything a case must hold; returns stdout + stderr."""
    monkeypatch.chdir(tmp)
    for key, value in {**BASE_ENV, **case.env}.items():
        monkeypatch.setenv(key, value)
    materialise(tmp, case.files, template if case.bundle else None)
    if case.prepare is not None:
        case.prepare(tmp, monkeypatch)
    out_dir = tmp / case.out if case.out is not None else None
    before = snapshot(out_dir) if out_dir is not None else None
    argv = [a.replace("{tmp}", str(tmp)) for a in case.argv]
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, case.timeout)
    started = time.monotonic()
    try:
        with pytest.raises(SystemExit) as exited:
            main(argv)
    except CaseTimeout:
        pytest.fail(f"{case.id}: still running after {case.timeout} s (a hang)")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    elapsed = time.monotonic() - started
    stdout, stderr = capsys.readouterr()
    text = stdout + stderr
    code = exited.value.code if isinstance(exited.value.code, int) else 0
    assert code == case.code, f"{case.id}: exit {code}, expected {case.code}\n{text}"
    assert "Traceback" not in text, f"{case.id}: a traceback\n{text}"
    assert elapsed < case.timeout
    if case.where is not None:
        pattern = case.where.replace("{tmp}", re.escape(str(tmp)))
        assert re.search(pattern, text), f"{case.id}: no location /{pattern}/ in\n{text}"
    if out_dir is not None:
        assert snapshot(out_dir) == before, f"{case.id}: {case.out} changed\n{text}"
    for secret in case.secrets:
        assert secret not in text, f"{case.id}: the secret was printed\n{text}"
        for leak in _files_holding(tmp, secret):
            pytest.fail(f"{case.id}: {leak} holds the secret and is not 0600")
    if case.check is not None:
        case.check(tmp, text)
    return text


def _files_holding(root: Path, secret: str) -> list[Path]:
    found = []
    needle = secret.encode()
    for dirpath, _dirnames, filenames in os.walk(root, followlinks=False):
        for name in filenames:
            p = Path(dirpath) / name
            st = p.lstat()
            if not stat.S_ISREG(st.st_mode) or st.st_mode & 0o077 == 0:
                continue
            if st.st_size < 8 * 1024 * 1024 and needle in p.read_bytes():
                found.append(p)
    return found


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """The 1-based line of the nth occurrence of `needle` in `text`."""
    index = -1
    for _ in range(nth):
        index = text.index(needle, index + 1)
    return text.count("\n", 0, index) + 1


def vwhere(file: str, line: int | str, rule: str) -> str:
    """validate's human output: the file's heading, then the finding's line and rule."""
    rule = rule if rule[-1].isdigit() else rule + r"\d*"
    return rf"(?m)^  {re.escape(file)}\n(?:    .*\n)*?\s+{line}\s+(?:error|warning)\s+{rule}\b"
