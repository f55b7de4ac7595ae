"""`alpr-gen build-parser`: compile libnvdsinfer_alpr.so for nvinfer's custom-lib-path."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from alpr_gen.commands.style import default, examples

BUILD_PARSER_EXAMPLES = examples(
    "alpr-gen build-parser --config out/demo   # where its custom-lib-path points",
    "alpr-gen build-parser -s lot7",
    "alpr-gen build-parser -o /opt/alpr/lib --deepstream-root /opt/ds",
)


def build_parser(
    site: Annotated[
        str | None,
        typer.Option(
            "--site",
            "-s",
            metavar="NAME",
            help="Render this profile into its bundle, then build where its configs point.",
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            metavar="DIR",
            help="Build where this bundle's custom-lib-path points.",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            metavar="DIR",
            help="Directory for libnvdsinfer_alpr.so; with --site the bundle."
            + default("lib; out/SITE"),
        ),
    ] = None,
    deepstream_root: Annotated[
        Path | None,
        typer.Option(
            "--deepstream-root",
            metavar="DIR",
            help="DeepStream install whose headers to build against."
            + default("/opt/nvidia/deepstream/deepstream when there, else alpr-gen's own ABI"),
        ),
    ] = None,
) -> None:
    """Build the parser library the rendered nvinfer configs name.

    Compiles the YOLO11 box parser and the CTC OCR parser into libnvdsinfer_alpr.so. With
    --config or --site it goes where the bundle's custom-lib-path points.
    """
    from alpr_gen.bundle import open_bundle
    from alpr_gen.parser_build import build_parser as run_build

    cs = open_bundle(site, config, out)
    if cs is not None:
        from alpr_gen.bundle import library_dirs

        folders = library_dirs(cs)
    else:
        folders = [out if out is not None else Path("lib")]
    for folder in folders:
        result = run_build(folder, deepstream_root)
        typer.echo(f"headers:   {result.headers.describe()}")
        typer.echo(f"functions: {', '.join(result.functions)}")
        typer.echo(f"library:   {result.library}")
