"""The one masking module: what counts as a secret, and how each kind is hidden."""

from __future__ import annotations

import pytest

from alpr_gen.redact import (
    MASK,
    clip,
    has_uri_credentials,
    is_secret_name,
    mask_line,
    mask_text,
    mask_uri,
    printable,
    quote_line,
    safe_text,
)


@pytest.mark.parametrize(
    "name",
    [
        "password",
        "passwd",
        "pwd",
        "pass",
        "token",
        "access_token",
        "secret",
        "api_key",
        "apikey",
        "key",
        "sig",
        "signature",
        "auth",
        "GITHUB_AUTH",
        "AWS_KEY",
        "sasl.password",
        "ssl.key.password",
        "sasl.oauthbearer.client.secret",
        "ssl.key.pem",
        "MQTT_PASSWORD",
        "x-auth-token",
        "Authorization",
        "credential",
        "private_key",
    ],
)
def test_secret_names(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize(
    "name",
    [
        "username",
        "user",
        "topic",
        "host",
        "partition-key",
        "ssl.key.location",
        "keyframe",
        "monkey",
        "ssl.ca.location",
        "port",
        "channel",
        "author",
    ],
)
def test_not_secret_names(name: str) -> None:
    assert not is_secret_name(name)


def test_uri_credentials_userinfo_and_query() -> None:
    assert mask_uri("rtsp://admin:pw@cam:554/s") == f"rtsp://{MASK}@cam:554/s"
    assert (
        mask_uri("rtsp://cam/s?channel=1&password=pw") == f"rtsp://cam/s?channel=1&password={MASK}"
    )
    assert mask_uri("file:///v.mp4?token=t") == f"file:///v.mp4?token={MASK}"
    assert (
        mask_uri("rtsp://cam/s?channel=1") == "rtsp://cam/s?channel=1"
    )  # untouched, not re-encoded
    assert mask_uri("rtsp://[::1:pw@host/x").startswith("rtsp://***@")  # urlsplit refuses it
    assert has_uri_credentials("rtsp://cam/s?pwd=x") and not has_uri_credentials("rtsp://cam/s")


def test_free_text() -> None:
    text = 'x uri=rtsp://u:p@h/?sig=s password=pw proto-cfg="sasl.password=k;a=b" key=value'
    assert mask_text(text) == (
        f'x uri=rtsp://{MASK}@h/?sig={MASK} password={MASK} proto-cfg="sasl.password={MASK};a=b"'
        " key=value"
    )


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ("password hunter2", f"password {MASK}"),
        ("pwd: hunter2", f"pwd {MASK}"),
        ("password=hunter2", f"password={MASK}"),
        ("uri rtsp://a:b@h/", f"uri rtsp://{MASK}@h/"),
        ("[sink0]", "[sink0]"),
        ("token", "token"),
    ],
)
def test_mangled_lines(line: str, shown: str) -> None:
    assert mask_line(line) == shown


def test_control_characters_and_length() -> None:
    assert printable("a\x1b]0;t\x07b\x9bc\u2028") == "a\\x1b]0;t\\x07b\\x9bc\\u2028"
    assert printable("tab\tstays") == "tab\tstays"
    assert safe_text("pw=1 password=2 \x1b") == f"pw=1 password={MASK} \\x1b"
    assert len(clip("x" * 500, 120)) == 120
    assert quote_line("  password " + "y" * 300) == f"password {MASK}"
