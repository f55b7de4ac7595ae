"""The nvmsgconv config file: [sensorN], [placeN], [analyticsN]."""

from __future__ import annotations

from alpr_gen.deepstream.catalogue import FLAG, GroupSpec, Key, T

MSGCONV_GROUPS: list[GroupSpec] = [
    GroupSpec(
        "sensorN",
        r"sensor\d+",
        {
            "enable": FLAG,
            "id": Key(T.STR, "sensor id in payloads"),
            "type": Key(T.STR, "e.g. Camera"),
            "description": Key(T.STR, "text"),
            "location": Key(T.FLOAT_LIST, "lat;lon;alt", length=(3, 3)),
            "coordinate": Key(T.FLOAT_LIST, "x;y;z", length=(3, 3)),
        },
        "sensor for source N",
    ),
    GroupSpec(
        "placeN",
        r"place\d+",
        {
            "enable": FLAG,
            "id": Key(T.STR, "place id"),
            "type": Key(T.STR, "e.g. intersection/road"),
            "name": Key(T.STR, "name"),
            "location": Key(T.FLOAT_LIST, "lat;lon;alt", length=(3, 3)),
            "coordinate": Key(T.FLOAT_LIST, "x;y;z", length=(3, 3)),
            "place-sub-field1": Key(T.STR, "free text"),
            "place-sub-field2": Key(T.STR, "free text"),
            "place-sub-field3": Key(T.STR, "free text"),
        },
        "place for source N",
    ),
    GroupSpec(
        "analyticsN",
        r"analytics\d+",
        {
            "enable": FLAG,
            "id": Key(T.STR, "module id"),
            "description": Key(T.STR, "text"),
            "source": Key(T.STR, "text"),
            "version": Key(T.STR, "text"),
        },
        "analytics module for source N",
    ),
]
