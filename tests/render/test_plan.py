"""Derived values, checked on the rendered files read back from text (as DeepStream reads them)."""

from __future__ import annotations

import math
import struct

import pytest

from alpr_gen.deepstream.engine_naming import engine_name, parse_engine_name
from alpr_gen.deepstream.keyfile import KeyFile, parse_keyfile, split_list
from alpr_gen.deepstream.versions import min_object_size
from alpr_gen.profile import known_profiles, load_profile
from alpr_gen.render import render_site

SITES = sorted(known_profiles())


def _read(site: str) -> tuple[dict[str, KeyFile], object]:
    profile = load_profile(site)
    files = render_site(profile)
    ini = {
        name: parse_keyfile(text, name)
        for name, text in files.items()
        if name.endswith((".txt", ".cfg")) and name != "labels.txt"
    }
    return ini, profile


def _get(kf: KeyFile, group: str, key: str) -> str:
    g = kf.group(group)
    assert g is not None, f"{kf.path}: no [{group}]"
    value = g.get(key)
    assert value is not None, f"{kf.path}: [{group}] has no {key}"
    return value


@pytest.mark.parametrize("site", SITES)
def test_batch_sizes_follow_the_sources(site: str, profile_env: dict[str, str]) -> None:
    ini, profile = _read(site)
    app, pgie = ini["deepstream_app.txt"], ini["pgie_yolo11.txt"]
    n_sources = len(app.groups_with_prefix("source"))
    assert n_sources == len(profile.cameras)
    assert int(_get(app, "streammux", "batch-size")) == n_sources
    assert int(_get(app, "primary-gie", "batch-size")) == n_sources
    assert int(_get(pgie, "property", "batch-size")) == n_sources
    fastest = max(cam.fps for cam in profile.cameras)
    assert int(_get(app, "streammux", "batched-push-timeout")) == round(1e6 / fastest)
    live = any(cam.uri.startswith("rtsp") for cam in profile.cameras)
    assert _get(app, "streammux", "live-source") == ("1" if live else "0")


@pytest.mark.parametrize("site", SITES)
def test_engine_file_is_the_one_nvinfer_builds(site: str, profile_env: dict[str, str]) -> None:
    ini, _profile = _read(site)
    pgie = ini["pgie_yolo11.txt"]
    onnx = _get(pgie, "property", "onnx-file")
    batch = int(_get(pgie, "property", "batch-size"))
    mode = {"0": "fp32", "1": "int8", "2": "fp16"}[_get(pgie, "property", "network-mode")]
    gpu = int(_get(pgie, "property", "gpu-id"))
    expected = f"{onnx}_b{batch}_gpu{gpu}_{mode}.engine"
    assert _get(pgie, "property", "model-engine-file") == expected
    assert _get(ini["deepstream_app.txt"], "primary-gie", "model-engine-file") == expected
    if "sgie_ocr.txt" in ini:
        sgie = ini["sgie_ocr.txt"]
        ocr_onnx = _get(sgie, "property", "onnx-file")
        ocr_batch = _get(sgie, "property", "batch-size")
        assert _get(sgie, "property", "model-engine-file").startswith(
            f"{ocr_onnx}_b{ocr_batch}_gpu"
        )


def test_engine_name_round_trip() -> None:
    name = engine_name("models/yolo11n.onnx", 4, 0, "fp16")
    assert name == "models/yolo11n.onnx_b4_gpu0_fp16.engine"
    parsed = parse_engine_name(name)
    assert parsed is not None
    assert (parsed.model, parsed.batch, parsed.gpu_id, parsed.precision) == (
        "models/yolo11n.onnx",
        4,
        0,
        "fp16",
    )
    assert parse_engine_name("yolo11n.engine") is None
    with pytest.raises(ValueError):
        engine_name("m.onnx", 0, 0, "fp16")


@pytest.mark.parametrize("site", SITES)
def test_ocr_runs_once_per_track_on_tracked_plates(site: str, profile_env: dict[str, str]) -> None:
    ini, profile = _read(site)
    app = ini["deepstream_app.txt"]
    if not profile.ocr.enabled:
        pytest.skip("OCR off")
    sgie = ini["sgie_ocr.txt"]
    assert _get(app, "tracker", "enable") == "1"
    assert _get(sgie, "property", "operate-on-gie-id") == _get(app, "primary-gie", "gie-unique-id")
    assert _get(sgie, "property", "gie-unique-id") != _get(app, "primary-gie", "gie-unique-id")
    plates = [int(c) for c in split_list(_get(sgie, "property", "operate-on-class-ids"))]
    assert plates == profile.detector.plate_class_ids
    assert _get(sgie, "property", "process-mode") == "2"
    assert _get(sgie, "property", "network-type") == "1"
    assert _get(sgie, "property", "classifier-type")  # plate text reaches the new-API payload
    reinfer = int(_get(sgie, "property", "secondary-reinfer-interval"))
    expected = 2**31 - 1 if profile.ocr.throttle.reinfer == "once" else profile.ocr.throttle.reinfer
    assert reinfer == expected
    floor = min_object_size(profile.target.deepstream, profile.target.platform)
    assert int(_get(sgie, "property", "input-object-min-width")) == max(
        profile.ocr.throttle.min_plate_width, floor
    )
    assert int(_get(sgie, "property", "input-object-min-height")) >= floor


