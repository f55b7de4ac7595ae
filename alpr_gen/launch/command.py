"""Build the exact command that runs deepstream-app: argv, working directory, environment.

Pure functions (no process is started, nothing is read but what the caller passes), so tests can
assert them and `--dry-run` prints exactly what would run.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from alpr_gen.deepstream import facts
from alpr_gen.launch.bundle import Bundle

DEEPSTREAM_ROOT = Path(facts.INSTALL_ROOT)
# GST_DEBUG per --verbose count: 1 warnings, 2 info, 3+ debug (GStreamer's levels 2, 4, 5).
GST_DEBUG_LEVELS = {1: "2", 2: "4", 3: "5"}
_SECRET_NAME = re.compile(r"(?i)pass|secret|token|credential|api_?key")
MASK = "***"


@dataclass(frozen=True)
class LaunchSpec:
    """What to run. `env` holds only what alpr-gen sets; the child gets os.environ + env."""

    argv: list[str]
    cwd: Path
    env: dict[str, str] = field(default_factory=dict)
    docker: bool = False
    # Run before SIGKILL: killing the docker client does not stop the container.
    kill_argv: list[str] | None = None

    def shell_line(self) -> str:
        """The command as one line a user can paste (secrets masked)."""
        return shlex.join(mask_argv(self.argv))

    def shown_env(self) -> dict[str, str]:
        return mask_env(self.env)


def launch_env(bundle: Bundle, verbose: int = 0) -> dict[str, str]:
    """The variables deepstream-app needs for this bundle.

    USE_NEW_NVSTREAMMUX=yes when the muxer uses a new-mux config file; GST_DEBUG from --verbose
    (an existing GST_DEBUG is left alone when not verbose); ALPR_OCR_CONFIG so the OCR parser
    finds its settings.
    """
    env: dict[str, str] = {}
    if bundle.new_streammux:
        env["USE_NEW_NVSTREAMMUX"] = "yes"
    if verbose > 0:
        env["GST_DEBUG"] = GST_DEBUG_LEVELS[min(verbose, 3)]
        env["GST_DEBUG_NO_COLOR"] = "1"
    if bundle.ocr_config is not None:
        env["ALPR_OCR_CONFIG"] = str(bundle.ocr_config)
    return env


def native_command(
    bundle: Bundle,
    deepstream_app: str,
    *,
    verbose: int = 0,
    stdbuf: str | None = None,
) -> LaunchSpec:
    """`deepstream-app -c <app config>` in the bundle directory.

    deepstream-app prints with g_print (C stdio): into a pipe that is block-buffered, so the
    live view would see PERF lines late. `stdbuf -oL -eL` makes it line-buffered.
    """
    argv = [stdbuf, "-oL", "-eL"] if stdbuf else []
    argv += [deepstream_app, "-c", _rel(bundle.app_config, bundle.dir)]
    return LaunchSpec(argv, bundle.dir, launch_env(bundle, verbose))


def docker_command(
    bundle: Bundle,
    image: str,
    *,
    verbose: int = 0,
    platform: str | None = None,
    display: str | None = None,
    docker: str = "docker",
    name: str | None = None,
) -> LaunchSpec:
    """The same launch inside NVIDIA's DeepStream container.

    The bundle is mounted at the same path (absolute paths in the configs keep working and
    nvinfer can write the engine it builds next to the ONNX); directories outside the bundle that
    the configs name (models, parser library) are mounted too. `--init` puts tini in front so the
    forwarded SIGINT reaches deepstream-app; `-i` keeps its stdin a pipe (deepstream-app polls
    stdin for key commands).
    """
    platform = platform or bundle.target_platform or "dgpu"
    argv = [docker, "run", "--rm", "-i", "--init", "--network", "host"]
    name = name or f"alpr-gen-{bundle.site or bundle.dir.name}"
    argv += ["--name", name]
    argv += ["--runtime", "nvidia"] if platform == "jetson" else ["--gpus", "all"]
    for host_dir in mount_dirs(bundle):
        argv += ["-v", f"{host_dir}:{host_dir}"]
    env = launch_env(bundle, verbose)
    if display and bundle.has_display_sink:
        env["DISPLAY"] = display
        argv += ["-v", "/tmp/.X11-unix:/tmp/.X11-unix"]
    for key, value in env.items():
        argv += ["-e", f"{key}={value}"]
    argv += ["-w", str(bundle.dir), image]
    argv += ["stdbuf", "-oL", "-eL", "deepstream-app", "-c", _rel(bundle.app_config, bundle.dir)]
    return LaunchSpec(argv, bundle.dir, {}, docker=True, kill_argv=[docker, "kill", name])


def mount_dirs(bundle: Bundle) -> list[Path]:
    """The bundle dir plus every directory outside it that the configs name (not DeepStream's
    own install, which the image has), without nesting duplicates."""
    dirs: list[Path] = [bundle.dir]
    for path in referenced_paths(bundle):
        parent = path.parent
        if _under(parent, DEEPSTREAM_ROOT.parent) or any(_under(parent, d) for d in dirs):
            continue
        dirs = [d for d in dirs if not _under(d, parent)] + [parent]
    return dirs


def referenced_paths(bundle: Bundle) -> list[Path]:
    """Absolute paths of the files the configs name (model, engine, parser, labels...)."""
    keys = (
        "onnx-file",
        "model-engine-file",
        "custom-lib-path",
        "labelfile-path",
        "int8-calib-file",
    )
    out: list[Path] = []
    for infer in bundle.infer:
        out.append(infer.path)
        engine = infer.engine_path(bundle.app_config.parent)
        if engine is not None:
            out.append(engine)
        for key in keys:
            value = infer.prop(key)
            if value:
                out.append(infer.resolve(value))
    for sink in bundle.msg_sinks:
        if sink.broker_config is not None:
            out.append(sink.broker_config)
    return [p.resolve() if p.is_absolute() else p for p in out]


def mask_uri(uri: str) -> str:
    """Hide user:password in a URI: rtsp://user:pw@cam/x -> rtsp://***@cam/x."""
    try:
        parts = urlsplit(uri)
    except ValueError:
        return uri
    if "@" not in parts.netloc:
        return uri
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{MASK}@{host}"))


def mask_env(env: Mapping[str, str]) -> dict[str, str]:
    return {k: (MASK if _SECRET_NAME.search(k) else mask_uri(v)) for k, v in env.items()}


def mask_argv(argv: list[str]) -> list[str]:
    out: list[str] = []
    for arg in argv:
        key, eq, _value = arg.partition("=")
        if eq and _SECRET_NAME.search(key):
            out.append(f"{key}={MASK}")
        else:
            out.append(mask_uri(arg))
    return out


def _rel(path: Path, base: Path) -> str:
    try:
        return str(path.relative_to(base))
    except ValueError:
        return str(path)


def _under(path: Path, parent: Path) -> bool:
    try:
        path.relative_to(parent)
    except ValueError:
        return False
    return True
