"""The launch command (argv, cwd, env) built from a bundle, native and in docker; masking."""

from __future__ import annotations

from pathlib import Path

import pytest

from alpr_gen.configset import load as load_bundle
from alpr_gen.configset.views import uses_new_streammux
from alpr_gen.errors import ConfigSetError
from alpr_gen.redact import mask_argv, mask_env, mask_uri
from alpr_gen.run.deepstream_app.command import docker_command, mount_dirs, native_command
from alpr_gen.run.preflight.network import conn_host_port, uri_host_port
from alpr_gen.run.session import stream_names

from .conftest import BundleSpec, write_bundle

CAMS = ["rtsp://admin:s3cret@127.0.0.1:8554/a", "rtsp://127.0.0.1:8555/b"]


def test_native_argv_cwd_env(tmp_path: Path) -> None:
    b = load_bundle(write_bundle(tmp_path / "site", BundleSpec(CAMS)))
    spec = native_command(b, "/opt/ds/bin/deepstream-app", stdbuf="/usr/bin/stdbuf")
    assert spec.argv == [
        "/usr/bin/stdbuf", "-oL", "-eL", "/opt/ds/bin/deepstream-app", "-c", "deepstream_app.txt"
    ]  # fmt: skip
    assert spec.cwd == (tmp_path / "site").resolve()
    # No new mux, not verbose: only the OCR parser's settings file.
    assert spec.env == {"ALPR_OCR_CONFIG": str((tmp_path / "site" / "ocr_parser.cfg").resolve())}
    assert native_command(b, "deepstream-app").argv == [
        "deepstream-app",
        "-c",
        "deepstream_app.txt",
    ]


def test_env_new_mux_verbose_and_no_ocr(tmp_path: Path) -> None:
    b = load_bundle(write_bundle(tmp_path / "s", BundleSpec(CAMS, new_mux=True, ocr=False)))
    assert uses_new_streammux(b)
    env = native_command(b, "deepstream-app", verbose=2).env
    assert env == {"USE_NEW_NVSTREAMMUX": "yes", "GST_DEBUG": "4", "GST_DEBUG_NO_COLOR": "1"}
    assert native_command(b, "x", verbose=1).env["GST_DEBUG"] == "2"
    assert native_command(b, "x", verbose=7).env["GST_DEBUG"] == "5"


def test_docker_command_dgpu_and_jetson(tmp_path: Path) -> None:
    root = write_bundle(tmp_path / "gate", BundleSpec(CAMS))
    b = load_bundle(root)
    spec = docker_command(b, "nvcr.io/nvidia/deepstream:7.0-triton-multiarch", verbose=1)
    a = spec.argv
    bdir = str(root.resolve())
    assert a[:3] == ["docker", "run", "--rm"]
    assert "--init" in a and "-i" in a
    assert a[a.index("--gpus") + 1] == "all" and "--runtime" not in a
    assert a[a.index("-v") + 1] == f"{bdir}:{bdir}"
    assert a[a.index("-w") + 1] == bdir
    envs = [a[i + 1] for i, x in enumerate(a) if x == "-e"]
    assert envs == ["GST_DEBUG=2", "GST_DEBUG_NO_COLOR=1", f"ALPR_OCR_CONFIG={bdir}/ocr_parser.cfg"]
    image_at = a.index("nvcr.io/nvidia/deepstream:7.0-triton-multiarch")
    assert a[image_at + 1 :] == [
        "stdbuf",
        "-oL",
        "-eL",
        "deepstream-app",
        "-c",
        "deepstream_app.txt",
    ]
    name = a[a.index("--name") + 1]
    assert spec.kill_argv == ["docker", "kill", name]

    jetson = docker_command(b, "img:7.1", platform="jetson").argv
    assert jetson[jetson.index("--runtime") + 1] == "nvidia" and "--gpus" not in jetson


def test_docker_mounts_dirs_outside_the_bundle(tmp_path: Path) -> None:
    root = write_bundle(tmp_path / "b", BundleSpec(CAMS))
    shared = tmp_path / "shared_models"
    shared.mkdir()
    pgie = root / "pgie_yolo11.txt"
    pgie.write_text(pgie.read_text().replace("onnx-file=models/", f"onnx-file={shared}/"))
    b = load_bundle(root)
    assert mount_dirs(b) == [root.resolve(), shared.resolve()]


