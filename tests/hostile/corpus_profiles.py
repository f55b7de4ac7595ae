"""Bad site profiles: each renders into {tmp}/out, which must stay absent."""

from __future__ import annotations

import codecs
import re

from .harness import SECRET, Case, Dir, Fifo, Link, Private, line_of

BASE = """\
name: hostile
target: {platform: dgpu, deepstream: "7.1"}
place: {id: p1, name: Place one}
cameras:
  - id: cam-a
    name: Camera A
    uri: rtsp://10.0.0.1/s
    resolution: [1920, 1080]
    lines:
      - name: entry
        points: [[100, 500], [1800, 500]]
        direction: [[960, 300], [960, 700]]
    zones:
      - name: lot
        points: [[0, 0], [1000, 0], [1000, 1000], [0, 1000]]
  - id: cam-b
    name: Camera B
    uri: rtsp://10.0.0.2/s
    fps: 25
detector:
  labels: [vehicle, plate]
  vehicle_class_ids: [0]
  plate_class_ids: [1]
messaging:
  broker: mqtt
  host: mqtt.local
  topic: plates
  username: alpr
  password: ${HOSTILE_MQTT_PASSWORD}
"""
RENDER = ("render", "--site", "{tmp}/p.yaml", "--out", "{tmp}/out")
P = r"{tmp}/p\.yaml"


def mutate(old: str, new: str, count: int = 1) -> str:
    assert old in BASE, old
    return BASE.replace(old, new, count)


def at(text: str, needle: str, after: str = "", nth: int = 1) -> str:
    """Regex: p.yaml:<line of needle>: then `after` (a regex)."""
    return rf"{P}:{line_of(text, needle, nth)}\b[^\n]*{after}"


def render_case(cid: str, cls: str, text: str | bytes, where: str | None, **kw: object) -> Case:
    files = {"p.yaml": text, **kw.pop("files", {})}  # type: ignore[dict-item]
    return Case(cid, cls, RENDER, files, where=where, **kw)  # type: ignore[arg-type]


def _shape_cases() -> list[Case]:
    """Class 7: pydantic's raw texts become expected shapes, at the key's own line."""
    out = []
    table = [
        (
            "resolution: [1920, 1080]",
            "resolution: [1920]",
            r"cameras\[0\]\.resolution: expected \[width, height\]",
        ),
        (
            "resolution: [1920, 1080]",
            "resolution: 1920x1080",
            r"cameras\[0\]\.resolution: expected \[width, height\]",
        ),
        (
            "resolution: [1920, 1080]",
            "resolution: [1920, 1080, 3]",
            r"cameras\[0\]\.resolution: expected \[width, height\]",
        ),
        (
            "resolution: [1920, 1080]",
            "resolution: {w: 1920, h: 1080}",
            r"cameras\[0\]\.resolution: expected \[width, height\]",
        ),
        (
            "points: [[100, 500], [1800, 500]]",
            "points: [[100, 500]]",
            r"lines\[0\]\.points: expected a segment",
        ),
        (
            "points: [[100, 500], [1800, 500]]",
            "points: [100, 500]",
            r"lines\[0\]\.points\[0\]: expected a point \[x, y\]",
        ),
        (
            "direction: [[960, 300], [960, 700]]",
            "direction: down",
            r"lines\[0\]\.direction: expected an arrow",
        ),
        (
            "points: [[0, 0], [1000, 0], [1000, 1000], [0, 1000]]",
            "points: [[0, 0], [10, 0]]",
            r"zones\[0\]\.points: expected a polygon",
        ),
        (
            "labels: [vehicle, plate]",
            "labels: vehicle",
            r"detector\.labels: expected a list of class names",
        ),
        ("    fps: 25", "    fps: fast", r"cameras\[1\]\.fps: expected a whole number"),
        ("    fps: 25", "    fps: 25.5", r"cameras\[1\]\.fps: expected a whole number"),
        ("    fps: 25", "    fps: 0", r"cameras\[1\]\.fps: must be at least 1"),
        ("    fps: 25", "    fps: 241", r"cameras\[1\]\.fps: must be at most 240"),
        (
            "  topic: plates",
            "  topic: plates\n  port: 99999",
            r"messaging\.port: must be at most 65535",
        ),
        (
            "  broker: mqtt",
            "  broker: mqttt",
            r"messaging\.broker: unknown 'mqttt'.*did you mean 'mqtt'",
        ),
        ("name: Place one", "name: [Place, one]", r"place\.name: expected text, got a list"),
        ("name: hostile", "name: 42", r"name: expected text, got a number \(quote it"),
        ("name: hostile", "name: 9hostile", r"name: expected a name"),
        ("  - id: cam-a", "  - id: -cam", r"cameras\[0\]\.id: expected an id"),
        (
            'deepstream: "7.1"',
            'deepstream: "5.0"',
            r"target\.deepstream: DeepStream '5\.0' is not one of",
        ),
        (
            "platform: dgpu",
            "platform: gpu",
            r"target\.platform: expected one of 'jetson' or 'dgpu'",
        ),
        (
            "messaging:\n",
            "outputs: [{type: fakesnk}]\nmessaging:\n",
            r"outputs\[0\]\.type: unknown 'fakesnk'.*did you mean 'fakesink'",
        ),
        (
            "messaging:\n",
            "outputs: [{path: x.mp4}]\nmessaging:\n",
            r"outputs\[0\]: missing `type:`",
        ),
        ("messaging:\n", "outputs: fakesink\nmessaging:\n", r"outputs: expected a list of outputs"),
        ("place: {id: p1, name: Place one}", "place: p1", r"place: expected a mapping of fields"),
    ]
    for i, (old, new, msg) in enumerate(table):
        text = mutate(old, new)
        needle = new.split("\n")[-1].strip() if "\n" in new else new.strip()
        if new.startswith("outputs"):
            needle = "outputs:"
        out.append(render_case(f"shape-{i:02d}", "7-message", text, at(text, needle, msg)))
    return out