@pytest.mark.parametrize(
    ("target", "rendered"),
    [
        ('{platform: dgpu, deepstream: "9.1"}', 10),  # MIN_INPUT_OBJECT_WIDTH 1 in 9.x
        ('{platform: dgpu, deepstream: "7.1"}', 10),
        ('{platform: dgpu, deepstream: "6.3"}', 16),  # 16 whatever the config says
        ('{platform: dgpu, deepstream: "7.0"}', 16),  # unverified: the older floor
        ('{platform: jetson-orin, deepstream: "7.1"}', 16),  # the VIC's floor on Jetson
        ('{platform: jetson-thor, deepstream: "9.1"}', 16),
    ],
)
def test_min_plate_size_never_below_nvinfers_floor(
    write_profile, target: str, rendered: int
) -> None:
    """A smaller input-object-min-* than nvinfer's floor would say what nvinfer does not do."""
    from alpr_gen.render import render_set

    from .conftest import MINIMAL

    text = MINIMAL.replace('target: {platform: dgpu, deepstream: "7.1"}', f"target: {target}")
    text += "ocr:\n  throttle: {min_plate_width: 10, min_plate_height: 10}\n"
    bundle = render_set(load_profile(str(write_profile(text)), env={}))
    sgie = parse_keyfile(bundle.files["sgie_ocr.txt"])
    assert _get(sgie, "property", "input-object-min-width") == str(rendered)
    assert _get(sgie, "property", "input-object-min-height") == str(rendered)


def test_ppocr_normalisation_matches_paddle() -> None:
    ini, _ = _read("lot7")
    sgie = ini["sgie_ocr.txt"]
    scale = float(_get(sgie, "property", "net-scale-factor"))
    offsets = [float(v) for v in split_list(_get(sgie, "property", "offsets"))]
    for x in range(256):
        # nvinfer: y = scale * (x - offset); PaddleOCR: (x / 255 - 0.5) / 0.5
        assert math.isclose(scale * (x - offsets[0]), (x / 255 - 0.5) / 0.5, abs_tol=1e-6)
    assert _get(sgie, "property", "model-color-format") == "1"  # BGR, as cv2 gives PaddleOCR
    assert _get(sgie, "property", "maintain-aspect-ratio") == "1"
    assert _get(sgie, "property", "symmetric-padding") == "0"  # PP-OCR pads on the right


def test_pgie_preprocessing_matches_ultralytics_letterbox() -> None:
    ini, _ = _read("lot7")
    pgie = ini["pgie_yolo11.txt"]

    # nvinfer parses a float32: the written value must be the float32 nearest to 1/255.
    def f32(x: float) -> float:
        return struct.unpack("f", struct.pack("f", x))[0]

    assert f32(float(_get(pgie, "property", "net-scale-factor"))) == f32(1 / 255)
    assert _get(pgie, "property", "maintain-aspect-ratio") == "1"
    assert _get(pgie, "property", "symmetric-padding") == "1"
    assert _get(pgie, "property", "model-color-format") == "0"
    assert _get(pgie, "property", "cluster-mode") == "2"


@pytest.mark.parametrize("site", SITES)
def test_tracker_size_and_platform_keys(site: str, profile_env: dict[str, str]) -> None:
    ini, profile = _read(site)
    app = ini["deepstream_app.txt"]
    assert int(_get(app, "tracker", "tracker-width")) % 32 == 0
    assert int(_get(app, "tracker", "tracker-height")) % 32 == 0
    cudadec = [g.get("cudadec-memtype") for g in app.groups_with_prefix("source")]
    if profile.target.platform == "jetson":
        assert cudadec == [None] * len(cudadec)  # dGPU-only key
    else:
        assert cudadec == ["0"] * len(cudadec)


