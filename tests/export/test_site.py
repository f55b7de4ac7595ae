"""`--site`: the profile fills the request; export writes what the rendered config names."""

from __future__ import annotations

from pathlib import Path

import pytest

from alpr_gen.errors import ExportError
from alpr_gen.export.site_request import request_from_site

PROFILE = """\
name: exportsite
target: {platform: jetson, deepstream: "7.1", gpu_id: 0}
place: {id: lot, name: Test lot}
cameras:
  - {id: cam-a, name: A, uri: "rtsp://10.0.0.1/a"}
  - {id: cam-b, name: B, uri: "rtsp://10.0.0.1/b"}
  - {id: cam-c, name: C, uri: "rtsp://10.0.0.1/c"}
detector:
  onnx: models/plates.onnx
  labels: [vehicle, plate]
  vehicle_class_ids: [0]
  plate_class_ids: [1]
  precision: fp16
  input_size: 640
  head: HEAD
  thresholds: {confidence: 0.3, nms_iou: 0.5, topk: 50, per_class: {plate: 0.2}}
"""


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # --site renders its bundle (default out/<site> under the current directory): keep it here.
    monkeypatch.chdir(tmp_path)


def write_profile(tmp_path: Path, head: str = "deepstream") -> Path:
    path = tmp_path / "exportsite.yaml"
    path.write_text(PROFILE.replace("HEAD", head))
    return path


def test_profile_supplies_defaults_and_paths(tmp_path: Path) -> None:
    weights = tmp_path / "best.pt"
    req = request_from_site(str(write_profile(tmp_path)), weights, tmp_path / "bundle", {})
    # 3 cameras -> batch 3; DeepStream 7.1 -> TensorRT 10 -> opset 19
    assert (req.batch, req.precision, req.imgsz, req.head) == (3, "fp16", 640, "deepstream")
    assert req.deepstream == "7.1" and req.resolved_opset == 19
    assert req.onnx_path == tmp_path / "bundle" / "models/plates.onnx"
    assert req.engine_relpath == "models/plates.onnx_b3_gpu0_fp16.engine"
    assert req.expected_labels == ("vehicle", "plate")
    # the lower of the global and per-class thresholds is baked into an end2end graph
    assert req.conf == pytest.approx(0.2) and req.iou == pytest.approx(0.5) and req.topk == 50
    assert req.sources["batch"] == "profile"


def test_default_bundle_dir(tmp_path: Path) -> None:
    req = request_from_site(str(write_profile(tmp_path)), tmp_path / "w.pt", None, {})
    assert req.out_dir == (Path("out") / "exportsite").absolute()


@pytest.mark.parametrize(
    ("option", "value", "match"),
    [
        ("batch", 4, "--batch 4 conflicts with site 'exportsite'.*batch-size = 3"),
        ("precision", "int8", "--precision int8 conflicts"),
        ("imgsz", 960, "--imgsz 960 conflicts"),
        ("head", "end2end", "--head end2end conflicts"),
    ],
)
def test_options_that_contradict_the_configs_are_refused(
    tmp_path: Path, option: str, value: object, match: str
) -> None:
    with pytest.raises(ExportError, match=match):
        request_from_site(str(write_profile(tmp_path)), tmp_path / "w.pt", None, {option: value})


def test_agreeing_options_and_free_options(tmp_path: Path) -> None:
    req = request_from_site(
        str(write_profile(tmp_path)), tmp_path / "w.pt", None, {"batch": 3, "workspace_mb": 512}
    )
    assert req.batch == 3 and req.workspace_mb == 512 and req.sources["workspace_mb"] == "cli"


def test_end2end_site(tmp_path: Path) -> None:
    req = request_from_site(str(write_profile(tmp_path, "end2end")), tmp_path / "w.pt", None, {})
    assert req.head == "end2end"


def test_class_count_must_match_profile(yolo_pt: Path, tmp_path: Path) -> None:
    from alpr_gen.export import export_model

    req = request_from_site(str(write_profile(tmp_path)), yolo_pt, tmp_path / "bundle", {})
    with pytest.raises(ExportError, match=r"expects detector.labels.*80 classes, the configs 2"):
        export_model(req)
    assert not (tmp_path / "bundle" / "models").exists()