def _did_you_mean_cases() -> list[Case]:
    """Class 7: a misspelt key names the field it probably is."""
    table = [
        ("name: hostile", "nmae: hostile", "nmae", "name"),
        ("  username: alpr", "  usrname: alpr", r"messaging\.usrname", "username"),
        (
            "  password: ${HOSTILE_MQTT_PASSWORD}",
            "  pasword: ${HOSTILE_MQTT_PASSWORD}",
            r"messaging\.pasword",
            "password",
        ),
        ("    fps: 25", "    fsp: 25", r"cameras\[1\]\.fsp", "fps"),
        (
            "    resolution: [1920, 1080]",
            "    resolutoin: [1920, 1080]",
            r"cameras\[0\]\.resolutoin",
            "resolution",
        ),
        (
            "  plate_class_ids: [1]",
            "  plate_class_id: [1]",
            r"detector\.plate_class_id",
            "plate_class_ids",
        ),
        ("        direction:", "        directon:", r"lines\[0\]\.directon", "direction"),
        ("target: {platform: dgpu,", "target: {platfrom: dgpu,", r"target\.platfrom", "platform"),
        (
            "detector:\n",
            "detector:\n  tresholds: {confidence: 0.3}\n",
            r"detector\.tresholds",
            "thresholds",
        ),
        ("messaging:\n", "trackr: {kind: iou}\nmessaging:\n", "trackr", "tracker"),
        ("messaging:\n", "ocr: {presett: ppocr}\nmessaging:\n", r"ocr\.presett", "preset"),
        ("messaging:\n", "streammux: {widht: 1280}\nmessaging:\n", r"streammux\.widht", "width"),
    ]
    out = []
    for i, (old, new, dotted, field) in enumerate(table):
        text = mutate(old, new)
        key = dotted.split(".")[-1].split("\\.")[-1].replace("\\", "")
        where = at(text, key, rf"{dotted}: unknown field; did you mean `{field}`\?")
        out.append(render_case(f"did-you-mean-{i:02d}", "7-message", text, where))
    text = mutate("    fps: 25", "    zzzz: 25")
    out.append(
        render_case(
            "unknown-field-lists-the-fields",
            "7-message",
            text,
            at(text, "zzzz", r"the fields here are: id, name, uri, fps"),
        )
    )
    return out