def test_engine_from_the_app_gie_group_wins(tmp_path: Path) -> None:
    root = write_bundle(tmp_path / "b", BundleSpec(CAMS))
    app = root / "deepstream_app.txt"
    app.write_text(app.read_text().replace("model-engine-file=models/", "model-engine-file=other/"))
    (gie,) = load_bundle(root).gies
    assert (
        gie.path("model-engine-file") == root.resolve() / "other/yolo11n.onnx_b2_gpu0_fp16.engine"
    )


def test_masking() -> None:
    assert mask_uri("rtsp://admin:s3cret@cam.local:554/x") == "rtsp://***@cam.local:554/x"
    assert mask_uri("rtsp://cam.local/x") == "rtsp://cam.local/x"
    assert mask_env({"BROKER_PASSWORD": "p", "X": "rtsp://u:p@h/"}) == {
        "BROKER_PASSWORD": "***",
        "X": "rtsp://***@h/",
    }
    assert mask_argv(["-e", "MQTT_PASSWORD=p", "rtsp://u:p@h/s"]) == [
        "-e", "MQTT_PASSWORD=***", "rtsp://***@h/s"
    ]  # fmt: skip


def test_stream_names_mask_credentials_and_expand_multi_uri(tmp_path: Path) -> None:
    root = write_bundle(tmp_path / "b", BundleSpec(CAMS))
    app = root / "deepstream_app.txt"
    app.write_text(
        app.read_text()
        + "[source2]\nenable=1\ntype=3\nuri=file:///v/clip_%d.mp4\nnum-sources=2\n"
        + "[source3]\nenable=0\ntype=4\nuri=rtsp://127.0.0.1/off\n"
    )
    b = load_bundle(root)
    names = stream_names(b)
    assert b.num_streams == 4 and len(names) == 4
    assert names[0] == "source0 rtsp://***@127.0.0.1:8554/a"
    assert names[2] == names[3] == "source2 file:///v/clip_%d.mp4"
    assert "s3cret" not in " ".join(names.values())


def test_host_port_parsing() -> None:
    assert uri_host_port("rtsp://u:p@10.0.0.5:8554/s", 554) == ("10.0.0.5", 8554)
    assert uri_host_port("rtsp://cam/s", 554) == ("cam", 554)
    assert uri_host_port("file:///x.mp4", 554) is None
    assert conn_host_port("127.0.0.1;9092;topic") == ("127.0.0.1", 9092)
    assert conn_host_port("broker:1883") == ("broker", 1883)
    assert conn_host_port("nonsense") is None


def test_missing_app_config_is_a_launch_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigSetError, match="no deepstream-app config"):
        load_bundle(tmp_path)


def test_run_finds_a_hand_written_app_config_as_validate_does(tmp_path: Path) -> None:
    from alpr_gen.deepstream.layout import find_app_config

    root = write_bundle(tmp_path / "site", BundleSpec(CAMS))
    (root / "deepstream_app.txt").rename(root / "source2_rtsp_alpr.txt")
    b = load_bundle(root)
    assert b.app_config.resolve() == (root / "source2_rtsp_alpr.txt").resolve()
    assert b.app_config.resolve() == find_app_config(root).resolve()


@pytest.mark.parametrize(
    ("site", "first", "second"),
    [
        # lot7 sends messages: its sink's msgconv.txt names the cameras.
        ("lot7", "lot7-cam1: North entry lane", "lot7-cam2: North exit lane"),
        # demo sends none: the msgconv.txt render wrote (listed in manifest.json) still does.
        ("demo", "demo-a: Demo video A", "demo-b: Demo video A, second stream"),
    ],
)
def test_stream_names_are_the_cameras_of_a_rendered_set(
    site: str, first: str, second: str, tmp_path: Path, profile_env: dict[str, str]
) -> None:
    from alpr_gen.writer import render_to_dir

    outcome = render_to_dir(site, tmp_path / site)
    names = stream_names(load_bundle(outcome.out_dir))
    assert (names[0], names[1]) == (first, second)
    assert not any("file://" in n or "rtsp://" in n for n in names.values())
