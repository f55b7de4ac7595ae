"""Class 10: scripts/install-system-deps leaves the machine as it found it.

apt-get, dpkg-query and id are stand-ins on PATH (the real ones would install packages); the
script's own logic runs for real: the policy-rc.d it puts in place while apt runs, the one it
puts back afterwards (after success, failure or SIGTERM), the dpkg lock timeout it passes, and
the bounded retries of `apt-get update`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "install-system-deps"
ORIGINAL = "#!/bin/sh\n# the machine's own policy\nexit 0\n"


def _stubs(tmp: Path, *, apt: str, uid: int = 0, installed: bool = False) -> dict[str, str]:
    bin_dir = tmp / "bin"
    bin_dir.mkdir()
    status = "install ok installed" if installed else ""
    stubs = {
        "id": f"#!/bin/sh\necho {uid}\n",
        "dpkg-query": f"#!/bin/sh\nprintf '{status}'\n",
        "apt-get": "#!/bin/sh\n"
        # Record each call and the policy-rc.d in place while apt runs.
        f'echo "$*" >> {tmp}/calls\n'
        f'cat "$POLICY_RC_D" >> {tmp}/policy-during 2>/dev/null\n' + apt,
    }
    for name, text in stubs.items():
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    return {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "POLICY_RC_D": str(tmp / "sbin" / "policy-rc.d"),
        "APT_GET": str(bin_dir / "apt-get"),
        "APT_LOCK_TIMEOUT": "2",
        "APT_RETRY_SLEEP": "0.1",
    }


def _run(env: dict[str, str], timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=timeout
    )


def _policy(tmp: Path, kind: str) -> Path:
    path = tmp / "sbin" / "policy-rc.d"
    path.parent.mkdir()
    if kind == "file":
        path.write_text(ORIGINAL)
        path.chmod(0o750)
    elif kind == "link":
        (tmp / "sbin" / "real-policy").write_text(ORIGINAL)
        path.symlink_to("real-policy")
    return path


def _as_found(path: Path, kind: str) -> None:
    if kind == "absent":
        assert not path.exists() and not path.is_symlink()
    elif kind == "file":
        assert path.read_text() == ORIGINAL and path.stat().st_mode & 0o777 == 0o750
    else:
        assert path.is_symlink() and os.readlink(path) == "real-policy"
    leftovers = [p.name for p in path.parent.iterdir() if "alpr-gen" in p.name]
    assert leftovers == [], leftovers


@pytest.mark.parametrize("kind", ["file", "absent", "link"])
@pytest.mark.parametrize("apt_fails", [False, True])
def test_policy_rc_d_is_put_back(tmp_path: Path, kind: str, apt_fails: bool) -> None:
    policy = _policy(tmp_path, kind)
    fail = 'case "$*" in *install*) exit 100;; esac\n' if apt_fails else ""
    result = _run(_stubs(tmp_path, apt=fail + "exit 0\n"))
    assert (result.returncode != 0) == apt_fails, result.stderr
    # While apt ran, services were blocked (exit 101); afterwards the machine's own is back.
    assert "exit 101" in (tmp_path / "policy-during").read_text()
    _as_found(policy, kind)


def test_policy_rc_d_is_put_back_after_sigterm(tmp_path: Path) -> None:
    policy = _policy(tmp_path, "file")
    env = _stubs(
        tmp_path, apt=f'case "$*" in *install*) touch {tmp_path}/installing; sleep 20;; esac\n'
    )
    proc = subprocess.Popen(["bash", str(SCRIPT)], env=env, start_new_session=True)
    deadline = time.monotonic() + 20
    while not (tmp_path / "installing").exists():
        assert time.monotonic() < deadline
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGTERM)  # the whole job, as a CI cancel or Ctrl-C does
    assert proc.wait(timeout=30) == 143
    _as_found(policy, "file")


def test_the_dpkg_lock_is_waited_for_with_a_bound(tmp_path: Path) -> None:
    _policy(tmp_path, "absent")
    result = _run(_stubs(tmp_path, apt="exit 0\n"))
    assert result.returncode == 0, result.stderr
    calls = (tmp_path / "calls").read_text().splitlines()
    assert len(calls) == 2 and calls[0].endswith("update -q") and " install " in calls[1]
    assert all("-o DPkg::Lock::Timeout=2" in c for c in calls)


def test_a_locked_update_is_retried_then_succeeds(tmp_path: Path) -> None:
    _policy(tmp_path, "absent")
    # The lists lock is held for the first two attempts.
    apt = (
        f'case "$*" in *update*) n=$(wc -l < {tmp_path}/calls); [ "$n" -ge 3 ] || exit 100;; esac\n'
        "exit 0\n"
    )
    result = _run(_stubs(tmp_path, apt=apt))
    assert result.returncode == 0, result.stderr
    calls = (tmp_path / "calls").read_text().splitlines()
    assert ["install" if " install " in c else "update" for c in calls] == [
        "update",
        "update",
        "update",
        "install",
    ]


def test_a_lock_held_forever_gives_up_with_a_message(tmp_path: Path) -> None:
    policy = _policy(tmp_path, "file")
    started = time.monotonic()
    result = _run(_stubs(tmp_path, apt='case "$*" in *update*) exit 100;; esac\nexit 0\n'))
    assert result.returncode == 1
    assert "apt-get update kept failing for 2s" in result.stderr
    assert time.monotonic() - started < 15
    _as_found(policy, "file")


def test_not_root_only_says_what_to_run(tmp_path: Path) -> None:
    policy = _policy(tmp_path, "file")
    result = _run(_stubs(tmp_path, apt="exit 0\n", uid=1000))
    assert result.returncode == 1
    assert "run: sudo apt-get install -y clang" in result.stderr
    assert not (tmp_path / "calls").exists()
    _as_found(policy, "file")


def test_nothing_missing_touches_nothing(tmp_path: Path) -> None:
    policy = _policy(tmp_path, "file")
    result = _run(_stubs(tmp_path, apt="exit 0\n", installed=True))
    assert result.returncode == 0
    assert not (tmp_path / "calls").exists()
    _as_found(policy, "file")