def _bool_cases() -> list[Case]:
    """Class 8: booleans where numbers belong (pydantic would read `yes` as 1)."""
    out = []
    for i, (old, new, dotted) in enumerate(
        [
            ("    fps: 25", "    fps: yes", r"cameras\[1\]\.fps"),
            ("    fps: 25", "    fps: on", r"cameras\[1\]\.fps"),
            ("    fps: 25", "    fps: true", r"cameras\[1\]\.fps"),
            (
                "resolution: [1920, 1080]",
                "resolution: [yes, 1080]",
                r"cameras\[0\]\.resolution\[0\]",
            ),
            ("plate_class_ids: [1]", "plate_class_ids: [true]", r"detector\.plate_class_ids\[0\]"),
            ("  topic: plates", "  topic: plates\n  port: yes", r"messaging\.port"),
            (
                "detector:\n",
                "detector:\n  thresholds: {confidence: yes}\n",
                r"detector\.thresholds\.confidence",
            ),
            (
                "place: {id: p1, name: Place one}",
                "place: {id: p1, name: P, location: {lat: on, lon: 1}}",
                r"place\.location\.lat",
            ),
            (
                "points: [[100, 500], [1800, 500]]",
                "points: [[100, 500], [1800, no]]",
                r"lines\[0\]\.points\[1\]\[1\]",
            ),
            ("messaging:\n", "osd: {text_size: yes}\nmessaging:\n", r"osd\.text_size"),
        ]
    ):
        text = mutate(old, new)
        needle = next(ln for ln in new.split("\n") if re.search(r"\b(yes|no|on|true)\b", ln))
        where = at(text, needle.strip(), rf"{dotted}: expected a number, got true/false")
        out.append(render_case(f"bool-as-number-{i:02d}", "8-silent", text, where))
    return out


def _duplicate_key_cases() -> list[Case]:
    out = []
    for i, (old, new, key, nth) in enumerate(
        [
            (
                "    uri: rtsp://10.0.0.2/s",
                "    uri: rtsp://10.0.0.2/s\n    uri: rtsp://evil/s",
                "uri: rtsp://evil",
                1,
            ),
            ("name: hostile", "name: hostile\nname: other", "name: other", 1),
            ("  broker: mqtt", "  broker: mqtt\n  broker: kafka", "broker: kafka", 1),
            ("    fps: 25", "    fps: 25\n    fps: 30", "fps: 30", 1),
            (
                "detector:\n",
                "detector:\n  precision: fp16\n  precision: int8\n",
                "precision: int8",
                1,
            ),
            (
                "target: {platform: dgpu,",
                "target: {platform: dgpu, platform: jetson,",
                "platform: jetson",
                1,
            ),
            (
                "messaging:\n",
                "rtsp: {latency_ms: 100}\nrtsp: {latency_ms: 200}\nmessaging:\n",
                "rtsp: {latency_ms: 200}",
                1,
            ),
        ]
    ):
        text = mutate(old, new)
        where = at(text, key, r"duplicate key .*\(first at line \d+\)", nth)
        out.append(render_case(f"duplicate-key-{i:02d}", "8-silent", text, where))
    return out


def _zone_cases() -> list[Case]:
    old = "points: [[0, 0], [1000, 0], [1000, 1000], [0, 1000]]"
    table = [
        ("bowtie", "[[0, 0], [1000, 1000], [1000, 0], [0, 1000]]", "cross"),
        (
            "figure-eight",
            "[[0, 0], [500, 500], [1000, 0], [1000, 1000], [500, 500], [0, 1000]]",
            "cross",
        ),
        ("folds-back", "[[0, 0], [1000, 0], [500, 0], [500, 500]]", "fold back"),
        ("repeated-point", "[[0, 0], [1000, 0], [1000, 0], [0, 1000]]", "repeats the point"),
        ("collinear", "[[0, 0], [500, 0], [1000, 0]]", "on one line"),
        (
            "touching-vertex",
            "[[0, 0], [1000, 0], [500, 500], [1000, 1000], [0, 1000], [500, 500]]",
            "cross",
        ),
        ("star-crossing", "[[0, 0], [1000, 500], [0, 1000], [1000, 1000], [1000, 0]]", "cross"),
    ]
    out = []
    for name, points, msg in table:
        text = mutate(old, f"points: {points}")
        where = at(text, "points:", rf"cameras\[0\]\.zones\[0\]\.points: .*{msg}", nth=2)
        out.append(render_case(f"zone-{name}", "8-silent", text, where))
    return out