@pytest.fixture(scope="module")
def plate_pt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-class (vehicle, plate) YOLO11n with random weights."""
    import torch
    from ultralytics import YOLO
    from ultralytics.nn.tasks import DetectionModel

    torch.manual_seed(1)
    yolo = YOLO("yolo11n.yaml")
    yolo.model = DetectionModel("yolo11n.yaml", nc=2, verbose=False)
    yolo.model.names = {0: "vehicle", 1: "plate"}
    path = tmp_path_factory.mktemp("plates") / "plates.pt"
    yolo.save(str(path))
    return path


@pytest.mark.slow
def test_site_export_lands_where_the_rendered_config_points(plate_pt: Path, tmp_path: Path) -> None:
    import onnx

    from alpr_gen.deepstream.keyfile import parse_keyfile
    from alpr_gen.export import export_model
    from alpr_gen.profile import load_profile
    from alpr_gen.render import render_site

    profile_path = write_profile(tmp_path)
    bundle = tmp_path / "bundle"
    res = export_model(request_from_site(str(profile_path), plate_pt, bundle, {}))
    pgie = parse_keyfile(render_site(load_profile(str(profile_path)))["pgie_yolo11.txt"])
    prop = pgie.groups["property"].entries
    assert res.onnx == bundle / prop["onnx-file"].value and res.onnx.is_file()
    assert res.engine.path == bundle / prop["model-engine-file"].value
    assert res.engine.status == "deferred"  # no TensorRT here; nvinfer builds exactly that file
    model = onnx.load(str(res.onnx))
    dims = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
    assert dims == [int(prop["batch-size"].value), 3, 640, 640]
    assert model.opset_import[0].version == 19
    assert res.labels.read_text() == "vehicle\nplate\n"
    # Export writes its labels beside the ONNX and leaves the bundle's rendered labels.txt alone.
    assert res.labels.parent == res.onnx.parent
    assert (bundle / "labels.txt").read_text() == render_site(load_profile(str(profile_path)))[
        "labels.txt"
    ]


@pytest.mark.slow
def test_class_order_that_differs_from_the_profile_is_an_error(
    plate_pt: Path, tmp_path: Path
) -> None:
    """labels [plate, vehicle] on a model trained [vehicle, plate]: the OCR would read
    vehicles. Refused at export with both lists, and nothing written."""
    from alpr_gen.export import export_model

    path = tmp_path / "swapped.yaml"
    path.write_text(
        PROFILE.replace("HEAD", "deepstream")
        .replace("labels: [vehicle, plate]", "labels: [plate, vehicle]")
        .replace("vehicle_class_ids: [0]", "vehicle_class_ids: [1]")
        .replace("plate_class_ids: [1]", "plate_class_ids: [0]")
        .replace("name: exportsite", "name: swapped")
    )
    req = request_from_site(str(path), plate_pt, tmp_path / "bundle", {})
    with pytest.raises(ExportError) as exc:
        export_model(req)
    message = str(exc.value)
    assert "['vehicle', 'plate']" in message and "['plate', 'vehicle']" in message
    assert "another order" in message
    assert not (tmp_path / "bundle" / "models").exists()


def test_config_export_takes_the_input_size_from_the_profile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--config DIR: the configs do not state the detector's input size; the profile named by
    manifest.json does (a shipped one here), unless --imgsz says otherwise."""
    from alpr_gen.configset import load
    from alpr_gen.export.site_request import request_from_bundle
    from alpr_gen.writer import render_to_dir

    monkeypatch.setenv("FLEET_MQTT_PASSWORD", "x")
    outcome = render_to_dir("fleet16", tmp_path / "fleet16")
    cs = load(outcome.out_dir)
    req = request_from_bundle(cs, tmp_path / "w.pt", {})
    assert req.imgsz == outcome.rendered.plan.pgie.input_size
    assert req.onnx_path == outcome.out_dir / "models/yolo11s.onnx"
    assert request_from_bundle(cs, tmp_path / "w.pt", {"imgsz": 320}).imgsz == 320


def test_config_export_reads_the_profile_without_its_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--config DIR where the profile's variables are not set (lot7's camera URIs are
    `${LOT7_CAM1_URI:-rtsp://...}`): each keeps its default, so the profile loads and the input
    size comes from it."""
    import alpr_gen.profile.loader as loader
    from alpr_gen.configset import load
    from alpr_gen.export.site_request import request_from_bundle
    from alpr_gen.writer import render_to_dir

    # a site by name, as manifest.json names it: from a profiles directory of the test's own
    monkeypatch.setattr(loader, "profiles_dir", lambda: tmp_path / "profiles")
    path = tmp_path / "profiles" / "exportsite.yaml"
    path.parent.mkdir()
    path.write_text(
        PROFILE.replace("HEAD", "deepstream")
        .replace("input_size: 640", "input_size: 960")
        .replace('"rtsp://10.0.0.1/a"', '"${EXPORT_CAM_A:-rtsp://10.0.0.1/a}"')
    )
    monkeypatch.delenv("EXPORT_CAM_A", raising=False)
    outcome = render_to_dir("exportsite", tmp_path / "bundle")
    cs = load(outcome.out_dir)
    assert cs.site == "exportsite"
    assert request_from_bundle(cs, tmp_path / "w.pt", {}).imgsz == 960
