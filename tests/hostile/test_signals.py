"""Cases that need a process of their own: Ctrl-C and SIGTERM at chosen moments, a file-size
limit (EFBIG), a closed pipe, and several renders into one directory at once (class 9).

Each still asserts the exit code, no traceback, the output directory absent or complete, no
secret in the output or in a non-0600 file, and a time limit (subprocess timeout).
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from alpr_gen.fsutil import sha256_bytes

from .corpus_profiles import BASE, mutate
from .harness import BASE_ENV, SECRET, _files_holding

ROOT = Path(__file__).resolve().parents[2]
# Many cameras: a render that takes long enough to be interrupted at a chosen moment.
BIG = BASE.replace(
    "  - id: cam-b\n",
    "".join(
        f"  - id: cam-x{i}\n    name: Camera X{i}\n    uri: rtsp://10.1.0.{i}/s\n"
        for i in range(60)
    )
    + "  - id: cam-b\n",
)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(BASE_ENV)
    env["PYTHONPATH"] = str(ROOT)
    env["COLUMNS"] = "200"
    return env


def _default_signals(extra: object = None) -> None:
    """In the child: the signals as a shell gives them to a command. A child inherits ignored
    and blocked signals, and a test run that imported torch & co. may have changed them."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    if callable(extra):
        extra()


def _spawn(args: list[str], *, code: str | None = None, **kw: object) -> subprocess.Popen[str]:
    argv = (
        [sys.executable, "-c", code, *args] if code else [sys.executable, "-m", "alpr_gen", *args]
    )
    extra = kw.pop("preexec_fn", None)
    return subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
        preexec_fn=lambda: _default_signals(extra),
        **kw,  # type: ignore[arg-type]
    )


def _finish(proc: subprocess.Popen[str], timeout: float = 30) -> tuple[int, str]:
    out, err = proc.communicate(timeout=timeout)
    text = out + err
    assert "Traceback" not in text, text
    assert SECRET not in text
    return proc.returncode, text


def _consistent(out: Path) -> None:
    """A complete set: the manifest's digests (and the private ones) match every file."""
    manifest = json.loads((out / "manifest.json").read_text())
    private = json.loads((out / ".alpr-gen-private.json").read_text())
    for name, digest in manifest["files"].items():
        actual = sha256_bytes((out / name).read_bytes())
        assert actual == (private[name] if digest == "private" else digest), name
    leftovers = [p.name for p in out.iterdir() if p.name.startswith(".alpr-gen-staging-")]
    assert leftovers == []


def _no_leak(root: Path) -> None:
    assert _files_holding(root, SECRET) == []


# Render, but stop for a while at a chosen point: `stage` (the staging directory exists and
# holds the whole set, the secret included) or `commit` (files are being moved in).
SLOW = """
import sys, time, pathlib
from alpr_gen import outdir, writer
where, marker = sys.argv[1], pathlib.Path(sys.argv[2])
if where == "stage":
    real = writer._validate_staged
    def slow(*a, **k):
        marker.write_text("staged")
        for _ in range(600):  # short sleeps: a signal taken by another thread is seen too
            time.sleep(0.05)
        return real(*a, **k)
    writer._validate_staged = slow
else:
    real = outdir.OutDir.replace
    def slow(self, *a, **k):
        marker.write_text("commit")
        time.sleep(0.05)
        return real(self, *a, **k)
    outdir.OutDir.replace = slow
from alpr_gen.cli import main
main(sys.argv[3:])
"""


def _wait_for(path: Path, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.005)


