"""Keep secrets out of every message, repr and log line the broker code produces.

Three kinds of secret reach this package: values we know (a password, from the cfg or the
environment), values under a secret-looking name (librdkafka's `sasl.password`, a cfg's
`password=`), and credentials inside a URI (`amqp://user:pw@host`, `?token=...`). Each has its
own helper; `mask` is applied to every text a result or an error carries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "***"

# Names whose values are secrets: cfg keys (password), librdkafka options (sasl.password,
# ssl.key.password, ssl.keystore.password, sasl.oauthbearer.client.secret, ssl.key.pem: an
# inline private key), environment variables (PASSWORD_MQTT) and URI query parameters.
SECRET_NAME = re.compile(
    r"pass(word|wd)?|pwd|secret|token|credential|api[-_.]?key|private|\.pem$|oauthbearer\.config",
    re.IGNORECASE,
)
# Query parameters that hold a secret although their name is short (`?key=...`, `?sig=...`).
_SECRET_QUERY = {"key", "sig", "signature", "auth", "code"}


def is_secret_name(name: str) -> bool:
    return bool(SECRET_NAME.search(name)) or name.lower() in _SECRET_QUERY


def mask(text: str, secrets: Iterable[str | None]) -> str:
    """`text` with every occurrence of each non-empty secret replaced by MASK.

    Longest first, so a secret that contains another is not left half-visible.
    """
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


def mask_uri(uri: str) -> str:
    """Hide userinfo and secret query parameters: amqp://u:pw@h/?token=t -> amqp://***@h/?token=***."""
    try:
        parts = urlsplit(uri)
    except ValueError:
        return uri
    if not parts.scheme or not parts.netloc:
        return uri
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{MASK}@{netloc.rsplit('@', 1)[1]}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(is_secret_name(k) for k, _ in pairs):
            query = urlencode([(k, MASK if is_secret_name(k) else v) for k, v in pairs], safe="*")
    return urlunsplit(parts._replace(netloc=netloc, query=query))


def masked_items(values: Mapping[str, str]) -> dict[str, str]:
    """A copy fit for a repr: secret-named values masked, URIs without credentials."""
    return {k: (MASK if is_secret_name(k) else mask_uri(v)) for k, v in values.items()}


def secret_values(values: Mapping[str, str]) -> list[str]:
    """The values stored under secret-looking names (for `mask`)."""
    return [v for k, v in values.items() if v and is_secret_name(k)]
