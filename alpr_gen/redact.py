"""Make untrusted or secret-bearing text safe to show: mask credentials, escape control codes.

The one masking module. Every human-readable output goes through here. Three kinds of secret
reach alpr-gen: values we know (a password from the profile, a cfg or the environment), values
under a secret-looking name (`password=`, librdkafka's `sasl.password`, `MQTT_PASSWORD`), and
credentials inside a URI (`rtsp://user:pw@cam`, `?token=...`). Each has its helper; `mask_text`
applies the name and URI rules to free text (a config line, an error message). Control
characters (a terminal escape in a config line or a camera's reply) are shown as `\\x1b`,
never executed (`printable`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "***"

# Names whose values are secrets: cfg keys (password), librdkafka options (sasl.password,
# ssl.key.password, sasl.oauthbearer.client.secret, ssl.key.pem: an inline private key),
# environment variables (MQTT_PASSWORD, API_TOKEN) and URI query parameters (?pwd=, ?token=).
SECRET_NAME = re.compile(
    r"pass(word|wd|phrase)?|pwd|secret|token|credential|(api|access)[-_.]?key|private|\.pem$"
    r"|oauthbearer\.config|authorization",
    re.IGNORECASE,
)
# Short words that make a name secret as its last word (`?key=`, `?sig=`, `GITHUB_AUTH`,
# `AWS_KEY`); not `ssl.key.location` or `partition-key`. Free-text masking (`mask_text`) ignores
# them: in prose, "key=value" is not a secret.
_SECRET_WORDS = {"key", "sig", "signature", "auth"}
_LAST_WORD = re.compile(r"(?:^|[._])([A-Za-z]+)$")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")
# A URI inside free text, up to whitespace or a quote/bracket that usually ends it.
_URI_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^\s'\"<>`]+")
# `name=value` (a config line, an option, a query string without a scheme).
_ASSIGNMENT = re.compile(
    r"(?P<name>[A-Za-z_][\w.\-]*)(?P<eq>\s*=\s*)(?P<value>\"[^\"]*\"|[^\s;&,'\"]+)"
)


def is_secret_name(name: str) -> bool:
    """True for names whose value is a secret (password, sasl.password, ?token=, AUTH...)."""
    last = _LAST_WORD.search(name)
    return bool(SECRET_NAME.search(name)) or bool(last and last.group(1).lower() in _SECRET_WORDS)


def mask(text: str, secrets: Iterable[str | None]) -> str:
    """`text` with every occurrence of each non-empty known secret replaced by MASK.

    Longest first, so a secret that contains another is not left half-visible.
    """
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


def mask_uri(uri: str) -> str:
    """rtsp://user:pw@cam/x?token=t -> rtsp://***@cam/x?token=***; anything else unchanged."""
    try:
        parts = urlsplit(uri)
    except ValueError:
        return _mask_broken_uri(uri)
    if not parts.scheme:
        return uri
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{MASK}@{netloc.rsplit('@', 1)[1]}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(is_secret_name(k) for k, _ in pairs):
            query = urlencode([(k, MASK if is_secret_name(k) else v) for k, v in pairs], safe="*")
    if netloc == parts.netloc and query == parts.query:
        return uri
    return urlunsplit(parts._replace(netloc=netloc, query=query))


def _mask_broken_uri(uri: str) -> str:
    # urlsplit refuses some malformed authorities ("[" without "]"): mask what looks like
    # userinfo and every query value rather than show the text as it is.
    head, sep, rest = uri.partition("://")
    if not sep:
        return uri
    authority, slash, tail = rest.partition("/")
    if "@" in authority:
        authority = f"{MASK}@{authority.rsplit('@', 1)[1]}"
    tail = re.sub(r"=([^&#]*)", f"={MASK}", tail) if "?" in tail else tail
    return f"{head}://{authority}{slash}{tail}"


def has_uri_credentials(uri: str) -> bool:
    """True when mask_uri would hide something (the file holding it must be private)."""
    return mask_uri(uri) != uri


def mask_text(text: str) -> str:
    """Free text with every URI's credentials and every `secret-name=value` masked."""
    text = _URI_IN_TEXT.sub(lambda m: mask_uri(m.group()), text)

    def assignment(m: re.Match[str]) -> str:
        name, eq, value = m.group("name"), m.group("eq"), m.group("value")
        # Only the long names here: in prose, "key=value" is not a secret.
        if SECRET_NAME.search(name) and value not in (MASK, "..."):
            return f"{name}{eq}{MASK}"
        if value.startswith('"'):  # proto-cfg="sasl.password=...;...": look inside
            return f"{name}{eq}{mask_text(value)}"
        return m.group()

    return _ASSIGNMENT.sub(assignment, text)


def mask_line(line: str) -> str:
    """A config line quoted back to a user (possibly mangled: `password hunter2`, `pwd:x`):
    everything after a secret-looking name is hidden, URIs lose their credentials."""
    masked = mask_text(line)
    for m in re.finditer(r"[A-Za-z_][\w.\-]*", masked):
        rest = masked[m.end() :].strip(" \t=:\"'")
        if is_secret_name(m.group()) and rest and not rest.startswith(MASK):
            return f"{masked[: m.end()]} {MASK}"
    return masked


def clip(text: str, limit: int = 120) -> str:
    """At most `limit` characters: a quoted line never floods the terminal."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quote_line(line: str, limit: int = 120) -> str:
    """A line of an untrusted file as it may be shown: masked, escaped, clipped."""
    return clip(printable(mask_line(line.strip())), limit)


def mask_env(env: Mapping[str, str]) -> dict[str, str]:
    """An environment fit to print: secret-named variables hidden, URIs without credentials."""
    return {k: (MASK if is_secret_name(k) else mask_uri(v)) for k, v in env.items()}


def masked_items(values: Mapping[str, str]) -> dict[str, str]:
    """A copy fit for a repr: secret-named values masked, URIs without credentials."""
    return mask_env(values)


def secret_values(values: Mapping[str, str]) -> list[str]:
    """The values stored under secret-looking names (for `mask`)."""
    return [v for k, v in values.items() if v and is_secret_name(k)]


def mask_argv(argv: list[str]) -> list[str]:
    out: list[str] = []
    for arg in argv:
        key, eq, _value = arg.partition("=")
        if eq and is_secret_name(key):
            out.append(f"{key}={MASK}")
        else:
            out.append(mask_uri(arg))
    return out


def printable(text: str) -> str:
    """Control characters as visible escapes (\\x1b, \\n), so a terminal never runs them."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


def safe_text(text: str) -> str:
    """Untrusted free text as it may be printed: credentials masked, control codes escaped."""
    return printable(mask_text(text))
