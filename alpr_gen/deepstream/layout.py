"""The rendered bundle: its file names, its manifest, where it goes by default.

deepstream-app resolves every relative path against the file that names it, so a bundle is one
directory holding the app config and everything it names. `manifest.json` records which site and
DeepStream target the set was rendered for, and the files render wrote.
"""

from __future__ import annotations

import json
import re
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
        try:
            with candidate.open("rb") as fh:
                head = fh.read(64 * 1024).decode("utf-8", errors="replace")
        except OSError:
            continue
        if _APP_GROUP_RE.search(head):
            return candidate
    return None


@dataclass(frozen=True)
class Manifest:
    """What manifest.json says; `error` when it exists but cannot be trusted."""

    site: str | None = None
    deepstream: str | None = None
    platform: str | None = None
    jetson: str | None = None  # orin / thor
    version: str | None = None  # alpr-gen's version that wrote it
    files: dict[str, str] = field(default_factory=dict)  # relative path -> sha256
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
    """Read manifest.json text; any shape it should not have becomes `error`, never an exception."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        return Manifest(error=f"manifest.json is not valid JSON ({exc})")
    if not isinstance(data, dict):
        return Manifest(error="manifest.json is not a JSON object")
    target = data.get("target") or {}
    files = data.get("files") or {}
    if not isinstance(target, dict) or not isinstance(files, dict):
        return Manifest(error="manifest.json: 'target' and 'files' must be objects")

    def text_of(value: object) -> str | None:
        return value if isinstance(value, str) else None

    return Manifest(
        site=text_of(data.get("site")),
        deepstream=text_of(target.get("deepstream")),
        platform=text_of(target.get("platform")),
        jetson=text_of(target.get("jetson")),
        version=text_of(data.get("alpr_gen_version")),
        files={k: v for k, v in files.items() if isinstance(k, str) and isinstance(v, str)},
    )
