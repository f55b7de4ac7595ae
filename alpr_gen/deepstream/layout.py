"""The rendered bundle: its file names, its manifest, where it goes by default.

deepstream-app resolves every relative path against the file that names it, so a bundle is one
directory holding the app config and everything it names. `manifest.json` records which site and
DeepStream target the set was rendered for, and the files render wrote.
"""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

APP_CONFIG = "deepstream_app.txt"
PGIE_CONFIG = "pgie_yolo11.txt"
OCR_CONFIG = "sgie_ocr.txt"
LABELS = "labels.txt"
TRACKER_CONFIG = "tracker.yml"
ANALYTICS_CONFIG = "analytics.txt"
MSGCONV_CONFIG = "msgconv.txt"
BROKER_CONFIG = "broker.txt"
# alpr-gen's OCR parser reads this from deepstream-app's working directory (the bundle).
OCR_PARSER_CONFIG = "ocr_parser.cfg"
MUX_CONFIG = "streammux.txt"
MANIFEST = "manifest.json"
# Where export and build-parser put what they produce inside a bundle.
MODELS_DIR = "models"
LIB_DIR = "lib"

DEFAULT_OUT_ROOT = Path("out")
# The manifest's value for a file that holds credentials: no digest of it is published (a
# SHA-256 of a file with a weak password is guessable). Its digest is kept in PRIVATE_DIGESTS,
# a 0600 file beside it, readable only by whoever can read the secret itself.
PRIVATE = "private"
PRIVATE_DIGESTS = ".alpr-gen-private.json"
# A manifest this big, this deep or with this many files was not written by alpr-gen.
MAX_MANIFEST_BYTES = 1024 * 1024
MAX_MANIFEST_FILES = 1024
_DIGEST_RE = re.compile(r"^[0-9a-f]{64}$")

# A hand-written app config is recognised by deepstream-app's own groups.
_APP_GROUP_RE = re.compile(r"^\s*\[(application|source\d*|streammux|primary-gie)\]", re.M)


def default_bundle_dir(site: str) -> Path:
    """`out/<site>`: where render writes a site and export/build-parser look for it."""
    return DEFAULT_OUT_ROOT / site


def find_app_config(path: Path) -> Path | None:
    """The app config at `path`: the file itself, or in a directory deepstream_app.txt, else a
    .txt file with deepstream-app's groups."""
    if path.is_file():
        return path
    if not path.is_dir():
        return None
    named = path / APP_CONFIG
    if named.is_file():
        return named
    for candidate in sorted(path.glob("*.txt")):
        head = _head(candidate)
        if head is not None and _APP_GROUP_RE.search(head):
            return candidate
    return None


def _head(path: Path, size: int = 64 * 1024) -> str | None:
    """The first bytes of a regular file (a FIFO named x.txt must not block the search)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        return os.read(fd, size).decode("utf-8", errors="replace")
    except OSError:
        return None
    finally:
        os.close(fd)


def safe_bundle_name(name: str) -> bool:
    """A plain file name inside the bundle: no directory part, no `..`, no control characters."""
    return (
        0 < len(name) <= 255
        and name not in (".", "..")
        and "/" not in name
        and "\\" not in name
        and not any(ord(c) < 32 or ord(c) == 127 for c in name)
    )


@dataclass(frozen=True)
class Manifest:
    """What manifest.json says; `error` when it exists but cannot be trusted."""

    site: str | None = None
    deepstream: str | None = None
    platform: str | None = None
    jetson: str | None = None  # orin / thor
    version: str | None = None  # alpr-gen's version that wrote it
    files: dict[str, str] = field(default_factory=dict)  # file name -> sha256 (or PRIVATE)
    error: str | None = None

    @property
    def has_target(self) -> bool:
        return self.deepstream is not None or self.platform is not None


def manifest_text(
    *,
    version: str,
    site: str,
    deepstream: str,
    platform: str,
    jetson: str | None = None,
    files: dict[str, str],
) -> str:
    target = {"platform": platform, "deepstream": deepstream}
    if jetson is not None:
        target["jetson"] = jetson
    data = {
        "alpr_gen_version": version,
        "site": site,
        "target": target,
        "files": dict(sorted(files.items())),
    }
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def parse_manifest(text: str) -> Manifest:
    """Read manifest.json text; any shape it should not have becomes `error`, never an exception.

    A manifest tells render which files it may replace or remove, so one that names anything
    but plain file names with SHA-256 digests (or `private`) is not trusted at all.
    """
    if len(text) > MAX_MANIFEST_BYTES:
        return Manifest(error="manifest.json is larger than alpr-gen ever writes one")
    try:
        data = json.loads(text)
    except ValueError as exc:
        return Manifest(error=f"manifest.json is not valid JSON ({exc})")
    except RecursionError:
        return Manifest(error="manifest.json is nested too deeply")
    if not isinstance(data, dict):
        return Manifest(error="manifest.json is not a JSON object")
    target = data.get("target", {})
    files = data.get("files", {})
    if not isinstance(target, dict) or not isinstance(files, dict):
        return Manifest(error="manifest.json: 'target' and 'files' must be objects")
    if len(files) > MAX_MANIFEST_FILES:
        return Manifest(error=f"manifest.json lists more than {MAX_MANIFEST_FILES} files")
    for name, digest in files.items():
        if not safe_bundle_name(name):
            return Manifest(error="manifest.json names a path outside the bundle directory")
        if not (isinstance(digest, str) and (digest == PRIVATE or _DIGEST_RE.match(digest))):
            return Manifest(error="manifest.json: each file needs a SHA-256 digest")

    def text_of(value: object) -> str | None:
        return value if isinstance(value, str) else None

    return Manifest(
        site=text_of(data.get("site")),
        deepstream=text_of(target.get("deepstream")),
        platform=text_of(target.get("platform")),
        jetson=text_of(target.get("jetson")),
        version=text_of(data.get("alpr_gen_version")),
        files=dict(files),
    )


def parse_private_digests(text: str) -> dict[str, str]:
    """PRIVATE_DIGESTS' {file name: sha256}; empty when it is not what render writes."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return {}
    if not isinstance(data, dict) or len(data) > MAX_MANIFEST_FILES:
        return {}
    return {
        k: v
        for k, v in data.items()
        if isinstance(k, str) and safe_bundle_name(k) and isinstance(v, str) and _DIGEST_RE.match(v)
    }
