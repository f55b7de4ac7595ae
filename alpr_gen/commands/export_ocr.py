"""`alpr-gen export-ocr`: prepare a CTC plate recogniser (PP-OCR, LPRNet) for the OCR SGIE."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from alpr_gen.commands.style import config_option, default, examples, out_option, site_option

EXPORT_OCR_EXAMPLES = examples(
    "alpr-gen export-ocr --config out/demo   # rapidocr's PP-OCRv4",
    "alpr-gen export-ocr -s lot7 -m rec.onnx --dict keys.txt",
    "alpr-gen export-ocr -m lprnet.onnx --kind lprnet --dict us.txt -o models",
)


class OcrKind(str, Enum):
    ppocr = "ppocr"
    lprnet = "lprnet"


def export_ocr(
    site: Annotated[
        str | None,
        site_option("Render this profile into its bundle, then write what its OCR configs name."),
    ] = None,
    config: Annotated[
        Path | None,
        config_option("Write what this bundle's OCR configs name (onnx-file, dictionary)."),
    ] = None,
    out: Annotated[
        Path | None,
        out_option("Output directory; with --site the bundle." + default("models; out/SITE")),
    ] = None,
    model: Annotated[
        Path | None,
        typer.Option(
            "--model",
            "-m",
            metavar="FILE",
            help="Recogniser ONNX." + default("rapidocr's PP-OCRv4 recogniser"),
        ),
    ] = None,
    kind: Annotated[
        OcrKind | None,
        typer.Option(
            "--kind",
            help="Preprocessing and blank convention." + default("ppocr; the bundle's"),
            show_default=False,
        ),
    ] = None,
    dict_file: Annotated[
        Path | None,
        typer.Option(
            "--dict",
            metavar="FILE",
            help="Dictionary, one character per line, blank not listed."
            + default("the model's 'character' metadata"),
        ),
    ] = None,
    height: Annotated[
        int | None,
        typer.Option("--height", metavar="N", help="Input height." + default("the kind's, 48")),
    ] = None,
    width: Annotated[
        int | None,
        typer.Option("--width", metavar="N", help="Input width." + default("ppocr 320, lprnet 96")),
    ] = None,
    argmax: Annotated[
        bool | None,
        typer.Option(
            "--argmax/--no-argmax",
            help="Append ArgMax/ReduceMax: the host reads [T] indices and [T] scores."
            + default("on; the bundle's"),
            show_default=False,
        ),
    ] = None,
    two_line: Annotated[
        bool | None,
        typer.Option(
            "--two-line/--no-two-line",
            help="Read two-line plates too: the recogniser also reads the top and bottom halves "
            "and keeps the better read (in the graph)." + default("on for ppocr, off for lprnet"),
            show_default=False,
        ),
    ] = None,
) -> None:
    """Prepare a PP-OCR or LPRNet plate recogniser for the SGIE.

    Fixes the input to 3xHxW (dynamic batch), makes PP-OCR read two-line plates too, optionally
    appends ArgMax, and writes the ONNX, the dictionary and a JSON record. With --config or
    --site they go where the bundle's sgie_ocr.txt and ocr_parser.cfg name them, with the input
    size those files expect.
    """
    from alpr_gen.bundle import open_bundle
    from alpr_gen.ocr.export import OcrExportRequest
    from alpr_gen.ocr.export import export_ocr as run_export

    cs = open_bundle(site, config, out)
    if cs is not None:
        from alpr_gen.ocr.bundle_request import ocr_request_from_config

        req = ocr_request_from_config(
            cs,
            model=model,
            kind=kind.value if kind else None,
            dict_file=dict_file,
            height=height,
            width=width,
            argmax=argmax,
            two_line=two_line,
        )
    else:
        req = OcrExportRequest(
            model=model,
            kind=kind.value if kind else "ppocr",
            dict_file=dict_file,
            height=height,
            width=width,
            argmax=True if argmax is None else argmax,
            two_line=two_line,
            out_dir=out if out is not None else Path("models"),
        )
    res = run_export(req)
    side = res.sidecar
    typer.echo(f"wrote {res.onnx_path}  ({', '.join(side['output_blob_names'])})")
    typer.echo(f"wrote {res.dict_path}  ({side['num_classes'] - 1} characters + blank)")
    typer.echo(f"wrote {res.sidecar_path}")
    dims = ";".join(str(d) for d in side["infer_dims"])
    typer.echo(
        f"SGIE: infer-dims={dims} output-blob-names={';'.join(side['output_blob_names'])} "
        f"blank-index={side['blank_index']}"
    )
    if side.get("two_line"):
        typer.echo(
            f"two-line plates: read as top + bottom line when that reads better "
            f"({side['time_steps']} time steps)"
        )
