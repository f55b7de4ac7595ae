"""`alpr-gen export-ocr`: prepare a CTC plate recogniser (PP-OCR, LPRNet) for the OCR SGIE."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer


class OcrKind(str, Enum):
    ppocr = "ppocr"
    lprnet = "lprnet"


def register(app: typer.Typer) -> None:
    @app.command("export-ocr")
    def export_ocr(
        model: Annotated[
            Path | None,
            typer.Option(help="Recogniser ONNX (default: rapidocr's bundled PP-OCRv4 rec model)."),
        ] = None,
        kind: Annotated[OcrKind, typer.Option(help="Preprocessing and blank convention.")] = (
            OcrKind.ppocr
        ),
        dict_file: Annotated[
            Path | None,
            typer.Option(
                "--dict",
                help="Dictionary, one character per line, blank not listed (default: the "
                "model's 'character' metadata).",
            ),
        ] = None,
        height: Annotated[
            int | None, typer.Option(help="Input height (default: the kind's, 48).")
        ] = None,
        width: Annotated[
            int | None, typer.Option(help="Input width (default: ppocr 320, lprnet 96).")
        ] = None,
        argmax: Annotated[
            bool,
            typer.Option(
                "--argmax/--no-argmax",
                help="Append ArgMax/ReduceMax: the host reads [T] indices + [T] scores.",
            ),
        ] = True,
        out: Annotated[Path, typer.Option(help="Output directory.")] = Path("models"),
    ) -> None:
        """Fix the input to 3xHxW (dynamic batch); write ocr_rec.onnx, ocr_dict.txt, a JSON."""
        from alpr_gen.ocr.export import OcrExportRequest
        from alpr_gen.ocr.export import export_ocr as run_export

        res = run_export(
            OcrExportRequest(
                model=model,
                kind=kind.value,
                dict_file=dict_file,
                height=height,
                width=width,
                argmax=argmax,
                out_dir=out,
            )
        )
        side = res.sidecar
        typer.echo(f"wrote {res.onnx_path}  ({', '.join(side['output_blob_names'])})")
        typer.echo(f"wrote {res.dict_path}  ({side['num_classes'] - 1} characters + blank)")
        typer.echo(f"wrote {res.sidecar_path}")
        dims = ";".join(str(d) for d in side["infer_dims"])
        typer.echo(
            f"SGIE: infer-dims={dims} output-blob-names={';'.join(side['output_blob_names'])} "
            f"blank-index={side['blank_index']}"
        )
