"""`alpr-gen build-parser`: compile libnvdsinfer_alpr.so for nvinfer's custom-lib-path."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command("build-parser")
    def build_parser_command(
        deepstream_root: Path | None = typer.Option(
            None,
            "--deepstream-root",
            help="DeepStream install whose sources/includes to build against "
            "(default: /opt/nvidia/deepstream/deepstream when present, else alpr-gen's own "
            "declaration of the same ABI).",
        ),
        deepstream: str | None = typer.Option(
            None,
            "--deepstream",
            help="DeepStream release the library is for, e.g. 9.1 (its parser ABI differs from "
            "8.0's). Default: the target in the bundle's manifest.json when --out is <bundle>/lib, "
            "else the installed DeepStream's version file.",
        ),
        out: Path = typer.Option(
            Path("lib"), "--out", help="Directory to put libnvdsinfer_alpr.so in."
        ),
    ) -> None:
        """Build the YOLO11 (and OCR) parser library that the rendered nvinfer configs name."""
        from alpr_gen.parser_build import build_parser

        result = build_parser(out, deepstream_root, deepstream=deepstream)
        typer.echo(
            f"target:    DeepStream {result.target.version}, parser ABI {result.target.abi} "
            f"(from {result.target.source})"
        )
        typer.echo(f"headers:   {result.headers.describe()}")
        typer.echo(f"functions: {', '.join(result.functions)}")
        typer.echo(f"library:   {result.library}")
