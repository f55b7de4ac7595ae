"""Hostile config sets read by validate and run: {tmp}/b is a copy of the bundle rendered from
BASE, edited into something bad. validate exits 1 (it read the set and found errors) or 2 (no
set at all); the set itself is never changed."""

from __future__ import annotations

import codecs
from collections.abc import Callable

from .harness import SECRET, Case, Dir, Edit, Fifo, Link, Private, Transform, vwhere

VALIDATE = ("validate", "{tmp}/b")
GITHUB = ("validate", "{tmp}/b", "--format", "github")
JSON = ("validate", "{tmp}/b", "--format", "json")
RUN_DRY = ("run", "--config", "{tmp}/b", "--dry-run", "--no-network-checks")


def bcase(cid: str, cls: str, files: dict, where: str | None, **kw: object) -> Case:
    return Case(
        cid,
        cls,
        kw.pop("argv", VALIDATE),  # type: ignore[arg-type]
        files,
        code=kw.pop("code", 1),  # type: ignore[arg-type]
        where=where,
        out="b",
        bundle=True,
        **kw,  # type: ignore[arg-type]
    )


def _cr_only(data: bytes) -> bytes:
    return data.replace(b"\n", b"\r")


def _latin1(data: bytes) -> bytes:
    return data.replace(b"# ", "# café ".encode("latin-1"), 1)


def _utf16(data: bytes) -> bytes:
    return codecs.BOM_UTF16_LE + data.decode().encode("utf-16-le")


def _line_ending_cases() -> list[Case]:
    """Class 8: a CR-only file (GLib sees one line: zero groups) is an error, not clean."""
    out = []
    for name in ("deepstream_app.txt", "pgie_yolo11.txt", "labels.txt", "msgconv.txt",
                 "broker.txt", "analytics.txt", "sgie_ocr.txt", "ocr_parser.cfg"):  # fmt: skip
        out.append(
            bcase(
                f"cr-only-{name}",
                "8-silent",
                {f"b/{name}": Transform(_cr_only)},
                vwhere(name, 1, "DS205") + r".*CR line ending without LF",
            )
        )
    out.append(
        bcase(
            "stray-cr-mid-file",
            "8-silent",
            {
                "b/pgie_yolo11.txt": Edit(
                    "labelfile-path=labels.txt\n", "labelfile-path=labels.txt\r"
                )
            },
            vwhere("pgie_yolo11.txt", 10, "DS205"),
        )
    )
    out.append(
        bcase(
            "crlf-is-fine",
            "11-other",
            {"b/pgie_yolo11.txt": Transform(lambda d: d.replace(b"\n", b"\r\n"))},
            None,
            code=0,
        )
    )
    return out


def _encoding_cases() -> list[Case]:
    """Class 6: non-UTF-8 configs are a finding with the file and line, not a traceback."""
    out = []
    table: list[tuple[str, str, Callable[[bytes], bytes], str]] = [
        ("latin-1", "pgie_yolo11.txt", _latin1, "not UTF-8 \\(byte 0xE9"),
        ("utf-16", "pgie_yolo11.txt", _utf16, "UTF-16 text"),
        ("utf-16-app", "deepstream_app.txt", _utf16, "UTF-16 text"),
        ("latin-1-app", "deepstream_app.txt", _latin1, "not UTF-8"),
        ("binary-labels", "labels.txt", lambda d: bytes(range(256)), "NUL byte"),
        ("nul-tracker", "tracker.yml", lambda d: d + b"\x00", "NUL byte"),
        ("latin-1-msgconv", "msgconv.txt", _latin1, "not UTF-8"),
        ("utf-32-broker", "broker.txt", lambda d: d.decode().encode("utf-32"), "UTF-32 text"),
    ]
    for cid, name, func, msg in table:
        out.append(
            bcase(
                f"config-encoding-{cid}",
                "6-traceback",
                {f"b/{name}": Transform(func)},
                vwhere(name, r"\d+", "DS205") + f".*{msg}",
            )
        )
    return out


