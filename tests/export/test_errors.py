"""Bad input through the CLI: a clear message, exit 2, nothing half-written."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from alpr_gen.cli import main


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as e:
        main(["export", *args])
    return int(e.value.code or 0), capsys.readouterr().err


def files_under(path: Path) -> list[str]:
    return sorted(str(p.relative_to(path)) for p in path.rglob("*")) if path.exists() else []


def test_missing_weights(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run_cli(
        ["--weights", str(tmp_path / "best.pt"), "--out", str(tmp_path / "o")], capsys
    )
    assert code == 2 and "best.pt: no such file" in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"", "not a readable PyTorch checkpoint"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "not a readable PyTorch checkpoint"),
    ],
)
def test_corrupt_weights(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, match: str
) -> None:
    weights = tmp_path / "best.pt"
    weights.write_bytes(content)
    code, err = run_cli(["--weights", str(weights), "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and match in err
    assert files_under(tmp_path / "o") == []


def test_truncated_checkpoint(
    yolo_pt: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    weights = tmp_path / "best.pt"
    weights.write_bytes(yolo_pt.read_bytes()[: yolo_pt.stat().st_size // 2])
    code, err = run_cli(["--weights", str(weights), "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and "not a readable PyTorch checkpoint" in err
    assert files_under(tmp_path / "o") == []


def test_zip_that_is_not_a_checkpoint(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    weights = tmp_path / "best.pt"
    with zipfile.ZipFile(weights, "w") as z:
        z.writestr("readme.txt", "hello")
    code, err = run_cli(["--weights", str(weights), "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and "cannot load the checkpoint" in err
    assert files_under(tmp_path / "o") == []


@pytest.mark.slow
def test_classifier_checkpoint_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ultralytics import YOLO

    weights = tmp_path / "cls.pt"
    YOLO("yolo11n-cls.yaml").save(str(weights))
    code, err = run_cli(["--weights", str(weights), "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and "a classify model, not a YOLO detection model" in err
    assert files_under(tmp_path / "o") == []


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (["--imgsz", "650"], "not a positive multiple of 32"),
        (["--precision", "int8"], "int8 needs calibration images"),
        (["--dynamic"], "--dynamic needs --batch N"),
        (["--dynamic", "--batch", "1"], "--dynamic with batch 1"),
        (["--head", "end2end", "--deepstream", "6.3"], "not supported on DeepStream 6.3"),
        (["--head", "nms"], "Invalid value for '--head'"),
    ],
)
def test_bad_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], match: str
) -> None:
    weights = tmp_path / "best.pt"
    weights.write_bytes(b"never read: the options are refused first")
    code, err = run_cli(["--weights", str(weights), "--out", str(tmp_path / "o"), *args], capsys)
    assert code == 2 and match in err, err
    assert not (tmp_path / "o").exists()


def test_unwritable_output(
    yolo_pt: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where a directory should be")
    code, err = run_cli(["--weights", str(yolo_pt), "--out", str(blocker / "sub")], capsys)
    assert code == 2 and "is not writable" in err and "choose another --out" in err


@pytest.mark.slow
def test_failure_mid_export_leaves_previous_files(
    yolo_pt: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import onnxslim

    from alpr_gen.errors import ExportError
    from alpr_gen.export import ExportRequest, export_model

    out = tmp_path / "o"
    out.mkdir()
    (out / "yolo11n_random.onnx").write_bytes(b"previous onnx")
    (out / "labels.txt").write_text("previous\n")

    def boom(*a: object, **k: object) -> None:
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(onnxslim, "slim", boom)
    with pytest.raises(ExportError, match="simulated failure"):
        export_model(ExportRequest(weights=yolo_pt, out_dir=out, engine="skip"))
    assert files_under(out) == ["labels.txt", "yolo11n_random.onnx"]  # no temp files left
    assert (out / "yolo11n_random.onnx").read_bytes() == b"previous onnx"
    assert (out / "labels.txt").read_text() == "previous\n"


def test_help_does_not_import_torch() -> None:
    code = (
        "import sys\n"
        "from alpr_gen.cli import main\n"
        "try:\n    main(['export', '--help'])\n"
        "except SystemExit:\n    pass\n"
        "heavy = [m for m in ('torch', 'onnx', 'ultralytics', 'numpy', 'cv2') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "--weights" in out.stdout and "HEAVY []" in out.stdout
