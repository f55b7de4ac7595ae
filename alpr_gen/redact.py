"""Make untrusted or secret-bearing text safe to show: mask credentials, escape control codes.

Every human-readable output goes through here: a URI's userinfo and credential-looking query
parameters become `***`, secret-looking environment variables are hidden, and control characters
(a terminal escape in a config line or a camera's reply) are shown as `\\x1b`, never executed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "***"
SECRET_NAME = re.compile(r"(?i)pass|pwd|secret|token|credential|api_?key|auth|\bkey\b")
# Query parameter names that carry credentials in camera and broker URIs.
_SECRET_PARAM = re.compile(r"(?i)^(pass|passwd|password|pwd|token|key|secret|auth|user|username)")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def mask_uri(uri: str) -> str:
    """rtsp://user:pw@cam/x?token=t -> rtsp://***@cam/x?token=***."""
    try:
        parts = urlsplit(uri)
    except ValueError:
        return uri
    if not parts.scheme:
        return uri
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{MASK}@{netloc.rsplit('@', 1)[1]}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(_SECRET_PARAM.match(k) for k, _ in pairs):
            query = urlencode(
                [(k, MASK if _SECRET_PARAM.match(k) else v) for k, v in pairs], safe="*"
            )
    if netloc == parts.netloc and query == parts.query:
        return uri
    return urlunsplit(parts._replace(netloc=netloc, query=query))


def has_uri_credentials(uri: str) -> bool:
    """True when mask_uri would hide something (the file holding it must be private)."""
    return mask_uri(uri) != uri


def mask_env(env: Mapping[str, str]) -> dict[str, str]:
    return {k: (MASK if SECRET_NAME.search(k) else mask_uri(v)) for k, v in env.items()}


def mask_argv(argv: list[str]) -> list[str]:
    out: list[str] = []
    for arg in argv:
        key, eq, _value = arg.partition("=")
        if eq and SECRET_NAME.search(key):
            out.append(f"{key}={MASK}")
        else:
            out.append(mask_uri(arg))
    return out


def printable(text: str) -> str:
    """Control characters as visible escapes (\\x1b, \\n), so a terminal never runs them."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)