@pytest.mark.parametrize(
    ("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130), (signal.SIGHUP, 129)]
)
def test_a_signal_while_staged_removes_the_staging_directory(
    tmp_path: Path, sig: signal.Signals, code: int
) -> None:
    """Class 3/6: the staging directory holds every file, broker.txt's password included."""
    (tmp_path / "p.yaml").write_text(BASE)
    out, marker = tmp_path / "out", tmp_path / "marker"
    proc = _spawn(
        ["stage", str(marker), "render", "--site", str(tmp_path / "p.yaml"), "--out", str(out)],
        code=SLOW,
    )
    _wait_for(marker)
    assert any(p.name.startswith(".alpr-gen-staging-") for p in out.iterdir())
    proc.send_signal(sig)
    rc, _ = _finish(proc)
    assert rc == code
    assert not out.exists(), "a refused render leaves no output directory behind"
    _no_leak(tmp_path)


def test_a_signal_while_staged_keeps_the_previous_set(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(BASE)
    out, marker = tmp_path / "out", tmp_path / "marker"
    assert (
        _finish(_spawn(["render", "--site", str(tmp_path / "p.yaml"), "--out", str(out)]))[0] == 0
    )
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    (tmp_path / "p.yaml").write_text(mutate("    fps: 25", "    fps: 20"))
    proc = _spawn(
        ["stage", str(marker), "render", "--site", str(tmp_path / "p.yaml"), "--out", str(out)],
        code=SLOW,
    )
    _wait_for(marker)
    proc.send_signal(signal.SIGTERM)
    assert _finish(proc)[0] == 143
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_while_committing_finishes_the_move_first(
    tmp_path: Path, sig: signal.Signals
) -> None:
    """The renames run with signals held back: the set on disk is complete, never mixed."""
    (tmp_path / "p.yaml").write_text(BASE)
    out, marker = tmp_path / "out", tmp_path / "marker"
    proc = _spawn(
        ["commit", str(marker), "render", "--site", str(tmp_path / "p.yaml"), "--out", str(out)],
        code=SLOW,
    )
    _wait_for(marker)
    proc.send_signal(sig)
    rc, _ = _finish(proc)
    assert rc == 128 + sig
    _consistent(out)
    _no_leak(tmp_path)


# The console script, with a byte on stderr once alpr-gen's entry point is loaded: from then on
# Ctrl-C is ours to handle (the interpreter's start-up and the ~5 ms import of the two-line
# alpr_gen.entry module before it are Python's own, whatever a program does).
# The console script, saying "R" once it is inside entry.main's guard: when the import of
# alpr_gen.cli starts (writing it before main() raced the signal against the call itself).
ENTRY = """
import os, sys
class Ready:
    def find_spec(self, name, path=None, target=None):
        if name == "alpr_gen.cli":
            os.write(2, b"R")
        return None
sys.meta_path.insert(0, Ready())
from alpr_gen.entry import main
main()
"""


@pytest.mark.parametrize("delay", [0.0, 0.01, 0.03, 0.06, 0.1, 0.2, 0.35])
def test_ctrl_c_early_exits_130_quietly(tmp_path: Path, delay: float) -> None:
    """Class 6: Ctrl-C while alpr-gen's modules load, the profile is read, or the set renders."""
    (tmp_path / "p.yaml").write_text(BIG)
    out = tmp_path / "out"
    proc = _spawn(["render", "--site", str(tmp_path / "p.yaml"), "--out", str(out)], code=ENTRY)
    assert proc.stderr is not None and proc.stderr.read(1) == "R"
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    rc, text = _finish(proc)
    assert rc == 130 or (rc == 0 and delay >= 0.2), (rc, text)
    if out.exists() and any(out.iterdir()):
        _consistent(out)
    _no_leak(tmp_path)


def test_a_file_size_limit_is_one_message(tmp_path: Path) -> None:
    """Class 6: EFBIG (ulimit -f) while staging: exit 2, the reason, nothing left."""
    (tmp_path / "p.yaml").write_text(BASE)
    out = tmp_path / "out"

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))

    proc = _spawn(
        ["render", "--site", str(tmp_path / "p.yaml"), "--out", str(out)], preexec_fn=limit
    )
    rc, text = _finish(proc)
    assert rc == 2
    assert f"cannot write {out}: File too large" in text and "ulimit -f" in text
    assert not out.exists()


def test_a_closed_stdout_is_not_a_traceback(tmp_path: Path) -> None:
    proc = _spawn(["schema"])
    assert proc.stdout is not None
    proc.stdout.read(10)
    proc.stdout.close()
    err = proc.stderr.read() if proc.stderr else ""
    assert proc.wait(timeout=30) in (0, 1)
    assert "Traceback" not in err


def test_concurrent_renders_leave_one_complete_set(tmp_path: Path) -> None:
    """Class 9: four renders of two variants into one directory at once, three rounds."""
    variants = [BASE, mutate("    fps: 25", "    fps: 20")]
    for i, text in enumerate(variants):
        (tmp_path / f"p{i}.yaml").write_text(text)
    out = tmp_path / "out"
    for _ in range(3):
        procs = [
            _spawn(["render", "--site", str(tmp_path / f"p{i % 2}.yaml"), "--out", str(out)])
            for i in range(4)
        ]
        codes = [_finish(p, timeout=60)[0] for p in procs]
        assert codes == [0, 0, 0, 0]
        _consistent(out)
    _no_leak(tmp_path)