def _env_cases() -> list[Case]:
    """Class 8 (nested variables), 3 (secrets never trimmed or printed) and injection via env."""
    pw = "  password: ${HOSTILE_MQTT_PASSWORD}"
    out = []
    for i, value in enumerate(
        ["${A_${B}}", "${}", "${1BAD}", "${HOSTILE_MQTT_PASSWORD", "${X:-${Y}}", "pre${A_${B}}post"]
    ):
        text = mutate("name: Camera A", f"name: '{value}'")
        where = at(text, value, r"cameras\[0\]\.name: malformed or nested \$\{")
        out.append(render_case(f"nested-var-{i:02d}", "8-silent", text, where))
    for i, secret in enumerate([f" {SECRET}", f"{SECRET} ", f"\t{SECRET}", f"{SECRET}\n"]):
        out.append(
            render_case(
                f"untrimmed-secret-{i:02d}",
                "8-silent",
                BASE,
                at(BASE, pw.strip(), r"messaging\.password: has leading or trailing whitespace"),
                env={"HOSTILE_MQTT_PASSWORD": secret},
                secrets=(SECRET,),
            )
        )
    text = mutate(pw, "  password: ' " + SECRET + "'")
    out.append(
        render_case(
            "untrimmed-secret-in-file",
            "8-silent",
            Private(text),
            at(text, "password:", "has leading or trailing whitespace"),
        )
    )
    for name, evil in (
        ("newline", f"{SECRET}\n[sink9]\nenable=1"),
        ("cr", f"{SECRET}\rX"),
        ("ctrl", f"{SECRET}\x01"),
        ("backslash", f"{SECRET}\\n"),
        ("escape", f"\x1b]0;pwned\x07{SECRET}"),
    ):
        out.append(
            render_case(
                f"env-injection-{name}",
                "3-secrets",
                BASE,
                at(BASE, "password:", r"messaging\.password: "),
                env={"HOSTILE_MQTT_PASSWORD": evil},
            )
        )
    uri_text = mutate("uri: rtsp://10.0.0.1/s", "uri: ${HOSTILE_CAM}")
    out.append(
        render_case(
            "env-uri-newline-injection",
            "3-secrets",
            uri_text,
            at(uri_text, "${HOSTILE_CAM}", r"cameras\[0\]\.uri: contains a control character"),
            env={"HOSTILE_CAM": f"rtsp://admin:{SECRET}@cam/s\n[sink9]"},
        )
    )
    out.append(
        render_case(
            "env-missing-variable",
            "7-message",
            uri_text,
            at(uri_text, "${HOSTILE_CAM}", r"environment variable HOSTILE_CAM is not set"),
        )
    )
    return out


def _uri_cases() -> list[Case]:
    """Class 7: a bad uri points at the `uri:` line, never echoing its credentials."""
    out = []
    for i, uri in enumerate(
        [
            f"rtps://admin:{SECRET}@cam/s",
            f"admin:{SECRET}@cam/s",
            f"rtsp//cam/s?password={SECRET}",
            f"ftp://cam/s?token={SECRET}",
            "",
        ]
    ):
        text = mutate("uri: rtsp://10.0.0.2/s", f"uri: '{uri}'")
        where = at(text, f"uri: '{uri}'", r"cameras\[1\]\.uri: uri must start with")
        out.append(render_case(f"bad-uri-{i:02d}", "7-message", Private(text), where))
    return out


