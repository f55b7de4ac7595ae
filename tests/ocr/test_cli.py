"""`alpr-gen export-ocr` through the real CLI entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from alpr_gen.cli import main


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(args)
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


@pytest.mark.slow
def test_export_ocr_writes_the_three_files(tmp_path: Path, capsys) -> None:
    code, out, err = run_cli(["export-ocr", "--no-argmax", "--out", str(tmp_path)], capsys)
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "ocr_dict.txt", "ocr_rec.json", "ocr_rec.onnx",
    ]  # fmt: skip
    side = json.loads((tmp_path / "ocr_rec.json").read_text())
    assert side["output_form"] == "probs"
    assert "SGIE: infer-dims=3;48;320 output-blob-names=softmax_11.tmp_0 blank-index=0" in out


def test_export_ocr_errors_are_one_line(tmp_path: Path, capsys) -> None:
    code, _, err = run_cli(["export-ocr", "--kind", "lprnet", "--out", str(tmp_path)], capsys)
    assert code == 2
    assert "error: --kind lprnet needs --model" in err and "Traceback" not in err
    code, _, err = run_cli(["export-ocr", "--kind", "crnn"], capsys)
    assert code == 2 and "crnn" in err


def test_module_imports_nothing_heavy() -> None:
    code = (
        "import sys, typer; from alpr_gen.commands import export_ocr\n"
        "app = typer.Typer(); app.command('export-ocr')(export_ocr.export_ocr)\n"
        "import alpr_gen.ocr.presets\n"
        "print(sorted(m for m in ('numpy', 'onnx', 'onnxruntime', 'cv2', 'torch') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
