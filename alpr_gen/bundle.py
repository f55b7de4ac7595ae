"""The bundle a command writes into: `--config DIR` as it is, or `--site NAME` rendered first.

`export`, `export-ocr` and `build-parser` put what they produce where the rendered configs name
it (onnx-file, the OCR dictionary, custom-lib-path), so the set on disk decides the paths. With
`--site`, the profile is rendered into its bundle first (out/NAME, or `--out DIR`): render is
validated and leaves unchanged files alone, so this is cheap when the bundle is current.
"""

from __future__ import annotations

from pathlib import Path

from alpr_gen.configset import ConfigSet
from alpr_gen.errors import AlprGenError


def open_bundle(site: str | None, config: Path | None, out: Path | None) -> ConfigSet | None:
    """The set for --site/--config; None when neither was given (the command's own mode)."""
    from alpr_gen.configset import load

    if site is not None and config is not None:
        raise AlprGenError(
            "give --site NAME or --config DIR, not both",
            hint="--site renders the profile into its bundle first; --config uses a bundle as is",
        )
    if config is not None:
        if out is not None:
            raise AlprGenError(
                "--out does not go with --config: the files go where the config set names them",
                hint=f"drop --out (the set in {config} decides the paths)",
            )
        return load(config.expanduser())
    if site is None:
        return None
    from alpr_gen.writer import render_to_dir

    outcome = render_to_dir(site, out)
    return load(outcome.out_dir)


def library_dirs(cs: ConfigSet) -> list[Path]:
    """Where the set's enabled GIEs look for alpr-gen's parser library (custom-lib-path), each
    directory once; the library must sit inside the bundle."""
    import os
    import shlex

    from alpr_gen.deepstream.facts import PARSER_LIBRARY

    folders: list[Path] = []
    others: list[str] = []
    for gie in cs.enabled_gies:
        lib = gie.path("custom-lib-path")
        if lib is None:
            continue
        if lib.name != PARSER_LIBRARY:
            others.append(f"{gie.name}: {lib}")
            continue
        if os.path.relpath(lib, cs.logical_root).startswith(".."):
            raise AlprGenError(
                f"{gie.name}: custom-lib-path {lib} is outside the bundle {cs.logical_root}",
                hint="build it there with "
                f"`alpr-gen build-parser --out {shlex.quote(str(lib.parent))} "
                f"--deepstream {cs.deepstream}`, or render the "
                "bundle again so custom-lib-path points inside it",
            )
        if lib.parent not in folders:
            folders.append(lib.parent)
    if not folders:
        named = f" (it names {'; '.join(others)})" if others else ""
        raise AlprGenError(
            f"{cs.logical_root}: no enabled GIE uses {PARSER_LIBRARY}{named}",
            hint="nothing to build for this set",
        )
    return folders
