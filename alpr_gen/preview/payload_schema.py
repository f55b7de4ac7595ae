"""JSON Schemas (draft 2020-12) of the payloads nvmsgconv builds with msg-conv-msg2p-new-api=1,
per DeepStream release alpr-gen targets.

Written from dsmeta_payload.cpp (generate_dsmeta_message / _minimal) and deepstream_schema.cpp.
The new-API payload code is the same from DeepStream 6.3 to 8.0 in the sources read (the 6.x copy
and the one shipped with 9.x agree field for field), so every release maps to the same two
schemas; the table exists so that a release that changes them gets its own entry.
"""

from __future__ import annotations

from typing import Any

from alpr_gen.deepstream.facts import PayloadType
from alpr_gen.deepstream.versions import VERSIONS

Schema = dict[str, Any]

_NUM = {"type": "number"}
_STR = {"type": "string"}
_TS = {"type": "string", "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"}
_UUID = {
    "type": "string",
    "pattern": r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
}
_U64 = {"type": "string", "pattern": r"^(0|[1-9][0-9]{0,19})$"}


def _closed(props: dict[str, Any], required: list[str] | None = None) -> Schema:
    return {
        "type": "object",
        "properties": props,
        "required": list(props) if required is None else required,
        "additionalProperties": False,
    }


def _nullable(schema: Schema) -> Schema:
    return {"oneOf": [{"type": "null"}, schema]}


_LOCATION = _closed({"lat": _NUM, "lon": _NUM, "alt": _NUM})
_COORD = _closed({"x": _NUM, "y": _NUM, "z": _NUM})
_BBOX = _closed(
    {
        "topleftx": {"type": "integer"},
        "toplefty": {"type": "integer"},
        "bottomrightx": {"type": "integer"},
        "bottomrighty": {"type": "integer"},
    }
)
_FIXED_OBJECT_KEYS = {"id", "speed", "direction", "orientation", "bbox", "location", "coordinate"}
# The member named after the object's label: its confidence, and classifier-type -> label pairs.
_LABEL_MEMBER = {
    "type": "object",
    "properties": {"confidence": _NUM},
    "required": ["confidence"],
    "additionalProperties": _STR,
}

FULL_V1: Schema = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "nvmsgconv full payload (msg-conv-payload-type=0, new API)",
    **_closed(
        {
            "messageid": _UUID,
            "mdsversion": {"const": "1.0"},
            "@timestamp": _TS,
            "place": _nullable(
                _closed(
                    {
                        "id": _STR,
                        "name": _STR,
                        "type": _STR,
                        "location": _LOCATION,
                        "place-sub-field": _closed(
                            {"id": _STR, "name": _STR, "level": _STR, "coordinate": _COORD}
                        ),
                    }
                )
            ),
            "sensor": _nullable(
                _closed(
                    {
                        "id": _STR,
                        "type": _STR,
                        "description": _STR,
                        "location": _LOCATION,
                        "coordinate": _COORD,
                    }
                )
            ),
            "analyticsModule": _nullable(
                _closed({"id": _STR, "description": _STR, "source": _STR, "version": _STR})
            ),
            "object": {
                "type": "object",
                "properties": {
                    "id": _U64,
                    "speed": _NUM,
                    "direction": _NUM,
                    "orientation": _NUM,
                    "bbox": _BBOX,
                    "location": _closed({}),
                    "coordinate": _closed({}),
                },
                "required": sorted(_FIXED_OBJECT_KEYS),
                # exactly one more member: the label's
                "minProperties": len(_FIXED_OBJECT_KEYS) + 1,
                "maxProperties": len(_FIXED_OBJECT_KEYS) + 1,
                "additionalProperties": _LABEL_MEMBER,
            },
            "event": _closed({"id": _UUID, "type": {"const": ""}}),
            "videoPath": {"const": ""},
            "customMessage": {"type": "array", "items": _STR},
        },
        required=[
            "messageid",
            "mdsversion",
            "@timestamp",
            "place",
            "sensor",
            "analyticsModule",
            "object",
            "event",
            "videoPath",
        ],
    ),
}

# "id|left|top|right|bottom|label" then, with classifier results, "|#", "|label"..., "|conf".
_MINIMAL_OBJECT = {
    "type": "string",
    "pattern": r"^[0-9]+(\|[^|]*){5}(\|#(\|[^|]*)+)?$",
}
MINIMAL_V4: Schema = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "nvmsgconv minimal payload (msg-conv-payload-type=1, new API)",
    **_closed(
        {
            "version": {"const": "4.0"},
            "id": {"type": "string", "pattern": r"^[0-9]+$"},
            "@timestamp": _TS,
            "sensorId": _STR,
            "objects": {"type": "array", "items": _MINIMAL_OBJECT},
            "customMessage": {"type": "array", "items": _STR},
        },
        required=["version", "id", "@timestamp", "sensorId", "objects"],
    ),
}

# DeepStream release -> payload type -> schema.
SCHEMAS: dict[str, dict[int, Schema]] = {
    v: {PayloadType.FULL: FULL_V1, PayloadType.MINIMAL: MINIMAL_V4} for v in VERSIONS
}


def schema_for(deepstream: str, payload_type: int) -> Schema:
    try:
        return SCHEMAS[deepstream][payload_type]
    except KeyError:
        raise KeyError(
            f"no payload schema for DeepStream {deepstream}, payload type {payload_type}"
        ) from None
