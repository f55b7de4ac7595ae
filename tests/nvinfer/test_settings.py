"""InferSettings: an nvinfer config read as gst-nvinfer reads it (gstnvinfer_property_parser.cpp,
gstnvinfer.cpp and nvdsinfer_context_impl.cpp of DeepStream 9): defaults, GLib value rules,
nvinfer's own checks, class-attrs inheritance, legacy keys."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from alpr_gen.deepstream.catalogue.nvinfer import NVINFER_GROUPS
from alpr_gen.deepstream.facts import INT_MAX, ClusterMode, ColorFormat
from alpr_gen.deepstream.keyfile import parse_keyfile, read_keyfile
from alpr_gen.errors import InferConfigError
from alpr_gen.nvinfer.settings import ClassAttrs, InferSettings, to_float32

from .conftest import GOLDEN

f32 = to_float32


def settings(text: str, **kw: object) -> InferSettings:
    return InferSettings.from_keyfile(parse_keyfile(text, "/cfg/pgie.txt"), **kw)  # type: ignore[arg-type]


def test_defaults_are_nvinfers() -> None:
    s = settings("[property]\n")
    assert s == InferSettings()
    assert (s.gie_unique_id, s.process_mode, s.batch_size, s.interval) == (15, 1, 1, 0)
    assert s.operate_on_gie_id == -1 and s.secondary_reinfer_interval == INT_MAX
    assert s.cluster_mode is ClusterMode.GROUP_RECTANGLES  # memset 0 in ResetInitParams
    assert s.scaling_filter == 6 and s.net_scale_factor == 1.0  # NvBufSurfTransformInter_Default
    assert s.model_color_format is ColorFormat.RGB
    assert not s.maintain_aspect_ratio and not s.symmetric_padding
    assert ClassAttrs() == ClassAttrs(0.2, 0.0, 0.3, -1)  # DEFAULT_PRE_CLUSTER_THRESHOLD ...


def test_rendered_pgie() -> None:
    path = GOLDEN / "lot7" / "pgie_yolo11.txt"
    s = InferSettings.from_keyfile(read_keyfile(path))
    assert s.is_primary and s.is_detector and s.gie_unique_id == 1 and s.batch_size == 4
    assert s.onnx_file == path.parent / "models/yolo11n.onnx"  # relative to the config
    assert s.custom_lib_path == path.parent / "lib/libnvdsinfer_alpr.so"
    assert s.parse_bbox_func_name == "NvDsInferParseAlprYolo"
    assert s.cluster_mode is ClusterMode.NMS and s.num_detected_classes == 2
    assert s.net_scale_factor == f32(1 / 255)
    assert s.maintain_aspect_ratio and s.symmetric_padding and s.scaling_filter == 1
    # class 0 takes [class-attrs-all]; class 1 its own group, starting from the "all" values
    assert s.class_attrs[0] == s.class_attrs_all == ClassAttrs(f32(0.25), 0.0, f32(0.45), 300)
    assert s.class_attrs[1] == ClassAttrs(f32(0.35), 0.0, f32(0.45), 300)
    assert s.attrs_for(7) == s.class_attrs_all  # past the configured classes
    spec = s.preprocess_spec((640, 640))
    assert (spec.net_width, spec.channels, spec.color_format) == (640, 3, ColorFormat.RGB)
    with pytest.raises(InferConfigError, match="infer-dims"):
        s.preprocess_spec()  # no infer-dims: the size comes from the model


def test_rendered_sgie_preprocessing_is_the_ocr_presets() -> None:
    from alpr_gen.ocr.preprocess import sgie_spec
    from alpr_gen.ocr.presets import OCR_PRESETS

    s = InferSettings.from_keyfile(read_keyfile(GOLDEN / "lot7" / "sgie_ocr.txt"))
    assert not s.is_primary and not s.is_detector and s.operate_on_gie_id == 1
    assert s.operate_on_class_ids == (1,) and s.classifier_type == "licenseplate"
    assert s.classifier_threshold == 0.75 and s.infer_dims == (3, 48, 320)
    assert (s.input_object_min_width, s.input_object_min_height) == (48, 16)
    assert s.class_attrs == ()  # a classifier has no class attributes
    assert s.preprocess_spec() == sgie_spec(OCR_PRESETS["ppocr"])


@pytest.mark.parametrize(
    ("line", "field", "value"),
    [
        ("maintain-aspect-ratio=true", "maintain_aspect_ratio", True),
        ("maintain-aspect-ratio=0 ", "maintain_aspect_ratio", False),
        ("cluster-mode=4 # none", "cluster_mode", ClusterMode.NONE),  # strtol stops at a space
        ("batch-size=+8", "batch_size", 8),
        ("net-scale-factor=0x1p-8", "net_scale_factor", 1 / 256),  # g_ascii_strtod reads hex
        ("offsets=1;2.5;", "offsets", (1.0, 2.5)),
        ("output-blob-names=a\\;b;c", "output_blob_names", ("a;b", "c")),
        ("classifier-type=plate\\snumber", "classifier_type", "plate number"),
        ("is-classifier=1", "network_type", 1),
        ("input-dims=3;48;96;0", "infer_dims", (3, 48, 96)),
    ],
)
def test_values_read_as_glib_and_nvinfer_read_them(line: str, field: str, value: object) -> None:
    assert getattr(settings(f"[property]\n{line}\n"), field) == value


def test_legacy_keys_yield_to_new_ones() -> None:
    s = settings("[property]\nnetwork-type=0\nis-classifier=1\nenable-dbscan=1\ncluster-mode=2\n")
    assert s.network_type == 0 and s.cluster_mode is ClusterMode.NMS
    assert settings("[property]\nenable-dbscan=true\n").cluster_mode is ClusterMode.DBSCAN
    s = settings("[property]\ninfer-dims=1;32;64\ninput-dims=3;48;96;0\n")
    assert s.infer_dims == (1, 32, 64)
    s = settings("[property]\nnum-detected-classes=1\n[class-attrs-0]\nthreshold=0.7\n")
    assert s.class_attrs[0].pre_cluster_threshold == f32(0.7)


@pytest.mark.parametrize(
    ("text", "key", "why"),
    [
        ("maintain-aspect-ratio=2", "maintain-aspect-ratio", "boolean"),
        ("batch-size=0", "batch-size", "1 to 1024"),
        ("batch-size=1025", "batch-size", "1 to 1024"),
        ("batch-size=4x", "batch-size", "number"),
        ("gie-unique-id=0", "gie-unique-id", "1 to"),
        ("process-mode=3", "process-mode", "1 \\(primary\\)"),
        ("network-mode=4", "network-mode", "0 \\(fp32\\)"),
        ("network-type=5", "network-type", "100 \\(other\\)"),
        ("model-color-format=3", "model-color-format", "GRAY"),
        ("cluster-mode=5", "cluster-mode", "0 to 4"),
        ("scaling-filter=7", "scaling-filter", "0 to 6"),
        ("infer-dims=3;48", "infer-dims", "needs 3"),
        ("infer-dims=3;0;320", "infer-dims", "> 0"),
        ("offsets=1;2;3;4;5", "offsets", "at most 4"),
        ("net-scale-factor=1/255", "net-scale-factor", "float"),
        ("classifier-threshold=-0.1", "classifier-threshold", "0.0 to"),
        ("operate-on-class-ids=1;-2", "operate-on-class-ids", ">= 0"),
        ("onnx-file=", "onnx-file", "empty path"),
        ("classifier-type=bad\\q", "classifier-type", "escape"),
    ],
)
def test_values_nvinfer_rejects_name_the_key_and_line(text: str, key: str, why: str) -> None:
    with pytest.raises(InferConfigError) as exc:
        settings(f"[property]\ngpu-id=0\n{text}\n")
    message = str(exc.value)
    assert message.startswith(f"/cfg/pgie.txt:3 [property] {key}=")
    assert re.search(why, message), message


@pytest.mark.parametrize(
    ("group", "line", "why"),
    [
        ("class-attrs-all", "nms-iou-threshold=1.5", "0.0 to 1.0"),
        ("class-attrs-0", "topk=-1", "0 to"),  # -1 is only the default: nvinfer refuses it
        ("class-attrs-0", "pre-cluster-threshold=-0.2", "0.0 to"),
        ("class-attrs-0", "detected-min-w=-1", "0 to"),
        ("class-attrs-0", "border-color=1;0;0", "exactly 4"),
        ("class-attrs-2", "topk=1", "num-detected-classes=2"),
        ("class-attrs-x", "topk=1", "class-attrs-<class-id>"),
    ],
)
def test_class_attributes_nvinfer_rejects(group: str, line: str, why: str) -> None:
    text = f"[property]\nnum-detected-classes=2\n[{group}]\n{line}\n"
    with pytest.raises(InferConfigError, match=why):
        settings(text)


def test_class_group_names_are_read_like_strtoull() -> None:
    s = settings("[property]\nnum-detected-classes=3\n[class-attrs-2x]\ntopk=7\n")
    assert s.class_attrs[2].topk == 7  # "2x": strtoull stops after 2


def test_class_attributes_are_ignored_for_classifiers() -> None:
    s = settings("[property]\nnetwork-type=1\n[class-attrs-9]\ntopk=-5\n")
    assert s.class_attrs == () and s.class_attrs_all == ClassAttrs()


def test_overrides_replace_property_values_and_are_named_in_errors() -> None:
    text = "[property]\nbatch-size=4\nonnx-file=m.onnx\n"
    s = settings(text, overrides={"batch-size": "8"})
    assert s.batch_size == 8 and s.onnx_file == Path("/cfg/m.onnx")
    assert settings(text, base_dir=Path("/b")).onnx_file == Path("/b/m.onnx")
    with pytest.raises(InferConfigError, match=r"batch-size \(overridden by the app config\)"):
        settings(text, overrides={"batch-size": "0"})


def test_from_mapping_without_a_file() -> None:
    s = InferSettings.from_mapping({"onnx-file": "/abs/m.onnx", "batch-size": "2"})
    assert s.onnx_file == Path("/abs/m.onnx") and s.batch_size == 2
    with pytest.raises(InferConfigError, match=r"^site pgie \[property\] batch-size="):
        InferSettings.from_mapping({"batch-size": "x"}, source="site pgie")
    with pytest.raises(InferConfigError, match="no \\[property\\] group"):
        settings("[class-attrs-all]\ntopk=1\n")


def test_long_bad_values_are_truncated_in_messages() -> None:
    with pytest.raises(InferConfigError) as exc:
        settings("[property]\nbatch-size=" + "9" * 500 + "x\n")
    assert len(str(exc.value)) < 300


def _keys_read() -> set[str]:
    import alpr_gen.nvinfer.settings_parse as sp

    source = Path(sp.__file__).read_text()
    words = set(re.findall(r'"([a-z][a-zA-Z0-9]*(?:-[a-zA-Z0-9]+)*)"', source))
    return words - {"primary", "secondary"}  # process-mode's value names


def test_every_key_read_is_in_the_catalogue() -> None:
    known = {k for g in NVINFER_GROUPS for k in g.keys}
    # read but not (yet) in the catalogue: OSD colours and the legacy DBSCAN switch
    read = _keys_read() - {"border-color", "bg-color", "enable-dbscan"}
    assert len(read) >= 55
    assert read <= known, sorted(read - known)


def test_catalogue_defaults_agree() -> None:
    attrs = next(g for g in NVINFER_GROUPS if g.name == "class-attrs-all").keys
    d = ClassAttrs()
    assert float(attrs["pre-cluster-threshold"].default or 0) == d.pre_cluster_threshold
    assert float(attrs["nms-iou-threshold"].default or 0) == d.nms_iou_threshold
    assert int(attrs["topk"].default or 0) == d.topk


def test_parser_abi_per_release() -> None:
    from alpr_gen.deepstream.versions import RELEASES, parser_abi_for

    assert [parser_abi_for(v) for v in ("6.3", "7.0", "7.1", "8.0")] == [6, 6, 6, 6]
    assert [parser_abi_for(v) for v in ("9.0", "9.1", "9.2")] == [9, 9, 9]
    assert all(r.parser_abi == parser_abi_for(v) for v, r in RELEASES.items())
    for bad in ("6.2", "10.0", "9", "nine"):
        with pytest.raises(ValueError):
            parser_abi_for(bad)