def _yaml_cases() -> list[Case]:
    """YAML that is hostile or just wrong: syntax, bombs, depth, tags, shapes."""
    out = []
    flow = mutate("target: {platform: dgpu,", "target: {platform: ${PLATFORM},")
    out.append(
        render_case(
            "flow-mapping-unquoted-var",
            "7-message",
            flow,
            at(flow, "${PLATFORM}", r"YAML syntax error.*\n.*hint: quote a \$\{VAR\}"),
        )
    )
    flow_list = mutate("labels: [vehicle, plate]", "labels: [${L1}, plate]")
    out.append(
        render_case(
            "flow-list-unquoted-var",
            "7-message",
            flow_list,
            at(flow_list, "${L1}", r"YAML syntax error.*\n.*hint: quote a \$\{VAR\}"),
        )
    )
    tabs = mutate("    fps: 25", "\tfps: 25")
    out.append(render_case("tab-indent", "7-message", tabs, at(tabs, "\tfps", "YAML syntax error")))
    unclosed = mutate("labels: [vehicle, plate]", "labels: [vehicle, plate")
    out.append(
        render_case("unclosed-list", "7-message", unclosed, rf"{P}:\d+:\d+: YAML syntax error")
    )
    bomb = "name: x\nl0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"l{i + 1}: &a{i + 1} [" + ", ".join([f"*a{i}"] * 9) + "]\n" for i in range(9)
    )
    out.append(
        render_case(
            "alias-bomb", "5-hang", bomb, rf"{P}:\d+: YAML: more than \d+ values", timeout=10
        )
    )
    wide = (
        "name: x\nl0: &a0 ["
        + ", ".join(["x"] * 1000)
        + "]\n"
        + "".join(f"l{i + 1}: &a{i + 1} [" + ", ".join([f"*a{i}"] * 1000) + "]\n" for i in range(3))
    )
    out.append(
        render_case("alias-bomb-wide", "5-hang", wide, rf"{P}:\d+: YAML: more than", timeout=10)
    )
    out.append(
        render_case(
            "recursive-alias", "5-hang", "name: x\nd: &a [*a]\n", rf"{P}:2: YAML: nested more than"
        )
    )
    out.append(
        render_case(
            "recursive-alias-map",
            "5-hang",
            "name: x\nd: &a {k: *a}\n",
            rf"{P}:2: YAML: nested more than",
        )
    )
    deep_flow = "name: x\nd: " + "[" * 900 + "]" * 900 + "\n"
    out.append(
        render_case("deep-flow-900", "6-traceback", deep_flow, rf"{P}:2: YAML: nested more than")
    )
    deep_flow_max = "name: x\nd: " + "[" * 5000 + "]" * 5000 + "\n"
    out.append(
        render_case(
            "deep-flow-5000",
            "6-traceback",
            deep_flow_max,
            rf"{P}:2:\d+: YAML syntax error: nested too deeply",
        )
    )
    deep_block = "name: x\nd:\n" + "".join(" " * (i + 1) + "-\n" for i in range(300))
    out.append(
        render_case("deep-block", "6-traceback", deep_block, rf"{P}:\d+: YAML: nested more than")
    )
    deep_map = "name: x\n" + "".join("  " * i + f"k{i}:\n" for i in range(200))
    out.append(
        render_case("deep-mapping", "6-traceback", deep_map, rf"{P}:\d+: YAML: nested more than")
    )
    for i, (text, msg) in enumerate(
        [
            ("name: !!python/object/apply:os.system [touch PWNED]\n", "is not supported here"),
            ("name: !!python/name:os.system\n", "could not determine a constructor"),
            ("name: !custom x\n", "could not determine a constructor"),
            ("cameras: !!set {a, b}\nname: x\n", "tag .*set is not supported"),
            ("name: x\nn: " + "9" * 5000 + "\n", "cannot convert"),
            ("name: x\nd: 2024-02-31\n", "cannot convert"),
            ("? [a, b]\n: x\nname: y\n", "mapping key must be a plain name"),
            ("name: x\n---\nname: y\n", "found another document"),
        ]
    ):
        out.append(
            render_case(
                f"yaml-content-{i:02d}",
                "11-other",
                text,
                rf"{P}:\d+[^\n]*{msg}",
                check=_no_file("PWNED"),
            )
        )
    for i, (text, msg) in enumerate(
        [
            ("- name: x\n", "a profile is a mapping of fields"),
            ("just text\n", "a profile is a mapping of fields"),
            ("", r"name: required"),
            ("# only a comment\n", r"name: required"),
            ("42\n", "a profile is a mapping"),
        ]
    ):
        out.append(render_case(f"profile-shape-{i:02d}", "11-other", text, rf"{P}:?\d*[^\n]*{msg}"))
    merge = mutate("detector:\n", "defaults: &d {fps: yes}\ndetector:\n")
    out.append(
        render_case(
            "unknown-top-level-with-anchor",
            "7-message",
            merge,
            at(merge, "defaults:", r"defaults: unknown field"),
        )
    )
    merged_bool = mutate(
        "  - id: cam-b\n", "  - <<: &cam {location: {lat: yes, lon: 1}}\n    id: cam-b\n"
    )
    out.append(
        render_case(
            "merge-key-bool",
            "8-silent",
            merged_bool,
            at(
                merged_bool,
                "<<:",
                r"cameras\[1\]\.location\.lat: expected a number, got true/false",
            ),
        )
    )
    return out