def _not_a_file_cases() -> list[Case]:
    """Class 5: FIFOs, devices, directories and huge files named by the set: no hang, no
    memory exhaustion, one finding each."""
    refs = [
        ("deepstream_app.txt", "config-file=pgie_yolo11.txt", "config-file={target}"),
        ("pgie_yolo11.txt", "labelfile-path=labels.txt", "labelfile-path={target}"),
        ("deepstream_app.txt", "ll-config-file=tracker.yml", "ll-config-file={target}"),
        ("deepstream_app.txt", "msg-conv-config=msgconv.txt", "msg-conv-config={target}"),
        ("deepstream_app.txt", "msg-broker-config=broker.txt", "msg-broker-config={target}"),
        ("deepstream_app.txt", "config-file=analytics.txt", "config-file={target}"),
    ]
    targets = [
        ("fifo", "pipe.txt", {"b/pipe.txt": Fifo()}, "pipe.txt", "not a regular file"),
        ("dev-zero", "/dev/zero", {}, "/dev/zero", "not a regular file"),
        (
            "link-zero",
            "zero.txt",
            {"b/zero.txt": Link("/dev/zero")},
            "zero.txt",
            "not a regular file",
        ),
        ("directory", "dir.txt", {"b/dir.txt": Dir()}, "dir.txt", "is a directory"),
        (
            "huge",
            "huge.txt",
            {"b/huge.txt": "#" * (5 * 1024 * 1024)},
            "huge.txt",
            "larger than 4 MiB",
        ),
    ]
    out = []
    for owner, old, new in refs:
        key = old.split("=")[0]
        short = old.split("=")[1].split(".")[0]
        for tid, target, files, shown, msg in targets:
            if tid in ("link-zero", "directory") and short not in ("pgie_yolo11", "tracker"):
                continue  # one of each kind for the other keys keeps the corpus fast
            out.append(
                bcase(
                    f"{key}-{short}-{tid}",
                    "5-hang",
                    {**files, f"b/{owner}": Edit(old, new.format(target=target))},
                    vwhere(shown, 0, "DS205") + f".*{msg}",
                    timeout=10,
                )
            )
    return out


def _tracker_cases() -> list[Case]:
    """Class 5/6: the tracker's YAML goes through the same bounded reader as profiles."""
    bomb = "l0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"l{i + 1}: &a{i + 1} [" + ", ".join([f"*a{i}"] * 9) + "]\n" for i in range(9)
    )
    table = [
        ("alias-bomb", bomb, r"more than \d+ values"),
        ("recursive-alias", "BaseConfig: &a {x: *a}\n", "nested more than"),
        ("deep", "BaseConfig: " + "[" * 200 + "]" * 200 + "\n", "nested more than"),
        (
            "deeper-than-libyaml",
            "BaseConfig: " + "[" * 3000 + "]" * 3000 + "\n",
            "nested too deeply",
        ),
        (
            "duplicate-key",
            "BaseConfig:\n  minDetectorConfidence: 0.1\n  minDetectorConfidence: 0.9\n",
            "duplicate key",
        ),
        (
            "python-tag",
            "BaseConfig: !!python/object/apply:os.system [touch PWNED]\n",
            "not supported",
        ),
        ("syntax", "BaseConfig: [unclosed\n", "flow sequence|expected"),
    ]
    return [
        bcase(
            f"tracker-{cid}",
            "5-hang",
            {"b/tracker.yml": text},
            vwhere("tracker.yml", r"\d+", "DS601") + f".*({msg})",
            timeout=10,
        )
        for cid, text, msg in table
    ]


def _self_reference_cases() -> list[Case]:
    """Class 8: a file of the set named as another kind of file (the app config as its own
    nvinfer config...) is an error at the line that names it."""
    table = [
        (
            "app-as-pgie",
            "deepstream_app.txt",
            "config-file=pgie_yolo11.txt",
            "config-file=deepstream_app.txt",
            65,
            "names itself",
        ),
        (
            "app-as-tracker",
            "deepstream_app.txt",
            "ll-config-file=tracker.yml",
            "ll-config-file=deepstream_app.txt",
            75,
            "names itself",
        ),
        (
            "app-as-msgconv",
            "deepstream_app.txt",
            "msg-conv-config=msgconv.txt",
            "msg-conv-config=deepstream_app.txt",
            113,
            "names itself",
        ),
        (
            "app-as-analytics",
            "deepstream_app.txt",
            "config-file=analytics.txt",
            "config-file=./deepstream_app.txt",
            81,
            "names itself",
        ),
        (
            "pgie-as-labels",
            "pgie_yolo11.txt",
            "labelfile-path=labels.txt",
            "labelfile-path=pgie_yolo11.txt",
            10,
            "names itself",
        ),
        (
            "msgconv-as-broker",
            "deepstream_app.txt",
            "msg-broker-config=broker.txt",
            "msg-broker-config=msgconv.txt",
            120,
            "the msgconv file of this set",
        ),
        (
            "pgie-as-sgie-labels",
            "sgie_ocr.txt",
            "[property]",
            "[property]\nlabelfile-path=pgie_yolo11.txt",
            6,
            "the nvinfer file of this set",
        ),
    ]
    return [
        bcase(
            f"self-reference-{cid}",
            "8-silent",
            {f"b/{owner}": Edit(old, new)},
            vwhere(owner, line, "DS205") + f".*{msg}",
        )
        for cid, owner, old, new, line, msg in table
    ]


