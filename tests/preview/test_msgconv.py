"""nvmsgconv's payloads (dsmeta_payload.cpp, new API) built by the preview backend, and the JSON
schemas they are checked against, for every DeepStream release alpr-gen targets."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import numpy as np
import pytest

from alpr_gen.configset.files import FileKind, read_config_file
from alpr_gen.configset.msgconv import msgconv
from alpr_gen.deepstream.facts import PayloadType
from alpr_gen.deepstream.versions import VERSIONS
from alpr_gen.preview.meta import UNTRACKED_OBJECT_ID, Classification, FrameMeta, ObjectMeta
from alpr_gen.preview.msgconv import (
    MsgconvSettings,
    frame_payloads,
    json_glib,
    minimal_object,
)
from alpr_gen.preview.payload_schema import schema_for

MSGCONV = """\
[sensor0]
enable=1
type=Camera
id=gate-in
location=45.5;-73.5;30
description=Inbound lane
coordinate=1;2;3

[place0]
enable=1
id=lot7
type=parking-lot
name=Lot 7
location=1;2;3
coordinate=4;5;6
place-sub-field1=gate-in
place-sub-field2=lot7
place-sub-field3=alpr

[analytics0]
enable=1
id=alpr-gen-0
description=License plate recognition
source=lot7
version=0.1.0

[sensor1]
enable=0
id=disabled

[sensor2]
enable=1
id=bad-location
location=1;2
"""


@pytest.fixture
def view(tmp_path: Path):
    path = tmp_path / "msgconv.txt"
    path.write_text(MSGCONV)
    return msgconv(read_config_file(FileKind.MSGCONV, "msgconv.txt", path, path))


def frame(stream: int = 0, frame_num: int = 30, objects: list[ObjectMeta] | None = None):
    return FrameMeta(stream, frame_num, 1.0, np.zeros((720, 1280, 3), np.uint8), 1920, 1080,
                     1_700_000_000.25, objects or [])  # fmt: skip


def plate(text: str | None = "ABC123", object_id: int = 7) -> ObjectMeta:
    o = ObjectMeta(1, "plate", 100.7, 200.2, 50.9, 20.4, 0.87, 1, object_id)
    if text is not None:
        o.classifications.append(Classification(2, "licenseplate", text, 0.93))
    return o


def vehicle() -> ObjectMeta:
    return ObjectMeta(0, "vehicle", 10.0, 20.0, 300.0, 200.0, 0.9, 1, 6)


def test_msgconv_groups_read_as_deepstream_schema_does(view) -> None:
    assert set(view.sensors) == {0}  # sensor1 disabled; sensor2's 2-value location drops it
    s = view.sensors[0]
    assert (s.id, s.type, s.description) == ("gate-in", "Camera", "Inbound lane")
    assert s.location == (45.5, -73.5, 30.0) and s.coordinate == (1.0, 2.0, 3.0)
    assert view.places[0].sub_field3 == "alpr"
    assert view.analytics[0].source == "lot7"


def test_full_payload_one_message_per_object_with_plate_text(view) -> None:
    settings = MsgconvSettings(PayloadType.FULL, 30, True, view)
    out = frame_payloads(settings, frame(objects=[vehicle(), plate()]), now=1_700_000_000.25)
    assert len(out) == 2
    p = out[1]
    assert p["sensor"]["id"] == "gate-in" and p["place"]["id"] == "lot7"
    assert p["@timestamp"] == "2023-11-14T22:13:20.250Z"
    obj = p["object"]
    assert obj["id"] == "7"
    # classifier-type=licenseplate: "<label>": {"confidence", "licenseplate": text}
    assert obj["plate"]["licenseplate"] == "ABC123"
    assert obj["plate"]["confidence"] == pytest.approx(0.87, abs=1e-7)
    assert obj["plate"]["confidence"] != 0.87  # a C float widened to double, as json-glib gets it
    # integers truncated toward zero, in the muxer's space (the source scale is always 1)
    assert obj["bbox"] == {"topleftx": 100, "toplefty": 200, "bottomrightx": 151,
                           "bottomrighty": 220}  # fmt: skip
    assert list(obj) == ["id", "speed", "direction", "orientation", "plate", "bbox", "location",
                         "coordinate"]  # fmt: skip
    assert out[0]["messageid"] != p["messageid"]


def test_frame_interval_and_old_api(view) -> None:
    settings = MsgconvSettings(PayloadType.FULL, 30, True, view)
    assert frame_payloads(settings, frame(frame_num=31, objects=[plate()])) == []
    assert frame_payloads(settings, frame(frame_num=60, objects=[plate()]))
    every = MsgconvSettings(PayloadType.FULL, 0, True, view)
    assert frame_payloads(every, frame(frame_num=31, objects=[plate()]))
    # deepstream-app attaches no NvDsEventMsgMeta: without the new API nothing is sent
    old = MsgconvSettings(PayloadType.FULL, 30, False, view)
    assert frame_payloads(old, frame(objects=[plate()])) == []


def test_no_sensor_group_gives_null_sections(view) -> None:
    settings = MsgconvSettings(PayloadType.FULL, 1, True, view)
    p = frame_payloads(settings, frame(stream=1, objects=[plate()]))[0]
    assert p["sensor"] is None and p["place"] is None and p["analyticsModule"] is None


def test_minimal_payload_strings() -> None:
    assert minimal_object(plate()) == "7|100.7|200.2|151.6|220.6|plate|#|ABC123|0.87"
    untracked = ObjectMeta(0, "vehicle", 1.0, 2.0, 3.0, 4.0, 0.5, 1)
    assert minimal_object(untracked) == f"{UNTRACKED_OBJECT_ID}|1|2|4|6|vehicle"
    settings = MsgconvSettings(PayloadType.MINIMAL, 30, True, None)
    p = frame_payloads(settings, frame(objects=[vehicle(), plate()]))
    assert len(p) == 1 and p[0]["sensorId"] == "0" and p[0]["id"] == "30"
    assert p[0]["objects"][1].startswith("7|")


@pytest.mark.parametrize("version", VERSIONS)
def test_payloads_validate_against_the_release_schema(view, version: str) -> None:
    for ptype in (PayloadType.FULL, PayloadType.MINIMAL):
        settings = MsgconvSettings(ptype, 1, True, view)
        for stream in (0, 1):
            f = frame(stream=stream, objects=[vehicle(), plate(), plate(None, UNTRACKED_OBJECT_ID)])
            for p in frame_payloads(settings, f):
                jsonschema.validate(json.loads(json_glib(p)), schema_for(version, ptype))


def test_schema_rejects_what_nvmsgconv_never_sends(view) -> None:
    settings = MsgconvSettings(PayloadType.FULL, 1, True, view)
    good = frame_payloads(settings, frame(objects=[plate()]))[0]
    schema = schema_for(VERSIONS[-1], PayloadType.FULL)
    for mutate in (
        lambda p: p["object"].update(id="7.5"),
        lambda p: p["object"]["bbox"].update(topleftx=1.5),
        lambda p: p.update(mdsversion="2.0"),
        lambda p: p["object"].update(extra={"confidence": 1.0}),  # two label members
        lambda p: p.pop("event"),
    ):
        bad = json.loads(json.dumps(good))
        mutate(bad)
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)


def test_json_glib_layout() -> None:
    assert json_glib({"a": 1, "b": {"c": "x"}}) == '{\n  "a" : 1,\n  "b" : {\n    "c" : "x"\n  }\n}'
