"""Build the exact command that runs deepstream-app: argv, working directory, environment.

Pure functions (no process is started, nothing is read but what the caller passes), so tests can
assert them and `--dry-run` prints exactly what would run.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from pathlib import Path

from alpr_gen.configset import ConfigSet
from alpr_gen.configset.views import has_display_sink, uses_new_streammux
from alpr_gen.deepstream import facts
from alpr_gen.redact import mask_argv, mask_env

DEEPSTREAM_ROOT = Path(facts.INSTALL_ROOT)
# GST_DEBUG per --verbose count: 1 warnings, 2 info, 3+ debug (GStreamer's levels 2, 4, 5).
GST_DEBUG_LEVELS = {1: "2", 2: "4", 3: "5"}


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


def launch_env(cs: ConfigSet, verbose: int = 0) -> dict[str, str]:
    """The variables deepstream-app needs for this bundle.

    USE_NEW_NVSTREAMMUX=yes when the muxer uses a new-mux config file; GST_DEBUG from --verbose
    (an existing GST_DEBUG is left alone when not verbose); ALPR_OCR_CONFIG so the OCR parser
    finds its settings.
    """
    env: dict[str, str] = {}
    if uses_new_streammux(cs):
        env["USE_NEW_NVSTREAMMUX"] = "yes"
    if verbose > 0:
        env["GST_DEBUG"] = GST_DEBUG_LEVELS[min(verbose, 3)]
        env["GST_DEBUG_NO_COLOR"] = "1"
    if cs.ocr_file is not None:
        env["ALPR_OCR_CONFIG"] = str(cs.ocr_file.real.resolve())
    return env


def native_command(
    cs: ConfigSet,
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
    argv += [deepstream_app, "-c", cs.app_config.name]
    return LaunchSpec(argv, bundle_dir(cs), launch_env(cs, verbose))


def docker_command(
    cs: ConfigSet,
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
    platform = platform or cs.platform
    argv = [docker, "run", "--rm", "-i", "--init", "--network", "host"]
    root = bundle_dir(cs)
    name = name or f"alpr-gen-{cs.site or root.name}"
    argv += ["--name", name]
    argv += ["--runtime", "nvidia"] if platform == "jetson" else ["--gpus", "all"]
    for host_dir in mount_dirs(cs):
        argv += ["-v", f"{host_dir}:{host_dir}"]
    env = launch_env(cs, verbose)
    if display and has_display_sink(cs):
        env["DISPLAY"] = display
        argv += ["-v", "/tmp/.X11-unix:/tmp/.X11-unix"]
    for key, value in env.items():
        argv += ["-e", f"{key}={value}"]
    argv += ["-w", str(root), image]
    argv += ["stdbuf", "-oL", "-eL", "deepstream-app", "-c", cs.app_config.name]
    return LaunchSpec(argv, root, {}, docker=True, kill_argv=[docker, "kill", name])


def bundle_dir(cs: ConfigSet) -> Path:
    """deepstream-app runs in the app config's directory: the OCR parser reads ocr_parser.cfg
    from its working directory, and relative output files land in the bundle."""
    return cs.app_config.parent.resolve()


def mount_dirs(cs: ConfigSet) -> list[Path]:
    """The bundle dir plus every directory outside it that the configs name (not DeepStream's
    own install, which the image has), without nesting duplicates."""
    dirs: list[Path] = [bundle_dir(cs)]
    for path in referenced_paths(cs):
        parent = path.parent
        if _under(parent, DEEPSTREAM_ROOT.parent) or any(_under(parent, d) for d in dirs):
            continue
        dirs = [d for d in dirs if not _under(d, parent)] + [parent]
    return dirs


def referenced_paths(cs: ConfigSet) -> list[Path]:
    """Absolute paths of the files the configs name (nvinfer files, models, engines, parser,
    labels, broker configs), as deepstream-app resolves them."""
    keys = (
        "onnx-file",
        "model-engine-file",
        "custom-lib-path",
        "labelfile-path",
        "int8-calib-file",
    )
    out: list[Path] = []
    for gie in cs.enabled_gies:
        if gie.config is not None:
            out.append(gie.config.logical)
        for key in keys:
            path = gie.path(key)
            if path is not None:
                out.append(path)
    for sink in cs.msg_sinks:
        if sink.broker_config is not None:
            out.append(sink.broker_config.logical)
    return [p.resolve() if p.is_absolute() else p for p in out]


def _under(path: Path, parent: Path) -> bool:
    try:
        path.relative_to(parent)
    except ValueError:
        return False
    return True