def _no_raw_control(_tmp: object, text: str) -> None:
    assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text, "raw control char"


def _terminal_cases() -> list[Case]:
    """Class 4: control characters from a config never reach the terminal raw."""
    app = "deepstream_app.txt"
    lines = [
        ("bad-line", "[application]", "[application]\n\x1b]0;pwned\x07", 7, "DS118", 1),
        ("key", "[application]", "[application]\n\x1b[2Jkey=1", 7, "DS104", 0),
        ("csi-8bit", "[application]", "[application]\n\x9b2J", 7, "DS118", 1),
        ("group", "[tests]", "[te\x1b[31msts]", r"\d+", "DS", 0),
        ("value", "gpu-id=0", "gpu-id=0\x1b[2J", r"\d+", "DS", 1),
        (
            "file-name",
            "config-file=pgie_yolo11.txt",
            "config-file=pg\x1b]0;x\x07.txt",
            65,
            "DS201",
            1,
        ),
    ]
    out = []
    for argv_id, argv in (("human", VALIDATE), ("github", GITHUB)):
        for cid, old, new, line, rule, code in lines:
            where = (
                vwhere(app, line, rule)
                if argv_id == "human"
                else rf"::(error|warning) file=[^,]*deepstream_app\.txt,line={line},title={rule}"
            )
            out.append(
                bcase(
                    f"control-{cid}-{argv_id}",
                    "4-terminal",
                    {f"b/{app}": Edit(old, new)},
                    where,
                    argv=argv,
                    code=code,
                    check=_no_raw_control,
                )
            )
    out.append(
        bcase(
            "control-run-dry-run",
            "4-terminal",
            {f"b/{app}": Edit("[application]", "[application]\n\x1b]0;pwned\x07")},
            r"deepstream_app\.txt:7:",
            argv=RUN_DRY,
            code=0,
            check=_no_raw_control,
        )
    )
    return out


def _secret_cases() -> list[Case]:
    """Class 3: lines quoted by validate (and run's preflight) are masked and clipped."""
    broker = "broker.txt"
    pw = "password=" + SECRET
    table = [
        ("mangled-space", f"password {SECRET}", 5, "DS118", 1),
        ("mangled-colon", f"password: {SECRET}", 5, "DS118", 1),
        ("mangled-typo", f"pasword={SECRET}", 5, "DS", 1),
        ("uri-no-equals", f"uri rtsp://admin:{SECRET}@cam/s", 5, "DS118", 1),
        ("uri-query-key", f"uri rtsp://cam/s?password={SECRET}", 5, "DS", 0),
        ("long-line", f"password {SECRET}" + "x" * 5000, 5, "DS118", 1),
        ("duplicate-password", f"{pw}\n{pw}2", r"[5-8]", "DS", 0),
        ("token-line", f"token {SECRET}", 5, "DS118", 1),
    ]
    out = []
    for cid, line_text, line, rule, code in table:
        for argv_id, argv in (("human", VALIDATE), ("github", GITHUB), ("json", JSON)):
            where = {
                "human": vwhere(broker, line, rule),
                "github": rf"::(error|warning) file=[^,]*broker\.txt,line={line}",
                "json": r'"file": "broker\.txt"',
            }[argv_id]
            out.append(
                bcase(
                    f"secret-{cid}-{argv_id}",
                    "3-secrets",
                    {f"b/{broker}": Transform(_insert_after_header(line_text))},
                    where,
                    argv=argv,
                    code=code,
                    check=_clipped if cid == "long-line" else None,
                )
            )
    out.append(
        bcase(
            "secret-uri-in-app-config-run",
            "3-secrets",
            {"b/deepstream_app.txt": Transform(_private_uri, 0o600)},
            r"deepstream_app\.txt:\d+:",
            argv=RUN_DRY,
            code=0,
        )
    )
    return out


def _insert_after_header(line: str) -> Callable[[bytes], bytes]:
    def insert(data: bytes) -> bytes:
        head, sep, rest = data.partition(b"[message-broker]\n")
        return (
            head
            + sep
            + b"username=alpr\n"
            + line.encode()
            + b"\n"
            + rest.replace(b"username=alpr\n", b"", 1)
        )

    return insert


