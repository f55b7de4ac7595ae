"""nvmsgconv: the payloads DeepStream's message converter builds for a message sink (type 6).

Written from nvmsgconv's sources (gst-nvmsgconv/gstnvmsgconv.cpp and
libs/nvmsgconv/deepstream_schema/dsmeta_payload.cpp, the `msg-conv-msg2p-new-api=1` path that
deepstream-app needs: it attaches no NvDsEventMsgMeta, so with the old API nothing is sent):

- a frame produces payloads only when `frame_num % msg-conv-frame-interval == 0` (0: every frame);
- payload type 0 (full, "mdsversion" 1.0): one message per object of the frame: messageid (a
  random UUID), mdsversion, @timestamp (UTC now, ms), place/sensor/analyticsModule from the
  `[placeN]/[sensorN]/[analyticsN]` groups of source N (null without an enabled group), object
  (id = tracking id as an unsigned 64-bit decimal; speed/direction/orientation 0; a member named
  after the object's label holding its confidence and, per classifier with a classifier-type, that
  type -> the classifier's label: `"plate": {"confidence": .., "licenseplate": "ABC123"}`;
  bbox as integers truncated toward zero; empty location and coordinate), event (random UUID,
  type ""), videoPath "";
- payload type 1 (minimal, "version" 4.0): one message per frame: id = frame number, @timestamp,
  sensorId (the sensor group's id, "0" without one), objects = "id|left|top|right|bottom|label"
  (C++ stream formatting: 6 significant digits), followed, for an object with classifier results,
  by "|#", "|<label>" per result and "|<confidence>";
- bbox coordinates stay in the muxer's space: dsmeta_payload computes its source scale as
  `(float) source_width / (pipeline_width == 0) ? 1 : pipeline_width`, which by C's precedence
  is always 1.
Messages are pretty-printed as json-glib prints them (2 spaces, `"key" : value`).
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

from alpr_gen.configset.msgconv import MsgconvView
from alpr_gen.deepstream.facts import PayloadType
from alpr_gen.nvinfer.settings import to_float32
from alpr_gen.preview.meta import FrameMeta, ObjectMeta

JsonObj = dict[str, Any]


# A C float widened to double, as json_object_set_double_member(obj, float) stores it.
f32 = to_float32


def c_int(value: float) -> int:
    """json_object_set_int_member(gint64) of a float: truncation toward zero."""
    return int(value)


def cpp_float(value: float) -> str:
    """`std::ostream << float` with the default precision (6 significant digits, %g rules)."""
    return format(f32(value), ".6g")


def rfc3339_ms(epoch_s: float) -> str:
    t = time.gmtime(epoch_s)
    return time.strftime("%Y-%m-%dT%H:%M:%S", t) + f".{int((epoch_s % 1) * 1000):03d}Z"


def json_glib(obj: JsonObj) -> str:
    """json_to_string(node, pretty=TRUE)'s layout."""
    return json.dumps(obj, indent=2, separators=(",", " : "), ensure_ascii=False)


@dataclass(frozen=True)
class MsgconvSettings:
    payload_type: int
    frame_interval: int
    new_api: bool
    view: MsgconvView | None

    @property
    def emulated(self) -> bool:
        return self.new_api and self.payload_type in (PayloadType.FULL, PayloadType.MINIMAL)


def _triple(names: tuple[str, str, str], values: tuple[float, float, float]) -> JsonObj:
    return {n: float(v) for n, v in zip(names, values, strict=True)}


def _place(view: MsgconvView | None, stream: int) -> JsonObj | None:
    p = view.places.get(stream) if view else None
    if p is None:
        return None
    return {
        "id": p.id,
        "name": p.name,
        "type": p.type,
        "location": _triple(("lat", "lon", "alt"), p.location),
        "place-sub-field": {
            "id": p.sub_field1,
            "name": p.sub_field2,
            "level": p.sub_field3,
            "coordinate": _triple(("x", "y", "z"), p.coordinate),
        },
    }


def _sensor(view: MsgconvView | None, stream: int) -> JsonObj | None:
    s = view.sensors.get(stream) if view else None
    if s is None:
        return None
    return {
        "id": s.id,
        "type": s.type,
        "description": s.description,
        "location": _triple(("lat", "lon", "alt"), s.location),
        "coordinate": _triple(("x", "y", "z"), s.coordinate),
    }


def _analytics(view: MsgconvView | None, stream: int) -> JsonObj | None:
    a = view.analytics.get(stream) if view else None
    if a is None:
        return None
    return {"id": a.id, "description": a.description, "source": a.source, "version": a.version}


def _object(o: ObjectMeta) -> JsonObj:
    attrs: JsonObj = {"confidence": f32(o.confidence)}
    for c in o.classifications:
        if c.classifier_type:
            attrs[c.classifier_type] = c.label
    out: JsonObj = {
        "id": str(o.object_id),
        "speed": 0.0,
        "direction": 0.0,
        "orientation": 0.0,
    }
    out[o.label] = attrs
    left, top = f32(o.left), f32(o.top)
    out["bbox"] = {
        "topleftx": c_int(left),
        "toplefty": c_int(top),
        "bottomrightx": c_int(f32(left + f32(o.width))),
        "bottomrighty": c_int(f32(top + f32(o.height))),
    }
    out["location"] = {}
    out["coordinate"] = {}
    return out


def full_payload(settings: MsgconvSettings, frame: FrameMeta, o: ObjectMeta, now: float) -> JsonObj:
    return {
        "messageid": str(uuid.uuid4()),
        "mdsversion": "1.0",
        "@timestamp": rfc3339_ms(now),
        "place": _place(settings.view, frame.stream),
        "sensor": _sensor(settings.view, frame.stream),
        "analyticsModule": _analytics(settings.view, frame.stream),
        "object": _object(o),
        "event": {"id": str(uuid.uuid4()), "type": ""},
        "videoPath": "",
    }


def minimal_object(o: ObjectMeta) -> str:
    left, top = f32(o.left), f32(o.top)
    right, bottom = f32(left + f32(o.width)), f32(top + f32(o.height))
    text = f"{o.object_id}|{cpp_float(left)}|{cpp_float(top)}|{cpp_float(right)}|" + (
        f"{cpp_float(bottom)}|{o.label}"
    )
    if o.classifications:
        text += "|#" + "".join(f"|{c.label}" for c in o.classifications)
        text += f"|{cpp_float(o.confidence)}"
    return text


def minimal_payload(settings: MsgconvSettings, frame: FrameMeta, now: float) -> JsonObj:
    sensor = settings.view.sensors.get(frame.stream) if settings.view else None
    return {
        "version": "4.0",
        "id": str(frame.frame_num),
        "@timestamp": rfc3339_ms(now),
        "sensorId": sensor.id if sensor else "0",
        "objects": [minimal_object(o) for o in frame.objects],
    }


def frame_payloads(
    settings: MsgconvSettings, frame: FrameMeta, now: float | None = None
) -> list[JsonObj]:
    """The payloads nvmsgconv attaches to this frame (possibly none)."""
    if not settings.emulated:
        return []
    if settings.frame_interval and frame.frame_num % settings.frame_interval:
        return []
    now = time.time() if now is None else now
    if settings.payload_type == PayloadType.MINIMAL:
        return [minimal_payload(settings, frame, now)]
    return [full_payload(settings, frame, o, now) for o in frame.objects]
