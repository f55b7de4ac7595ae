"""`alpr-gen build-parser`: compile libnvdsinfer_alpr.so for nvinfer's custom-lib-path."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from alpr_gen.commands.style import config_option, default, examples, out_option, site_option

BUILD_PARSER_EXAMPLES = examples(
    "alpr-gen build-parser --config out/demo   # where its custom-lib-path points",
    "alpr-gen build-parser -s lot7",
    "alpr-gen build-parser -o /opt/alpr/lib --deepstream 9.1",
)


def build_parser(
    site: Annotated[
        str | None,
        site_option("Render this profile into its bundle, then build where its configs point."),
    ] = None,
    config: Annotated[
        Path | None,
        config_option("Build where this bundle's custom-lib-path points, for its DeepStream."),
    ] = None,
    out: Annotated[
        Path | None,
        out_option(
            "Directory for libnvdsinfer_alpr.so; with --site the bundle." + default("lib; out/SITE")
        ),
    ] = None,
    deepstream: Annotated[
        str | None,
        typer.Option(
            "--deepstream",
            metavar="VERSION",
            help="DeepStream release the library is for, e.g. 9.1 (its parser ABI differs "
            "from 8.0's)." + default("the bundle's manifest.json, else the installed DeepStream's"),
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

    Compiles the YOLO11 box parser and the CTC OCR parser into libnvdsinfer_alpr.so for one
    DeepStream release's parser ABI. With --config or --site it goes where the bundle's
    custom-lib-path points, built for the bundle's DeepStream.
    """
    from alpr_gen.bundle import open_bundle
    from alpr_gen.errors import BuildError
    from alpr_gen.parser_build import build_parser as run_build

    cs = open_bundle(site, config, out)
    if cs is not None:
        from alpr_gen.bundle import library_dirs

        if deepstream is not None and deepstream != cs.deepstream:
            raise BuildError(
                f"--deepstream {deepstream} conflicts with the bundle's target "
                f"(DeepStream {cs.deepstream}, manifest.json)",
                hint="drop --deepstream, or render the bundle for that release",
            )
        folders = library_dirs(cs)
        deepstream = cs.deepstream
    else:
        folders = [out if out is not None else Path("lib")]
    for folder in folders:
        result = run_build(folder, deepstream_root, deepstream=deepstream)
        typer.echo(
            f"target:    DeepStream {result.target.version}, parser ABI {result.target.abi} "
            f"(from {result.target.source})"
        )
        typer.echo(f"headers:   {result.headers.describe()}")
        typer.echo(f"functions: {', '.join(result.functions)}")
        typer.echo(f"library:   {result.library}")
