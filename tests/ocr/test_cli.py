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


@pytest.mark.slow
def test_export_ocr_config_writes_where_the_bundle_names(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--config: the ONNX goes where sgie_ocr.txt's onnx-file points, the dictionary where
    ocr_parser.cfg's points, in the input size the SGIE states; then nothing is pending."""
    from alpr_gen.validate import lint_path
    from alpr_gen.writer import render_to_dir

    monkeypatch.chdir(tmp_path)
    profile = tmp_path / "ocrpaths.yaml"
    profile.write_text(
        "extends: demo\nname: ocrpaths\n"
        "ocr: {model: recog/plates.onnx, dictionary: dicts/plates.txt, input_width: 256}\n"
    )
    bundle = render_to_dir(str(profile), tmp_path / "b").out_dir
    code, _, err = run_cli(["export-ocr", "--config", str(bundle)], capsys)
    assert code == 0, err
    assert (bundle / "recog/plates.onnx").is_file() and (bundle / "dicts/plates.txt").is_file()
    side = json.loads((bundle / "recog/plates.json").read_text())
    assert side["infer_dims"] == [3, 48, 256]
    pending = {
        (f.file, f.key)
        for f in lint_path(bundle).findings
        if f.rule_id == "DS202" and f.file in ("sgie_ocr.txt", "ocr_parser.cfg")
    }
    assert not pending
    # An option that contradicts the SGIE is refused.
    code, _, err = run_cli(["export-ocr", "-c", str(bundle), "--width", "320"], capsys)
    assert code == 2 and "--width 320 conflicts with sgie_ocr.txt" in err
