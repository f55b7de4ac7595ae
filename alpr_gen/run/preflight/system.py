"""The machine: deepstream-app (or docker), DeepStream's version, its adaptor libraries, a GPU."""

from __future__ import annotations

import glob
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

from alpr_gen.deepstream.facts import INSTALL_PREFIX
from alpr_gen.next_steps import bundle_arg, render_advice
from alpr_gen.run.preflight.model import (
    FAIL,
    OK,
    SKIP,
    WARN,
    Check,
    Environment,
    PreflightContext,
)

GET_DEEPSTREAM = (
    "get DeepStream: use NVIDIA's container (`alpr-gen run --config {bundle} --docker "
    "nvcr.io/nvidia/deepstream:{ver}-triton-multiarch`, needs docker and the NVIDIA Container "
    "Toolkit) or install the DeepStream SDK {ver} "
    "(docs.nvidia.com/metropolis/deepstream/dev-guide), or point --deepstream-app at the binary"
)


def find_deepstream_app(explicit: str | None, env: Environment) -> str | None:
    if explicit:
        path = Path(explicit).expanduser()
        if path.is_file():
            return str(path.resolve())
        return env.which(explicit)
    return env.which("deepstream-app")


def installed_version(env: Environment, deepstream_app: str | None) -> tuple[str | None, str]:
    """(major.minor, where it was read) from the install, or (None, why not)."""
    version_file = env.deepstream_root / "version"
    if version_file.is_file():
        m = re.search(r"Version:\s*(\d+\.\d+)", version_file.read_text(errors="replace")[:4096])
        if m:
            return m.group(1), str(version_file)
    if env.deepstream_root.is_symlink() or env.deepstream_root.is_dir():
        m = re.search(r"deepstream-(\d+\.\d+)", str(env.deepstream_root.resolve()))
        if m:
            return m.group(1), f"{env.deepstream_root} -> {env.deepstream_root.resolve()}"
    if deepstream_app:
        text = env.run_version(deepstream_app)
        m = re.search(r"DeepStreamSDK\s+(\d+\.\d+)", text or "")
        if m:
            return m.group(1), f"{deepstream_app} --version-all"
    return None, "no version file, no versioned install dir, no --version-all output"


def image_version(image: str) -> str | None:
    """nvcr.io/nvidia/deepstream:7.0-triton-multiarch -> 7.0."""
    m = re.search(r":(\d+\.\d+)", image.rsplit("/", 1)[-1])
    return m.group(1) if m else None


def version_check(found: str | None, where: str, target: str) -> Check:
    if found is None:
        return Check(
            "DeepStream version", FAIL, where, "install DeepStream (see the deepstream-app check)"
        )
    if found != target:
        return Check(
            "DeepStream version",
            FAIL,
            f"{found} installed, bundle targets {target}",
            f"re-render for {found} (profile target.deepstream) or run in "
            f"nvcr.io/nvidia/deepstream:{target}-triton-multiarch with --docker",
        )
    return Check("DeepStream version", OK, f"{found} ({where}) = target")


def deepstream_app(ctx: PreflightContext) -> Iterator[Check]:
    if ctx.docker_image:
        docker = ctx.env.which("docker")
        yield Check(
            "docker",
            OK if docker else FAIL,
            docker or "not on PATH",
            "" if docker else "install Docker and the NVIDIA Container Toolkit",
        )
        return
    ctx.found_app = find_deepstream_app(ctx.deepstream_app, ctx.env)
    if ctx.found_app:
        yield Check("deepstream-app", OK, ctx.found_app)
    else:
        where = f"{ctx.deepstream_app!r} not found" if ctx.deepstream_app else "not on PATH"
        hint = GET_DEEPSTREAM.format(ver=ctx.cs.deepstream, bundle=bundle_arg(ctx.cs))
        yield Check("deepstream-app", FAIL, where, hint)


def deepstream_version(ctx: PreflightContext) -> Iterator[Check]:
    target = ctx.cs.deepstream
    if ctx.cs.target.source == "assumed":
        target_note = f"{target} (assumed: the set has no manifest.json)"
    else:
        target_note = target
    if ctx.docker_image:
        image = ctx.docker_image
        yield version_check(image_version(image), f"image {image}", target)
        return
    version, where = installed_version(ctx.env, ctx.found_app)
    if not ctx.found_app and not version:
        yield Check("DeepStream version", SKIP, "no DeepStream install found")
    elif ctx.cs.target.source == "assumed" and version:
        yield Check(
            "DeepStream version",
            WARN,
            f"{version} ({where}); bundle has no target, checked as {target_note}",
            f"render it with alpr-gen so manifest.json names the target: "
            f"{render_advice(ctx.cs.site, ctx.cs.logical_root)}",
        )
    else:
        yield version_check(version, where, target)


def adaptor_libraries(ctx: PreflightContext) -> Iterator[Check]:
    """The broker adaptor each message sink loads must exist on this machine."""
    for sink in ctx.cs.msg_sinks:
        if not sink.proto_lib:
            continue  # validate reports the missing key
        name = f"broker adaptor [{sink.group}]"
        lib = Path(sink.proto_lib)
        if not lib.is_absolute():
            lib = ctx.cs.app_config.parent / lib
        if ctx.docker_image and str(lib).startswith(INSTALL_PREFIX.as_posix()):
            yield Check(name, SKIP, f"{lib} (inside the container)")
        elif lib.is_file():
            yield Check(name, OK, str(lib))
        else:
            yield Check(
                name,
                FAIL,
                f"{lib} missing",
                "DeepStream ships the adaptors in its lib/ directory; install the SDK "
                "(the Kafka adaptor also needs librdkafka)",
            )


def gpu(ctx: PreflightContext) -> Iterator[Check]:
    yield gpu_check(ctx.env, ctx.platform)


def gpu_check(env: Environment, platform: str) -> Check:
    smi = env.which("nvidia-smi")
    if smi:
        try:
            res = subprocess.run([smi, "-L"], capture_output=True, text=True, timeout=10)
            if res.returncode == 0 and "GPU" in res.stdout:
                return Check("GPU", OK, res.stdout.strip().splitlines()[0])
        except (OSError, subprocess.TimeoutExpired):
            pass
    if (env.dev / "nvidia0").exists():
        return Check("GPU", OK, f"{env.dev / 'nvidia0'}")
    jetson = sorted(glob.glob(str(env.dev / "nvhost-*")))
    if jetson:
        return Check("GPU", OK, f"Jetson ({Path(jetson[0]).name})")
    hint = (
        "on Jetson: run on the device itself (JetPack installed)"
        if platform == "jetson"
        else "install the NVIDIA driver; in a container pass --gpus all (NVIDIA Container Toolkit)"
    )
    return Check("GPU", FAIL, "no nvidia-smi, /dev/nvidia0 or /dev/nvhost-*", hint)
