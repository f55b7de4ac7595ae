"""DS119: a [sourceN] uri deepstream-app cannot open because of its scheme."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from alpr_gen.configset import ConfigSet
from alpr_gen.deepstream.facts import SOURCE_URI_SCHEMES, URI_SOURCE_TYPES
from alpr_gen.redact import mask_uri
from alpr_gen.validate.findings import Severity
from alpr_gen.validate.rules import Hit, hit, rule


def _scheme_problem(uri: str) -> str | None:
    scheme, sep, _ = uri.partition("://")
    if not sep:
        return (
            "has no scheme: write file:///absolute/path.mp4, file://relative/path.mp4 or "
            "rtsp://host/stream"
        )
    if scheme.lower() in SOURCE_URI_SCHEMES:
        return None
    close = difflib.get_close_matches(scheme.lower(), SOURCE_URI_SCHEMES, n=1, cutoff=0.5)
    guess = f"did you mean {close[0]}://? " if close else ""
    return (
        f"has the scheme {scheme!r}, which no DeepStream source opens: {guess}"
        f"use one of {', '.join(s + '://' for s in SOURCE_URI_SCHEMES)}"
    )


@rule("DS119", Severity.ERROR, "source uri with a scheme deepstream-app cannot open")
def uri_scheme(cs: ConfigSet) -> Iterator[Hit]:
    for src in cs.sources:
        if src.type not in URI_SOURCE_TYPES or not src.uri:
            continue
        problem = _scheme_problem(src.uri.strip())
        if problem is None:
            continue
        group = cs.app_group(src.group)
        line = group.line_of("uri") if group is not None else src.line
        yield hit(cs.app, line, src.group, "uri", f"uri={mask_uri(src.uri)} {problem}")