def _private_uri(data: bytes) -> bytes:
    return data.replace(
        b"uri=rtsp://10.0.0.1/s", f"uri=rtsp://admin:{SECRET}@10.0.0.1/s?token={SECRET}".encode()
    ).replace(b"[application]", b"[application]\nbad line here")


def _clipped(_tmp: object, text: str) -> None:
    assert "x" * 500 not in text, "a 5000-character line was printed whole"


def _path_cases() -> list[Case]:
    """validate PATH / run --config PATH that are not config sets."""
    return [
        Case(
            "validate-fifo",
            "5-hang",
            ("validate", "{tmp}/pipe.txt"),
            {"pipe.txt": Fifo()},
            where=r"{tmp}/pipe\.txt: not a regular file",
            out=None,
        ),
        Case(
            "validate-dev-zero",
            "5-hang",
            ("validate", "/dev/zero"),
            code=2,
            where=r"/dev/zero: not a regular file",
            out=None,
        ),
        Case(
            "validate-empty-dir",
            "7-message",
            ("validate", "{tmp}/e"),
            {"e/x.bin": "x"},
            code=2,
            where=r"{tmp}/e: no deepstream-app config here",
            out="e",
        ),
        Case(
            "validate-missing",
            "7-message",
            ("validate", "{tmp}/nothere"),
            code=2,
            where=r"{tmp}/nothere: no such file or directory",
            out=None,
        ),
        Case(
            "validate-dir-with-fifo-txt",
            "5-hang",
            ("validate", "{tmp}/d"),
            {"d/a.txt": Fifo(), "d/b.txt": "nothing\n"},
            code=2,
            where=r"{tmp}/d: no deepstream-app config here",
            out="d",
            timeout=10,
        ),
        Case(
            "validate-binary-file",
            "6-traceback",
            ("validate", "{tmp}/x.txt"),
            {"x.txt": bytes(range(256))},
            code=1,
            where=vwhere("x.txt", 1, "DS205") + ".*NUL byte",
            out=None,
        ),
        Case(
            "validate-no-groups",
            "7-message",
            ("validate", "{tmp}/x.txt"),
            {"x.txt": "just text\n"},
            code=1,
            where=vwhere("x.txt", 1, "DS118"),
            out=None,
        ),
        Case(
            "run-config-fifo",
            "5-hang",
            ("run", "--config", "{tmp}/p.txt", "--dry-run", "--no-network-checks"),
            {"p.txt": Fifo()},
            where=r"{tmp}/p\.txt: not a regular file",
            out=None,
            timeout=10,
        ),
        Case(
            "run-config-dev-zero",
            "5-hang",
            ("run", "--config", "/dev/zero", "--dry-run", "--no-network-checks"),
            code=2,
            where=r"/dev/zero: not a regular file",
            out=None,
        ),
        bcase(
            "run-self-reference",
            "8-silent",
            {
                "b/deepstream_app.txt": Edit(
                    "config-file=pgie_yolo11.txt", "config-file=deepstream_app.txt"
                )
            },
            r"deepstream_app\.txt:65:.*names itself",
            argv=RUN_DRY,
            code=0,
        ),
        bcase(
            "run-cr-only",
            "8-silent",
            {"b/pgie_yolo11.txt": Transform(_cr_only)},
            r"pgie_yolo11\.txt:1:.*CR line ending",
            argv=RUN_DRY,
            code=0,
        ),
        bcase(
            "run-tracker-bomb",
            "5-hang",
            {
                "b/tracker.yml": "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                + "".join(
                    f"a{i}: &a{i} [" + ", ".join(["*a" if i == 0 else f"*a{i - 1}"] * 10) + "]\n"
                    for i in range(8)
                )
            },
            r"tracker\.yml:\d+:.*more than",
            argv=RUN_DRY,
            code=0,
            timeout=10,
        ),
        bcase(
            "validate-private-app-config",
            "3-secrets",
            {
                "b/deepstream_app.txt": Private(
                    f"[application]\nenable-perf-measurement=1\n[source0]\nenable=1\ntype=4\nuri=rtps://admin:{SECRET}@cam/s\n"
                )
            },
            vwhere("deepstream_app.txt", r"\d+", "DS"),
            code=1,
        ),
    ]


def config_cases() -> list[Case]:
    return [
        *_line_ending_cases(),
        *_encoding_cases(),
        *_not_a_file_cases(),
        *_tracker_cases(),
        *_self_reference_cases(),
        *_terminal_cases(),
        *_secret_cases(),
        *_path_cases(),
    ]
