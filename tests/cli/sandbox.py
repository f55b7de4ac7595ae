"""A sandbox where commands run as a newcomer types them: a fresh directory, a fake HOME, and
no network.

Commands run as subprocesses from the sandbox directory (`alpr-gen ...` is this checkout's
`python -m alpr_gen`). Every Python process started there loads a `sitecustomize` that records
and refuses any socket connection or name lookup beyond the loopback address: the record is how
a test proves that nothing used the network (a refused connect may be caught and reported as
"unreachable" by the code under test, the record still has it). `bin/` holds stand-ins for what
this machine lacks: deepstream-app (tests/run/fake_deepstream_app.py), nvidia-smi and docker,
each recording how it was called.
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from alpr_synth.demo_model import DEMO_WEIGHTS

REPO = Path(__file__).resolve().parents[2]
DEMO_VIDEO = REPO / "demo" / "demo.mp4"
FAKE_DS = REPO / "tests" / "run" / "fake_deepstream_app.py"
# Secrets the shipped profiles read from the environment (any value renders).
PROFILE_ENV = {"FLEET_MQTT_PASSWORD": "sandbox-secret-not-real"}

_SITECUSTOMIZE = """\
import json, os, sys

_LOG = os.environ.get("ALPR_SANDBOX_NET_LOG")
_LOCAL = {"127.0.0.1", "::1", "localhost", "0.0.0.0"}


def _refuse(event, target):
    if _LOG:
        with open(_LOG, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"event": event, "target": repr(target), "argv": sys.argv}) + "\\n")
    raise OSError(f"sandbox: no network ({event} {target!r})")


def _hook(event, args):
    if event == "socket.connect":
        address = args[1]
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and host not in _LOCAL and not host.startswith("/"):
            _refuse(event, address)
    elif event == "socket.getaddrinfo":
        if args[0] not in (None, *_LOCAL, b"localhost"):
            _refuse(event, args[0])
    elif event == "socket.gethostbyname":
        if args[0] not in _LOCAL:
            _refuse(event, args[0])


sys.addaudithook(_hook)
"""


@dataclass
class Result:
    command: str
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


class Sandbox:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.cwd = root / "work"
        self.home = root / "home"
        self.bin = root / "bin"
        self.hooks = root / "hooks"
        self.net_log = root / "network.jsonl"
        self.calls = root / "calls.jsonl"
        for d in (self.cwd, self.home, self.bin, self.hooks):
            d.mkdir(parents=True, exist_ok=True)
        (self.hooks / "sitecustomize.py").write_text(_SITECUSTOMIZE)
        # What a fresh clone has where the newcomer stands: the demo model and clip.
        self.copy_in(DEMO_WEIGHTS, "models/demo/alpr_demo_yolo11n.pt")
        self.copy_in(DEMO_VIDEO, "demo/demo.mp4")
        self.env = {
            "HOME": str(self.home),
            "PATH": f"{self.bin}:/usr/local/bin:/usr/bin:/bin",
            "PYTHONPATH": f"{REPO}:{self.hooks}",
            "ALPR_SANDBOX_NET_LOG": str(self.net_log),
            "COLUMNS": "80",
            "TERM": "dumb",
            "LANG": "C.UTF-8",
            **PROFILE_ENV,
        }

    # --- stand-ins ------------------------------------------------------------------------

    def _recorder(self, name: str, body: str) -> None:
        script = self.bin / name
        script.write_text(
            f"#!/bin/sh\nprintf '%s\\n' \"{name} $*\" >> {shlex.quote(str(self.calls))}\n" + body
        )
        script.chmod(0o755)

    def add_deepstream_app(self, version: str = "7.1.0") -> None:
        self.env.update({"FAKE_DS_VERSION": version, "FAKE_DS_DURATION": "1"})
        self._recorder(
            "deepstream-app",
            f'exec {shlex.quote(sys.executable)} {shlex.quote(str(FAKE_DS))} "$@"\n',
        )

    def add_gpu(self) -> None:
        self._recorder("nvidia-smi", 'echo "GPU 0: NVIDIA Stand-in (UUID: GPU-0)"\n')

    def add_docker(self) -> None:
        self._recorder("docker", "exit 0\n")

    def recorded_calls(self, name: str) -> list[str]:
        if not self.calls.is_file():
            return []
        return [ln for ln in self.calls.read_text().splitlines() if ln.startswith(name + " ")]

    # --- running --------------------------------------------------------------------------

    def run(
        self, command: str, *, timeout: float = 600, env: dict[str, str] | None = None
    ) -> Result:
        """Run one printed command line as a shell would split it, from the sandbox directory."""
        argv = shlex.split(command)
        if argv and argv[0] == "alpr-gen":
            argv = [sys.executable, "-m", "alpr_gen", *argv[1:]]
        proc = subprocess.run(
            argv,
            cwd=self.cwd,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        return Result(command, proc.returncode, proc.stdout, proc.stderr)

    def network_attempts(self) -> list[dict[str, object]]:
        if not self.net_log.is_file():
            return []
        return [json.loads(ln) for ln in self.net_log.read_text().splitlines() if ln.strip()]

    def copy_in(self, src: Path, rel: str) -> Path:
        dest = self.cwd / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src, dest)
        return dest


def next_steps(printed: str) -> list[str]:
    """The numbered steps of a `next steps:` block, as printed."""
    block = printed.split("next steps:", 1)[1]
    steps = []
    for line in block.splitlines():
        head, sep, rest = line.strip().partition(". ")
        if sep and head.isdigit():
            steps.append(rest)
    return steps


def follow(sandbox: Sandbox, step: str) -> Result | None:
    """Do one printed step the way a newcomer would: the demo model where the placeholder
    stands for the user's weights, the demo clip where a video is to be put in place."""
    from alpr_gen.next_steps import WEIGHTS_PLACEHOLDER

    if step.startswith("put the video "):
        target = step.rsplit(" at ", 1)[1]
        sandbox.copy_in(sandbox.cwd / "demo/demo.mp4", target)
        return None
    if step.startswith("put the file "):  # a TLS file: the user's own; a stand-in will do here
        target = sandbox.cwd / step.rsplit(" at ", 1)[1]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("stand-in for the user's own file\n")
        return None
    return sandbox.run(step.replace(WEIGHTS_PLACEHOLDER, "models/demo/alpr_demo_yolo11n.pt"))
