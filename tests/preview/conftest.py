"""Fixtures for the preview backend: the demo bundle prepared by alpr-gen's own commands, copies
to edit, the backend run in-process with its events collected, and real brokers."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from typer.testing import CliRunner

from alpr_gen.configset import load
from alpr_gen.preview.backend import PreviewBackend, PreviewOptions
from alpr_gen.preview.summary import Counters
from alpr_gen.run.events import Event, LineCrossed, PlateRead, RunSummary
from alpr_synth.demo_model import DEMO_WEIGHTS
from brokers.servers import (  # noqa: F401 - fixtures
    mosquitto,
    mosquitto_auth,
    rabbitmq_module,
    redis,
    tansu,
)

ROOT = Path(__file__).resolve().parents[2]
DEMO_CLIP = ROOT / "demo" / "demo.mp4"
DEMO_GT = ROOT / "demo" / "demo_gt.json"


def cli(*args: object) -> str:
    from alpr_gen.cli import app

    res = CliRunner().invoke(app, [str(a) for a in args])
    assert res.exit_code == 0, f"alpr-gen {' '.join(map(str, args))}: {res.output}"
    return res.output


@pytest.fixture(scope="session")
def demo_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo site as `make demo` prepares it: render, export (ONNX only), export-ocr,
    build-parser, the clip copied in. Shared by the session: copy it before changing it."""
    root = tmp_path_factory.mktemp("demo") / "demo"
    cli("render", "--site", "demo", "--out", root)
    cli("export", "--config", root, "--weights", DEMO_WEIGHTS, "--no-engine")
    cli("export-ocr", "--config", root)
    cli("build-parser", "--config", root)
    (root / "recordings").mkdir()
    (root / "media").mkdir()
    shutil.copy(DEMO_CLIP, root / "media" / "demo.mp4")
    return root


@pytest.fixture
def bundle(demo_bundle: Path, tmp_path: Path) -> Path:
    """A private copy of the demo bundle (models hard-linked where possible)."""
    dest = tmp_path / "demo"
    shutil.copytree(demo_bundle, dest, copy_function=_link_or_copy)
    return dest


def _link_or_copy(src: str, dst: str) -> None:
    try:
        Path(dst).hardlink_to(src)
    except OSError:
        shutil.copy2(src, dst)


def edit_group(path: Path, group: str, values: dict[str, str | None]) -> None:
    """Set (None: remove) keys of `[group]` in a key file, adding the group when missing."""
    text = path.read_text() if path.exists() else ""
    m = re.search(rf"^\[{re.escape(group)}\]\n(.*?)(?=^\[|\Z)", text, flags=re.M | re.S)
    body = m.group(1) if m else ""
    lines = [ln for ln in body.splitlines() if ln.split("=", 1)[0].strip() not in values]
    lines += [f"{k}={v}" for k, v in values.items() if v is not None]
    block = f"[{group}]\n" + "\n".join(lines) + "\n\n"
    text = text[: m.start()] + block + text[m.end() :] if m else text + "\n" + block
    path.unlink(missing_ok=True)  # the copy may be a hard link: never write through it
    path.write_text(text)


def one_stream(bundle: Path) -> None:
    """Only [source0] (halves the time of a run)."""
    app = bundle / "deepstream_app.txt"
    edit_group(app, "source1", {"enable": "0"})
    edit_group(app, "streammux", {"batch-size": "1"})
    edit_group(app, "primary-gie", {"batch-size": "1"})
    edit_group(app, "tiled-display", {"rows": "1", "columns": "1"})


@dataclass
class Run:
    code: int
    events: list[Event] = field(default_factory=list)
    counters: Counters | None = None

    def of(self, kind: type) -> list:  # type: ignore[type-arg]
        return [e for e in self.events if isinstance(e, kind)]

    @property
    def summary(self) -> RunSummary:
        return self.of(RunSummary)[-1]

    @property
    def reads(self) -> list[PlateRead]:
        return self.of(PlateRead)

    @property
    def crossings(self) -> list[LineCrossed]:
        return self.of(LineCrossed)


def run_preview(
    bundle: Path,
    *,
    on_event: Callable[[Event, PreviewBackend], None] | None = None,
    **options: object,
) -> Run:
    backend = PreviewBackend(load(bundle), PreviewOptions(**options))  # type: ignore[arg-type]
    run = Run(0)

    def emit(event: Event) -> None:
        run.events.append(event)
        if on_event is not None:
            on_event(event, backend)

    run.code = backend.run(emit)
    run.counters = backend.counters
    return run


def ground_truth() -> dict[str, object]:
    return json.loads(DEMO_GT.read_text())