def _encoding_cases() -> list[Case]:
    """Class 6: non-UTF-8 profiles are a clear error naming the file (and line)."""
    text = BASE.replace("Camera A", "Caméra A")
    cases = [
        (
            "latin-1",
            text.encode("latin-1"),
            rf"{P}:6: the profile is not UTF-8 text: not UTF-8 \(byte 0xE9",
        ),
        (
            "utf-16-le",
            BASE.encode("utf-16-le"),
            rf"{P}:1: the profile is not UTF-8 text: contains a NUL",
        ),
        ("utf-16-bom", BASE.encode("utf-16"), rf"{P}: the profile is not UTF-8 text: UTF-16 text"),
        (
            "utf-16-be-bom",
            codecs.BOM_UTF16_BE + BASE.encode("utf-16-be"),
            rf"{P}: the profile is not UTF-8 text: UTF-16",
        ),
        ("utf-32-bom", BASE.encode("utf-32"), rf"{P}: the profile is not UTF-8 text: UTF-32 text"),
        ("binary", bytes(range(256)) * 4, rf"{P}:1: the profile is not UTF-8 text: contains a NUL"),
        (
            "nul-in-value",
            BASE.replace("Camera B", "Camera\x00B").encode(),
            rf"{P}:17: the profile is not UTF-8 text: contains a NUL",
        ),
        (
            "gzip",
            b"\x1f\x8b\x08\x00" + b"\xff" * 64,
            rf"{P}:1: the profile is not UTF-8 text: not UTF-8",
        ),
        (
            "cp1252-quotes",
            BASE.replace("Place one", "\u201cPlace\u201d").encode("cp1252"),
            rf"{P}:3: the profile is not UTF-8 text",
        ),
    ]
    out = [render_case(f"encoding-{n}", "6-traceback", data, where) for n, data, where in cases]
    bom = codecs.BOM_UTF8 + mutate("    fps: 25", "    fps: yes").encode()
    out.append(
        render_case(
            "utf-8-bom-still-located",
            "11-other",
            bom,
            rf"{P}:19: cameras\[1\]\.fps: expected a number",
        )
    )
    return out


def _file_cases() -> list[Case]:
    """Class 5/6: profiles and extends that are not regular files, or not there."""
    out = [
        render_case(
            "profile-fifo", "5-hang", Fifo(), rf"{P}: cannot read the profile: not a regular file"
        ),
        Case(
            "profile-dev-zero",
            "5-hang",
            ("render", "--site", "/dev/zero", "--out", "{tmp}/out"),
            where=r"/dev/zero: cannot read the profile: not a regular file",
        ),
        render_case(
            "profile-link-to-zero",
            "5-hang",
            Link("/dev/zero"),
            rf"{P}: cannot read the profile: not a regular file",
        ),
        render_case(
            "profile-huge",
            "5-hang",
            "name: x\n" + "#" * (2 * 1024 * 1024),
            rf"{P}: cannot read the profile: larger than 1 MiB",
        ),
        render_case(
            "profile-is-directory", "6-traceback", Dir(), rf"{P} is a directory, not a profile"
        ),
        Case(
            "site-is-a-directory",
            "7-message",
            ("render", "--site", "{tmp}/b", "--out", "{tmp}/out"),
            files={"b/x": "x"},
            where=r"{tmp}/b is a directory, not a profile\n.*hint: a site is a profile",
        ),
        Case(
            "site-is-a-bundle",
            "7-message",
            ("render", "--site", "{tmp}/b", "--out", "{tmp}/out"),
            bundle=True,
            where=r"is a directory, not a profile\n.*alpr-gen run --config",
        ),
        Case(
            "site-empty",
            "7-message",
            ("render", "--site", "", "--out", "{tmp}/out"),
            where=r"the site name is empty",
        ),
        Case(
            "site-unknown-with-escape",
            "4-terminal",
            ("render", "--site", "lot\x1b]0;pwned\x07", "--out", "{tmp}/out"),
            where=r"unknown site 'lot\\x1b\]0;pwned\\x07'",
            check=_no_raw_escape,
        ),
    ]
    out.append(
        Case(
            "profile-missing",
            "7-message",
            ("render", "--site", "{tmp}/none.yaml", "--out", "{tmp}/out"),
            where=r"profile file {tmp}/none\.yaml does not exist",
        )
    )
    ext = "extends: {parent}\n" + BASE
    for name, parent, files, msg in [
        ("missing", "nothere", {}, r"extends: unknown site 'nothere'"),
        (
            "missing-path",
            "./nothere.yaml",
            {},
            r"extends: profile file .*nothere\.yaml does not exist",
        ),
        (
            "fifo",
            "./pipe.yaml",
            {"pipe.yaml": Fifo()},
            r"pipe\.yaml: cannot read the profile: not a regular file",
        ),
        ("directory", "./dir.yaml", {"dir.yaml": Dir()}, r"extends: .*dir\.yaml is a directory"),
        ("dev-zero", "/dev/zero", {}, r"/dev/zero: cannot read the profile: not a regular file"),
        ("not-a-string", "[a, b]", {}, r"extends: give one profile name or path"),
        (
            "latin-1",
            "./l1.yaml",
            {"l1.yaml": "name: caf\xe9\n".encode("latin-1")},
            r"l1\.yaml:1: the profile is not UTF-8",
        ),
        ("self", "./p.yaml", {}, r"`extends` forms a cycle"),
    ]:
        text = ext.replace("{parent}", parent)
        where = rf"{P}:1: {msg}" if name not in ("fifo", "dev-zero", "latin-1", "self") else msg
        out.append(render_case(f"extends-{name}", "7-message", text, where, files=files))
    cycle = {"a.yaml": "extends: ./b.yaml\nname: a\n", "b.yaml": "extends: ./a.yaml\nname: b\n"}
    out.append(
        render_case(
            "extends-cycle",
            "6-traceback",
            "extends: ./a.yaml\n" + BASE,
            r"`extends` forms a cycle",
            files=cycle,
        )
    )
    chain = {f"c{i}.yaml": f"extends: ./c{i + 1}.yaml\n" for i in range(20)}
    chain["c20.yaml"] = "name: deep\n"
    out.append(
        render_case(
            "extends-chain-20",
            "6-traceback",
            "extends: ./c0.yaml\n" + BASE,
            r"`extends` chain longer than 8",
            files=chain,
        )
    )
    return out


