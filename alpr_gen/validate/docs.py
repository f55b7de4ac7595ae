"""Generate docs/validate.md from the rule registry and the key schema.

Run `python -m alpr_gen.validate.docs` after changing a rule or the schema; a test fails while
the committed file differs from what this writes.
"""

from __future__ import annotations

import sys
from pathlib import Path

from alpr_gen.deepstream.catalogue import GroupSpec, Key, groups_for
from alpr_gen.deepstream.catalogue.broker import BROKER_KEYS
from alpr_gen.deepstream.catalogue.tracker import TRACKER_SECTIONS
from alpr_gen.deepstream.versions import VERSIONS
from alpr_gen.validate.rules import all_rules

_INTRO = """\
# `alpr-gen validate`: DeepStream config linter

deepstream-app and nvinfer only warn about unknown keys and carry on, so a misspelt key
silently does nothing, and many cross-file mistakes (an SGIE that is never created, an engine
rebuilt at every start, a message sink that sends nothing) only show up on the device.
`alpr-gen validate` finds them on a laptop or in CI, without a GPU or DeepStream.

## Usage

```
alpr-gen validate PATH                 # a config dir or a deepstream-app config file
alpr-gen validate --site lot7          # render a profile in memory and validate it
alpr-gen validate --all-sites          # every shipped profile (CI)
  --deepstream 6.3|7.0|7.1|8.0|9.0|9.1|9.2   # default: manifest.json, else the newest
  --platform jetson|jetson-orin|jetson-thor|dgpu   # default: manifest.json, else dgpu
  --format human|json|github           # github = GitHub Actions annotations
  --strict                             # exit 1 on warnings too
  --out DIR                            # where --site bundles live (default out/)
```

Exit codes: 0 clean (warnings allowed), 1 errors (or warnings with `--strict`), 2 usage error
(no such path, no app config in the directory, unknown `--deepstream`/`--platform`/`--format`,
a profile that cannot be loaded).

The app config is `deepstream_app.txt` in the directory, else the first `*.txt` with
`[application]`/`[sourceN]`/`[streammux]`/`[primary-gie]` groups. From it the linter follows
every file it names (nvinfer configs, labels, tracker YAML, nvdsanalytics, msgconv, broker cfg,
the new-mux config, engines, ONNX files, calibration caches, custom libraries) and, when an
SGIE uses alpr-gen's OCR parser, `ocr_parser.cfg` in the working directory (the bundle dir).
Relative paths are resolved against the directory of the file that names them, as DeepStream
does. Paths under `/opt/nvidia/deepstream` belong to DeepStream and are not checked.

Model artifacts are deployed after render (`alpr-gen export`, `export-ocr`, `build-parser`),
so a missing ONNX, engine, calibration cache, parser library or OCR dictionary is a warning
(DS202/DS203); a missing config or labels file that the set itself should contain is an error
(DS201).

In CI:

```yaml
- run: alpr-gen validate --all-sites --format github
```

(Without `--strict`: before `alpr-gen export` runs, every rendered set has DS202 warnings for
its models. Profiles that read secrets from the environment need them set, any value will do.)

From Python: `alpr_gen.validate.lint_path(path, deepstream=None, platform=None, as_if_at=None)`
returns a `LintReport` (`findings`, `errors`, `warnings`, `exit_code(strict=)`). `as_if_at`
resolves paths as if the set lived in that directory (render lints its staging directory).
Malformed input never raises: it becomes findings.

Only INI-style (GLib key file) configs are linted: a YAML deepstream-app config is refused
(exit 2) and a YAML element config named by an INI app config is reported as not checked
(DS003).

Facts marked unverified in the DeepStream reference are encoded as follows and may need
adjusting when checked on a device: `[streammux] config-file-path` exists from 8.0 and
`config-file` is reported deprecated from 8.0; UFF/Caffe keys and `force-implicit-batch-dim`
are reported as removed after 7.0 (TensorRT 10 in 7.1 dropped them).
"""


def _key_row(name: str, k: Key) -> str:
    allowed = ""
    if k.choices:
        allowed = ", ".join(f"{v}" + (f" {m}" if m else "") for v, m in k.choices.items())
    elif k.lo is not None or k.hi is not None:
        lo = "" if k.lo is None else f"{k.lo:g}"
        hi = "" if k.hi is None else f"{k.hi:g}"
        allowed = f"{lo}..{hi}"
    notes = []
    if k.since:
        notes.append(f"{k.since}+")
    if k.until:
        notes.append(f"up to {k.until}")
    if k.platform:
        notes.append(f"{k.platform} only")
    for v, plat in k.value_platform.items():
        notes.append(f"{v}: {plat} only")
    for v, ver in k.value_since.items():
        notes.append(f"{v}: {ver}+")
    if k.deprecated is not None:
        since = f" from {k.deprecated_since}" if k.deprecated_since else ""
        notes.append(f"deprecated{since}" + (f" → {k.deprecated}" if k.deprecated else ""))
    if k.length:
        fewest, most = k.length
        notes.append(f"{fewest} values" if fewest == most else f"{fewest}-{most} values")
    cells = [f"`{name}`", k.type.value, allowed, k.default or "", "; ".join(notes), k.doc]
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


_HEAD = "| key | type | allowed | default | versions / platform / notes | meaning |\n" + (
    "| --- | --- | --- | --- | --- | --- |"
)


def _groups(title: str, groups: list[GroupSpec]) -> list[str]:
    out = [f"### {title}", ""]
    for g in groups:
        out.append(f"#### [{g.name}]: {g.doc}")
        out.append("")
        if g.keys is None:
            out += ["Keys not checked.", ""]
            continue
        out.append(_HEAD)
        out += [_key_row(n, k) for n, k in g.keys.items()]
        out += [_key_row(f"{p}<label>", k) for p, k in g.prefix_keys.items()]
        out.append("")
    return out


def render_docs() -> str:
    out = [_INTRO, "## Rules", "", "| id | severity | what |", "| --- | --- | --- |"]
    for r in sorted(all_rules().values(), key=lambda r: r.id):
        out.append(f"| {r.id} | {r.severity.value} | {r.title} |")
    out += [
        "| DS000 | warning | a rule crashed (a bug in alpr-gen; the other rules still ran) |",
        "",
        f"## Keys known to the linter (DeepStream {', '.join(VERSIONS)})",
        "",
        "Generated from `alpr_gen/deepstream/catalogue/`.",
        "",
    ]
    titles = {
        "app": "deepstream-app config",
        "nvinfer": "nvinfer config",
        "analytics": "nvdsanalytics config",
        "msgconv": "msgconv config",
        "ocr": "ocr_parser.cfg (alpr-gen's OCR parser)",
    }
    for kind, title in titles.items():
        out += _groups(title, groups_for(kind))
    out += ["### broker cfg ([message-broker], per adaptor)", ""]
    for adaptor, keys in BROKER_KEYS.items():
        out += [f"#### {adaptor}", "", _HEAD]
        out += [_key_row(n, k) for n, k in keys.items()]
        out.append("")
    out += ["### tracker YAML (low-level library)", ""]
    for section, keys in TRACKER_SECTIONS.items():
        out += [f"#### {section}", "", _HEAD]
        out += [_key_row(n, k) for n, k in keys.items()]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def docs_path() -> Path:
    return Path(__file__).resolve().parents[2] / "docs" / "validate.md"


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else docs_path()
    target.write_text(render_docs(), encoding="utf-8")
    print(f"wrote {target}")
