"""How fast can `alpr-gen run` consume deepstream-app's output?

With `-vvv` (GST_DEBUG=5) deepstream-app prints thousands of lines a second. If the supervisor
(pipe reader + LogParser + view) reads slower than that, deepstream-app blocks on its stdout
writes and the pipeline stalls. This measures lines/s through the real Supervisor with the plain
view writing to /dev/null, against `cat > /dev/null` reading the same generator in the same run.

    python bench/bench_run_log.py [--lines 200000]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console

from alpr_gen.run.deepstream_app.backend import DeepStreamAppBackend
from alpr_gen.run.deepstream_app.command import LaunchSpec
from alpr_gen.run.view import PlainView, RunState

# A mix like GST_DEBUG=5 output: mostly debug lines, a PERF line now and then.
GENERATOR = r"""
import sys
n = int(sys.argv[1])
debug = ("0:00:05.123456789  4242 0x55d5c0a0d0c0 DEBUG   nvstreammux gstnvstreammux.cpp:1234:"
         "gst_nvstreammux_src_push_loop:<src_bin_muxer> pushing batch %d\n")
perf = "**PERF:  30.02 (29.87)\t29.98 (29.91)\t30.00 (29.95)\t\n"
w = sys.stdout.write
for i in range(n):
    w(perf if i % 1000 == 0 else debug % i)
sys.stdout.flush()
"""


def run_reference(n: int) -> float:
    gen = subprocess.Popen([sys.executable, "-c", GENERATOR, str(n)], stdout=subprocess.PIPE)
    t0 = time.perf_counter()
    subprocess.run(["cat"], stdin=gen.stdout, stdout=subprocess.DEVNULL, check=True)
    gen.wait()
    return time.perf_counter() - t0


def run_supervised(n: int) -> float:
    """The deepstream-app backend (supervisor + log parser) feeding the plain view."""
    with open("/dev/null", "w") as devnull:
        view = PlainView(Console(file=devnull), RunState())
        spec = LaunchSpec([sys.executable, "-c", GENERATOR, str(n)], Path.cwd())
        t0 = time.perf_counter()
        code = DeepStreamAppBackend(spec).run(view.event)
        elapsed = time.perf_counter() - t0
    assert code == 0
    return elapsed


def run_generator_only(n: int) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", GENERATOR, str(n)], stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=200_000)
    n = ap.parse_args().lines
    gen = min(run_generator_only(n) for _ in range(2))
    ref = min(run_reference(n) for _ in range(2))
    sup = min(run_supervised(n) for _ in range(2))
    print(f"lines:                          {n}")
    print(f"generator alone (to /dev/null): {gen:.2f} s  {n / gen:,.0f} lines/s")
    print(f"reference (generator | cat):    {ref:.2f} s  {n / ref:,.0f} lines/s")
    print(f"alpr-gen supervisor+parser+view:{sup:.2f} s  {n / sup:,.0f} lines/s")
    print(f"ratio supervisor / reference:   {sup / ref:.2f}x")


if __name__ == "__main__":
    main()
