"""Secrets out of text: known values, secret-named keys, URI userinfo and query parameters."""

from __future__ import annotations

from alpr_gen.redact import MASK, is_secret_name, mask, mask_uri, masked_items


def test_mask_replaces_every_occurrence_longest_first() -> None:
    assert mask("a hunter2 b hunter2", ["hunter2"]) == f"a {MASK} b {MASK}"
    # 'pw' inside 'pw-long' must not leave '-long' behind.
    assert mask("x pw-long y pw", ["pw", "pw-long", None, ""]) == f"x {MASK} y {MASK}"
    assert mask("nothing here", []) == "nothing here"


def test_mask_uri_userinfo_and_secret_query_parameters() -> None:
    assert mask_uri("amqp://user:pw@rabbit:5672/vh") == f"amqp://{MASK}@rabbit:5672/vh"
    assert mask_uri("rtsp://cam/s?user=admin&password=pw1&channel=2") == (
        f"rtsp://cam/s?user=admin&password={MASK}&channel=2"
    )
    for name in ("passwd", "pwd", "token", "key", "secret", "access_token", "api_key", "sig"):
        out = mask_uri(f"https://h/p?{name}=TOPSECRET&x=1")
        assert "TOPSECRET" not in out and "x=1" in out, (name, out)
    assert mask_uri("not a uri") == "not a uri"
    assert mask_uri("redis://h:6379/0") == "redis://h:6379/0"


def test_secret_names() -> None:
    for name in ("password", "sasl.password", "ssl.key.password", "PASSWORD_MQTT",
                 "sasl.oauthbearer.client.secret", "ssl.key.pem", "sasl.oauthbearer.config"):  # fmt: skip
        assert is_secret_name(name), name
    for name in ("username", "sasl.username", "topic", "hostname", "ssl.ca.location", "port"):
        assert not is_secret_name(name), name
    assert masked_items({"password": "p", "uri": "mqtt://u:p@h", "topic": "t"}) == {
        "password": MASK,
        "uri": f"mqtt://{MASK}@h",
        "topic": "t",
    }
