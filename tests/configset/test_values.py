"""DeepStream's value semantics, built from its own code (DeepStream 9.1 sources, Apache-2.0,
github.com/NVIDIA/DeepStream, read not copied):

- src/apps/common/src/deepstream_config_file_parser.c, parse_source / parse_sink / parse_gie:
  `if (g_key_file_get_integer (key_file, group, "enable", &error) == FALSE || error != NULL)
  return TRUE;` — the group is skipped unless `enable` parses as a non-zero integer.
- the same file, get_absolute_file_path: an absolute value is used as is; a relative one is
  joined to the directory of the config file that names it.
- parse_source, `uri`: `file://` + relative path is resolved the same way; other schemes are kept.
- src/apps/common/src/deepstream_{primary,secondary}_gie_bin.c: the app group's batch-size,
  interval, gie-unique-id, gpu-id and model-engine-file (plus operate-on-gie-id and
  operate-on-class-ids for secondaries) are set on nvinfer after its file is read, so they win;
  process-mode is forced to 1 / 2.
- GLib's g_key_file_get_integer: strtol base 10 over the value, trailing whitespace allowed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from alpr_gen.configset import load
from alpr_gen.configset.values import enabled, glib_int, resolve_path, resolve_uri
from alpr_gen.deepstream.keyfile import parse_keyfile


@pytest.mark.parametrize(
    ("value", "on"),
    [
        ("1", True),
        ("2", True),  # any non-zero integer
        ("-1", True),
        (" 1", True),  # strtol skips leading spaces (GLib has already stripped them anyway)
        ("+1", True),
        ("0", False),
        ("true", False),  # g_key_file_get_integer fails: the group is skipped, silently
        ("yes", False),
        ("1x", False),
        ("", False),
        ("99999999999", False),  # out of int range: an error, so skipped
        (None, False),  # no enable key at all
    ],
)
def test_enabled_is_a_nonzero_glib_integer(value: str | None, on: bool) -> None:
    text = "[source0]\ntype=4\n" + (f"enable={value}\n" if value is not None else "")
    group = parse_keyfile(text).group("source0")
    assert enabled(group) is on


def test_glib_int() -> None:
    assert glib_int("42") == 42 and glib_int("42 ") == 42 and glib_int("-3") == -3
    assert glib_int("4.0") is None and glib_int("0x10") is None and glib_int("") is None


def test_paths_resolve_against_the_file_that_names_them(tmp_path: Path) -> None:
    cfg = tmp_path / "sub" / "pgie.txt"
    assert resolve_path(cfg, "models/m.onnx") == tmp_path / "sub" / "models" / "m.onnx"
    assert resolve_path(cfg, "../lib/x.so") == tmp_path / "lib" / "x.so"
    assert resolve_path(cfg, "/opt/x.so") == Path("/opt/x.so")


def test_file_uris_resolve_other_uris_do_not(tmp_path: Path) -> None:
    app = tmp_path / "deepstream_app.txt"
    assert resolve_uri(app, "file://media/a.mp4") == f"file://{tmp_path}/media/a.mp4"
    assert resolve_uri(app, "file:///abs/a.mp4") == "file:///abs/a.mp4"
    assert resolve_uri(app, "rtsp://cam/a") == "rtsp://cam/a"


APP = """\
[source0]
enable=2
type=3
uri=file://media/clip_%d.mp4
num-sources=0

[source1]
enable=true
type=4
uri=rtsp://cam/b

[streammux]
batch-size=2

[primary-gie]
enable=1
config-file=cfg/pgie.txt
batch-size=2
labelfile-path=mine.txt
interval=3

[secondary-gie0]
enable=1
config-file=cfg/sgie.txt
operate-on-gie-id=1
model-engine-file=engines/ocr.engine

[sink0]
enable=yes
type=6
"""
PGIE = "[property]\nbatch-size=8\ninterval=0\nlabelfile-path=labels.txt\nprocess-mode=2\n"
SGIE = "[property]\noperate-on-gie-id=9\nmodel-engine-file=ocr.engine\nprocess-mode=1\n"


def test_effective_values_follow_deepstream_app(tmp_path: Path) -> None:
    (tmp_path / "cfg").mkdir()
    (tmp_path / "deepstream_app.txt").write_text(APP)
    (tmp_path / "cfg" / "pgie.txt").write_text(PGIE)
    (tmp_path / "cfg" / "sgie.txt").write_text(SGIE)
    cs = load(tmp_path)
    # enable=2 counts, enable=true does not; type 3 with num-sources<1 feeds one stream.
    assert [s.group for s in cs.sources] == ["source0"]
    assert cs.sources[0].streams == 1
    assert cs.sources[0].resolved_uri == f"file://{tmp_path}/media/clip_%d.mp4"
    assert cs.sinks == []  # enable=yes: skipped
    pgie, sgie = cs.gies
    props = pgie.properties()
    assert props["batch-size"] == "2" and props["interval"] == "3"  # the app group wins
    assert props["labelfile-path"] == "labels.txt"  # not set on nvinfer by deepstream-app
    assert props["process-mode"] == "1" and sgie.properties()["process-mode"] == "2"
    assert sgie.value("operate-on-gie-id") == "1"
    # model-engine-file from the app group resolves against the app config's directory.
    assert sgie.path("model-engine-file") == tmp_path / "engines" / "ocr.engine"
    assert pgie.path("labelfile-path") == tmp_path / "cfg" / "labels.txt"