@pytest.mark.parametrize("site", SITES)
def test_messages_are_actually_sent(site: str, profile_env: dict[str, str]) -> None:
    ini, profile = _read(site)
    app = ini["deepstream_app.txt"]
    msg_sinks = [g for g in app.groups_with_prefix("sink") if g.get("type") == "6"]
    if profile.messaging.broker == "none":
        assert msg_sinks == []
        return
    (sink,) = msg_sinks
    assert sink.get("msg-conv-msg2p-new-api") == "1"
    assert sink.get("msg-broker-proto-lib", "").endswith(
        f"libnvds_{profile.messaging.broker}_proto.so"
    )
    assert sink.get("topic") == profile.messaging.topic
    host, port = split_list(sink.get("msg-broker-conn-str", ""))[:2]
    assert (host, int(port)) == (profile.messaging.host, profile.messaging.port)
    assert ini["broker.txt"].group("message-broker") is not None


def test_lines_are_scaled_into_the_mux_space() -> None:
    ini, profile = _read("lot7")
    analytics = ini["analytics.txt"]
    assert _get(analytics, "property", "config-width") == str(profile.streammux.width)
    cam = profile.cameras[0]
    sx = profile.streammux.width / cam.resolution[0]
    sy = profile.streammux.height / cam.resolution[1]
    line = cam.lines[0]
    expected = [
        round(c * s)
        for pt in (*line.direction, *line.points)
        for c, s in zip(pt, (sx, sy), strict=False)
    ]
    value = _get(analytics, "line-crossing-stream-0", f"line-crossing-{line.name}")
    assert [int(v) for v in split_list(value)] == expected
    assert _get(analytics, "line-crossing-stream-0", "class-id") == str(
        profile.detector.vehicle_class_ids[0]
    )


def test_tiler_covers_every_source(profile_env: dict[str, str]) -> None:
    ini, profile = _read("fleet16")
    app = ini["deepstream_app.txt"]
    rows, cols = int(_get(app, "tiled-display", "rows")), int(_get(app, "tiled-display", "columns"))
    assert rows * cols >= len(profile.cameras)
    assert _get(app, "tiled-display", "enable") == "1"  # fleet16 streams RTSP out
    assert _get(app, "streammux", "config-file-path") == "streammux.txt"  # DeepStream 8.0 key


def test_ocr_substitutions_reach_the_parser_settings(write_profile, tmp_path) -> None:
    from alpr_gen.render import render_set
    from alpr_gen.validate import lint_path
    from alpr_gen.writer import write_bundle

    from .conftest import MINIMAL

    path = write_profile(MINIMAL + "ocr:\n  substitutions: {O: '0', i: '1'}\n")
    bundle = render_set(load_profile(str(path), env={}))
    cfg = parse_keyfile(bundle.files["ocr_parser.cfg"]).group("ocr-parser")
    assert cfg is not None
    assert split_list(cfg.get("substitutions", "")) == ["I:1", "O:0"]
    write_bundle(bundle, tmp_path / "out")
    report = lint_path(tmp_path / "out")
    assert report.errors == [], report.errors


def test_ocr_formats_reach_the_parser_settings(write_profile, tmp_path) -> None:
    from alpr_gen.render import render_set
    from alpr_gen.validate import lint_path
    from alpr_gen.writer import write_bundle

    from .conftest import MINIMAL

    base = render_set(load_profile(str(write_profile(MINIMAL)), env={}))
    plain = parse_keyfile(base.files["ocr_parser.cfg"]).group("ocr-parser")
    assert plain is not None and plain.get("formats") is None
    assert plain.get("formats-strict") is None  # only written when set
    path = write_profile(
        MINIMAL + "ocr:\n  formats: [LLLDDDD, LLDDLLL, A]\n  formats_strict: true\n"
    )
    bundle = render_set(load_profile(str(path), env={}))
    cfg = parse_keyfile(bundle.files["ocr_parser.cfg"]).group("ocr-parser")
    assert cfg is not None
    assert split_list(cfg.get("formats", "")) == ["LLLDDDD", "LLDDLLL", "A"]  # order kept
    assert cfg.get("formats-strict") == "1"
    write_bundle(bundle, tmp_path / "out")
    report = lint_path(tmp_path / "out")
    assert report.errors == [], report.errors
    assert {f.rule_id for f in report.findings} <= {"DS202", "DS203"}, report.findings  # pending


@pytest.mark.parametrize(
    ("ocr", "expect"),
    [
        ("formats: [LLX]", "expected a plate format"),
        ("formats: ['']", "expected a plate format"),
        ("formats: [" + "L" * 33 + "]", "expected a plate format"),
        ("formats: [" + ", ".join(["LD"] * 17) + "]", "at most 16"),
        ("formats_strict: true", "formats_strict needs formats"),
    ],
)
def test_bad_ocr_formats_refused(write_profile, ocr: str, expect: str) -> None:
    from alpr_gen.profile import ProfileError

    from .conftest import MINIMAL

    path = write_profile(MINIMAL + f"ocr:\n  {ocr}\n")
    with pytest.raises(ProfileError, match=expect):
        load_profile(str(path), env={})
