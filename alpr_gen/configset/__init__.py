"""The one reader of a deepstream-app config set.

`load(path)` finds the app config (a bundle directory or the file itself), reads it and every
file it names once, and returns a `ConfigSet`: the files, the path references, the GIEs with their
effective values, and typed views (`views.py`). validate, run, preflight, export and the preview
backend all read a set through here. Malformed content becomes data for validate to report; only
a path with no app config at all raises.
"""

from __future__ import annotations

from pathlib import Path

from alpr_gen.configset.files import ConfigFile, FileKind
from alpr_gen.configset.loader import load as load_app_config
from alpr_gen.configset.model import ConfigSet, Gie, PathRef, Setting, Target
from alpr_gen.deepstream.layout import find_app_config
from alpr_gen.errors import ConfigSetError

__all__ = [
    "ConfigFile",
    "ConfigSet",
    "FileKind",
    "Gie",
    "PathRef",
    "Setting",
    "Target",
    "load",
]


def load(
    path: Path,
    *,
    deepstream: str | None = None,
    platform: str | None = None,
    as_if_at: Path | None = None,
) -> ConfigSet:
    """The config set at `path`: a directory (deepstream_app.txt, else a .txt file with
    deepstream-app's groups) or the app config file itself."""
    path = Path(path)
    if not path.exists():
        raise ConfigSetError(
            f"{path}: no such file or directory",
            hint="give a bundle directory (`alpr-gen render --site demo` writes out/demo) or a "
            "deepstream-app config file",
        )
    if not path.is_dir() and not path.is_file():
        raise ConfigSetError(
            f"{path}: not a regular file (a FIFO, device or socket is never read)",
            hint="give a bundle directory (what render writes), or a deepstream-app config file",
        )
    app = find_app_config(path)
    if app is None:
        raise ConfigSetError(
            f"{path}: no deepstream-app config here (deepstream_app.txt, or a .txt file with "
            "[application]/[sourceN]/[streammux]/[primary-gie] groups)",
            hint="pass the app config file itself",
        )
    if app.suffix in (".yml", ".yaml"):
        raise ConfigSetError(
            f"{app}: YAML deepstream-app configs are not supported",
            hint="use the INI (.txt) form of the app config",
        )
    return load_app_config(app, deepstream=deepstream, platform=platform, as_if_at=as_if_at)