def _no_file(name: str):
    def check(tmp, _text) -> None:
        assert not (tmp / name).exists(), f"{name} was created: a command ran"

    return check


def _no_raw_escape(_tmp, text: str) -> None:
    assert "\x1b" not in text and "\x07" not in text, "a raw control character reached the output"


def _terminal_cases() -> list[Case]:
    """Class 4: control characters from a profile never reach the terminal raw."""
    out = []
    for i, (old, new, where) in enumerate(
        [
            (
                "    fps: 25",
                '    "f\\e]0;x\\a": 25',
                r"cameras\[1\]\.f\\x1b\]0;x\\x07: unknown field",
            ),
            (
                "name: Camera B",
                'name: "Camera\\e[2J B"',
                r"cameras\[1\]\.name: contains a control character",
            ),
            ("name: hostile", 'name: "h\\e[31m"', r"name: expected a name"),
            (
                "  broker: mqtt",
                '  broker: "mq\\e[2Jtt"',
                r"messaging\.broker: unknown 'mq\\x1b\[2Jtt'",
            ),
            ("    fps: 25", '    "\\u2028": 25', r"cameras\[1\]\.\\u2028: unknown field"),
        ]
    ):
        text = mutate(old, new)
        out.append(
            render_case(f"profile-control-{i:02d}", "4-terminal", text, where, check=_no_raw_escape)
        )
    return out


def _cli_cases() -> list[Case]:
    out = []
    for cmd in (
        ("render", "--site", "{tmp}/p.yaml", "--out", ""),
        ("render", "--site", "{tmp}/p.yaml", "-o", " "),
        ("run", "--site", "{tmp}/p.yaml", "--out", "", "--dry-run"),
        ("schema", "--out", ""),
    ):
        out.append(
            Case(
                f"empty-out-{cmd[0]}-{len(out)}",
                "8-silent",
                cmd,
                files={"p.yaml": BASE},
                where=r"Invalid value for '(--out|-o)'[^\n]*empty",
                out=".",
                check=_nothing_in_cwd,
            )
        )
    return out


def _nothing_in_cwd(tmp, _text) -> None:
    names = {p.name for p in tmp.iterdir()}
    assert "deepstream_app.txt" not in names and "manifest.json" not in names, names


def profile_cases() -> list[Case]:
    cases = [
        *_shape_cases(),
        *_did_you_mean_cases(),
        *_bool_cases(),
        *_duplicate_key_cases(),
        *_zone_cases(),
        *_env_cases(),
        *_uri_cases(),
        *_yaml_cases(),
        *_encoding_cases(),
        *_file_cases(),
        *_terminal_cases(),
        *_cli_cases(),
    ]
    for case in cases:
        assert re.compile(case.where.replace("{tmp}", "/t") if case.where else "")
    return cases
