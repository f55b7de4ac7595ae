"""The output directory as an attacker (or a careless colleague) left it: render into {tmp}/b,
a copy of a bundle rendered from BASE, or into something that is not one."""

from __future__ import annotations

import errno
import fcntl
import json
import os
from pathlib import Path

import pytest

from .corpus_profiles import BASE, mutate
from .harness import SECRET, Case, Dir, Edit, Fifo, Link, Private

INTO_B = ("render", "--site", "{tmp}/p.yaml", "--out", "{tmp}/b")
VICTIM = "victim: nothing may touch me\n"
MARK = "VICTIM-CONTENT-7c1"
_DIGEST = "0" * 64
NO_LINES = mutate(
    """    lines:
      - name: entry
        points: [[100, 500], [1800, 500]]
        direction: [[960, 300], [960, 700]]
    zones:
      - name: lot
        points: [[0, 0], [1000, 0], [1000, 1000], [0, 1000]]
""",
    "",
)


def _victim_intact(tmp: Path, _text: str) -> None:
    assert (tmp / "victim.txt").read_text() == VICTIM + MARK
    assert sorted(p.name for p in (tmp / "outside").iterdir()) == ["keep.txt"]


VICTIMS = {"victim.txt": VICTIM + MARK, "outside/keep.txt": "keep"}


def into_b(cid: str, cls: str, files: dict, where: str | None, **kw: object) -> Case:
    return Case(
        cid,
        cls,
        kw.pop("argv", INTO_B),  # type: ignore[arg-type]
        {"p.yaml": kw.pop("profile", BASE), **VICTIMS, **files},
        where=where,
        out=kw.pop("out", "b"),  # type: ignore[arg-type]
        bundle=kw.pop("bundle", True),  # type: ignore[arg-type]
        check=kw.pop("check", _victim_intact),  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )


def _manifest(files: object, **extra: object) -> str:
    return json.dumps({"site": "hostile", "target": {}, "files": files, **extra})


def _untrusted_manifest_cases() -> list[Case]:
    """Class 2: a manifest render cannot trust counts as absent: nothing it lists is removed,
    and the files it would vouch for are conflicts."""
    table = {
        "list": "[]",
        "files-list": _manifest([]),
        "dotdot": _manifest({"../victim.txt": _DIGEST}),
        "absolute": _manifest({"/etc/passwd": _DIGEST}),
        "absolute-victim": _manifest({"{tmp}/victim.txt": _DIGEST}),
        "subdir": _manifest({"outside/keep.txt": _DIGEST}),
        "backslash": _manifest({"..\\victim.txt": _DIGEST}),
        "control-char": _manifest({"labels.txt\n": _DIGEST}),
        "number-digest": _manifest({"labels.txt": 5}),
        "short-digest": _manifest({"labels.txt": "abc"}),
        "null-digest": _manifest({"labels.txt": None}),
        "too-many": _manifest({f"f{i}.txt": _DIGEST for i in range(2000)}),
        "not-json": "{files: nope",
        "deep": "[" * 100_000 + "]" * 100_000,
        "deep-files": _manifest({"a": json.loads("[" * 50 + "]" * 50)}),
        "empty-name": _manifest({"": _DIGEST}),
        "dot": _manifest({".": _DIGEST}),
    }
    out = []
    for name, text in table.items():
        out.append(
            into_b(
                f"manifest-{name}",
                "2-delete",
                {
                    "b/manifest.json": text,
                    "b/deepstream_app.txt": Edit("[application]", "[application]\n#x"),
                },
                r"{tmp}/b/manifest\.json: not known to be alpr-gen's \(manifest\.json",
            )
        )
    for name, spec, reason in [
        ("binary", b"\xff\xfe\x00{", "is not UTF-8 text"),
        ("huge", "{" + " " * (2 * 1024 * 1024) + "}", "is too large"),
        ("symlink", Link("{tmp}/victim.txt"), "is a symbolic link"),
    ]:
        out.append(
            into_b(
                f"manifest-{name}",
                "2-delete",
                {"b/manifest.json": spec, "b/labels.txt": "edited\n"},
                rf"{{tmp}}/b/labels\.txt: not known to be alpr-gen's \(manifest\.json {reason}",
            )
        )
    for name, spec, reason in [
        ("directory", Dir(), "is a directory"),
        ("fifo", Fifo(), "is not a regular file"),
    ]:
        out.append(
            into_b(
                f"manifest-{name}",
                "2-delete",
                {"b/manifest.json": spec},
                rf"something else is in their place.*\n\s+{{tmp}}/b/manifest\.json: {reason}",
                argv=(*INTO_B, "--force"),
            )
        )
    return out


def _conflict_cases() -> list[Case]:
    """Class 2 and issue 16: render never overwrites what it did not write, or what was edited,
    unless --force; a directory or a device where a file belongs, never."""
    out = [
        into_b(
            "edited-app-config",
            "2-delete",
            {"b/deepstream_app.txt": Edit("[application]", "# my note\n[application]")},
            r"{tmp}/b/deepstream_app\.txt: edited since alpr-gen wrote it\n.*--force",
        ),
        into_b(
            "edited-private-broker",
            "2-delete",
            {"b/broker.txt": Edit("keep-alive=60", "keep-alive=61")},
            r"{tmp}/b/broker\.txt: edited since alpr-gen wrote it",
        ),
        into_b(
            "hand-written-no-manifest",
            "2-delete",
            {"b/deepstream_app.txt": "[application]\nenable-perf-measurement=1\n"},
            r"{tmp}/b/deepstream_app\.txt: not written by alpr-gen \(there is no manifest\.json\)",
            bundle=False,
        ),
        into_b(
            "symlink-at-target",
            "2-delete",
            {"b/labels.txt": Link("{tmp}/victim.txt")},
            r"{tmp}/b/labels\.txt: is a symbolic link \(never followed\)",
        ),
        into_b(
            "symlink-to-dir-at-target",
            "2-delete",
            {"b/labels.txt": Link("{tmp}/outside")},
            r"{tmp}/b/labels\.txt: is a symbolic link",
        ),
        into_b(
            "directory-at-target",
            "6-traceback",
            {"b/labels.txt": Dir()},
            r"something else is in their place.*\n\s+{tmp}/b/labels\.txt: is a directory",
        ),
        into_b(
            "directory-at-target-force",
            "6-traceback",
            {"b/labels.txt": Dir()},
            r"{tmp}/b/labels\.txt: is a directory",
            argv=(*INTO_B, "--force"),
        ),
        into_b(
            "fifo-at-target-force",
            "5-hang",
            {"b/labels.txt": Fifo()},
            r"{tmp}/b/labels\.txt: is not a regular file",
            argv=(*INTO_B, "--force"),
        ),
        into_b(
            "out-is-a-file",
            "6-traceback",
            {"b": "a file"},
            r"{tmp}/b exists and is not a directory",
            bundle=False,
        ),
        into_b(
            "out-under-a-file",
            "6-traceback",
            {"f": "a file"},
            r"cannot create {tmp}/f/b: Not a directory",
            argv=("render", "--site", "{tmp}/p.yaml", "--out", "{tmp}/f/b"),
            bundle=False,
            out="f",
        ),
        into_b(
            "out-is-a-fifo",
            "5-hang",
            {"b": Fifo()},
            r"{tmp}/b exists and is not a directory",
            bundle=False,
        ),
        into_b(
            "check-edited",
            "2-delete",
            {"b/pgie_yolo11.txt": Edit("[property]", "[property]\n#mine")},
            r"conflict {tmp}/b/pgie_yolo11\.txt \(edited since alpr-gen wrote it\)",
            argv=(*INTO_B, "--check"),
            code=1,
        ),
        into_b(
            "forged-private-digests",
            "3-secrets",
            {
                "b/broker.txt": Edit("keep-alive=60", "keep-alive=61"),
                "b/.alpr-gen-private.json": "FORGE",
            },
            r"{tmp}/b/broker\.txt: edited since alpr-gen wrote it",
            prepare=_forge_private_digests,
        ),
    ]
    return out


def _forge_private_digests(tmp: Path, _mp: pytest.MonkeyPatch) -> None:
    # The digest of the edited broker.txt, in a sidecar anyone could have written (0644).
    from alpr_gen.fsutil import sha256_bytes

    digest = sha256_bytes((tmp / "b" / "broker.txt").read_bytes())
    side = tmp / "b" / ".alpr-gen-private.json"
    side.write_text(json.dumps({"broker.txt": digest}))
    side.chmod(0o644)


def _force_cases() -> list[Case]:
    """--force overwrites conflicts, but still never writes through a link or outside --out."""

    def replaced_link(tmp: Path, text: str) -> None:
        _victim_intact(tmp, text)
        target = tmp / "b" / "labels.txt"
        assert not target.is_symlink() and target.read_text() == "vehicle\nplate\n"

    def untrusted_force(tmp: Path, text: str) -> None:
        _victim_intact(tmp, text)
        assert json.loads((tmp / "b" / "manifest.json").read_text())["site"] == "hostile"

    return [
        into_b(
            "force-replaces-link-not-target",
            "2-delete",
            {"b/labels.txt": Link("{tmp}/victim.txt")},
            r"changed {tmp}/b/labels\.txt \(overwritten \(--force\): is a symbolic link",
            argv=(*INTO_B, "--force"),
            code=0,
            out=None,
            check=replaced_link,
        ),
        into_b(
            "force-with-evil-manifest",
            "2-delete",
            {"b/manifest.json": _manifest({"../victim.txt": _DIGEST, "../outside": _DIGEST})},
            r"changed {tmp}/b/manifest\.json \(overwritten \(--force\): not known to be",
            argv=(*INTO_B, "--force"),
            code=0,
            out=None,
            check=untrusted_force,
        ),
        into_b(
            "force-symlinked-subdir",
            "2-delete",
            {
                "b/models": Link("{tmp}/outside"),
                "b/manifest.json": _manifest({"models/keep.txt": _DIGEST}),
            },
            r"rendered site hostile",
            argv=(*INTO_B, "--force"),
            code=0,
            out=None,
        ),
    ]


def _stale_cases() -> list[Case]:
    """Files the new set no longer has: removed only when alpr-gen wrote them, unchanged."""

    def removed(tmp: Path, text: str) -> None:
        _victim_intact(tmp, text)
        assert not (tmp / "b" / "analytics.txt").exists()

    def kept(tmp: Path, text: str) -> None:
        _victim_intact(tmp, text)
        assert (tmp / "b" / "analytics.txt").exists() or (tmp / "b" / "analytics.txt").is_symlink()

    return [
        into_b(
            "stale-ours-removed",
            "2-delete",
            {},
            r"removed {tmp}/b/analytics\.txt",
            code=0,
            out=None,
            profile=NO_LINES,
            check=removed,
        ),
        into_b(
            "stale-edited-kept",
            "2-delete",
            {"b/analytics.txt": Edit("[property]", "[property]\n#mine")},
            r"kept {tmp}/b/analytics\.txt \(edited since alpr-gen wrote it\)",
            code=0,
            out=None,
            profile=NO_LINES,
            check=kept,
        ),
        into_b(
            "stale-symlink-kept",
            "2-delete",
            {"b/analytics.txt": Link("{tmp}/victim.txt")},
            r"kept {tmp}/b/analytics\.txt \(is a symbolic link",
            code=0,
            out=None,
            profile=NO_LINES,
            check=kept,
        ),
        into_b(
            "stale-directory-kept",
            "2-delete",
            {"b/analytics.txt": Dir()},
            r"kept {tmp}/b/analytics\.txt \(is a directory",
            code=0,
            out=None,
            profile=NO_LINES,
            check=kept,
        ),
    ]


def _secret_cases() -> list[Case]:
    """Class 3: credential-looking URI parts make the app config 0600 (the harness fails any
    non-0600 file holding the secret) and never appear in the manifest or the output."""

    def private_app(tmp: Path, _text: str) -> None:
        app = tmp / "o" / "deepstream_app.txt"
        assert app.stat().st_mode & 0o777 == 0o600
        manifest = json.loads((tmp / "o" / "manifest.json").read_text())
        assert manifest["files"]["deepstream_app.txt"] == "private"
        assert manifest["files"]["broker.txt"] == "private"
        assert (tmp / "o" / ".alpr-gen-private.json").stat().st_mode & 0o777 == 0o600

    out = []
    for name in ("password", "passwd", "pwd", "pass", "token", "key", "secret", "auth", "sig",
                 "api_key", "access_token", "apikey", "x-auth-token", "Password"):  # fmt: skip
        uri = f"rtsp://10.0.0.2/s?channel=1&{name}={SECRET}"
        text = mutate("uri: rtsp://10.0.0.2/s", f"uri: '{uri}'")
        out.append(
            Case(
                f"uri-query-{name}",
                "3-secrets",
                ("render", "--site", "{tmp}/p.yaml", "--out", "{tmp}/o"),
                {"p.yaml": Private(text)},
                code=0,
                where=r"rendered site hostile",
                out=None,
                check=private_app,
            )
        )
    text = mutate("uri: rtsp://10.0.0.2/s", f"uri: 'rtsp://admin:{SECRET}@10.0.0.2/s'")
    out.append(
        Case(
            "uri-userinfo",
            "3-secrets",
            ("render", "--site", "{tmp}/p.yaml", "--out", "{tmp}/o"),
            {"p.yaml": Private(text)},
            code=0,
            where=r"rendered site hostile",
            out=None,
            check=private_app,
        )
    )
    env_uri = mutate("uri: rtsp://10.0.0.2/s", "uri: ${HOSTILE_CAM}")
    out.append(
        Case(
            "uri-from-env-dry-run",
            "3-secrets",
            ("render", "--site", "{tmp}/p.yaml", "--out", "{tmp}/b", "--dry-run"),
            {"p.yaml": env_uri},
            env={"HOSTILE_CAM": f"rtsp://u:{SECRET}@cam/s?token={SECRET}"},
            code=0,
            bundle=True,
            where=r"\+uri=rtsp://\*\*\*@cam/s\?token=\*\*\*",
        )
    )
    out.append(
        into_b(
            "dry-run-masks-password",
            "3-secrets",
            {},
            r"(?s)--- a/broker\.txt\n\+\+\+ b/broker\.txt.*\n-password=\*\*\*\n\+password=\*\*\*",
            argv=(*INTO_B, "--dry-run"),
            code=0,
            env={"HOSTILE_MQTT_PASSWORD": "another-" + SECRET},
            secrets=(SECRET, "another-" + SECRET),
        )
    )
    out.append(
        into_b(
            "dry-run-masks-hand-written-secrets",
            "3-secrets",
            {
                "b/deepstream_app.txt": Private(
                    f"[application]\npassword {SECRET}\nuri=rtsp://a:{SECRET}@h/\n\x1b]0;t\x07\n"
                )
            },
            r"-password \*\*\*\n-uri=rtsp://\*\*\*@h/\n-\\x1b\]0;t\\x07",
            argv=(*INTO_B, "--dry-run"),
            code=0,
        )
    )
    out.append(
        into_b(
            "dry-run-never-reads-through-links",
            "2-delete",
            {"b/labels.txt": Link("{tmp}/victim.txt")},
            r"conflict {tmp}/b/labels\.txt \(is a symbolic link[^\n]*\n(?s:.*)# labels\.txt: is a symbolic link",
            argv=(*INTO_B, "--dry-run"),
            code=0,
            check=lambda tmp, text: (_victim_intact(tmp, text), _no(MARK, text)),
        )
    )
    out.append(
        into_b(
            "stale-staging-with-secret-removed",
            "3-secrets",
            {"b/.alpr-gen-staging-dead/broker.txt": f"password={SECRET}\n"},
            r"rendered site hostile",
            code=0,
            out=None,
            secrets=(),
            check=lambda tmp, _t: _no_path(tmp / "b" / ".alpr-gen-staging-dead"),
        )
    )
    return out


def _no(needle: str, text: str) -> None:
    assert needle not in text, f"{needle!r} was shown"


def _no_path(path: Path) -> None:
    assert not path.exists(), f"{path} is still there"


def _disk_cases() -> list[Case]:
    """Class 6: a full disk or a failing rename: one clear message, exit 2, the old set intact."""

    def enospc(_tmp: Path, mp: pytest.MonkeyPatch) -> None:
        real = os.write
        calls = {"n": 0}

        def write(fd: int, data: bytes) -> int:
            calls["n"] += 1
            if calls["n"] == 4:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return real(fd, data)

        mp.setattr(os, "write", write)

    def failing_rename(code: int):
        def prepare(_tmp: Path, mp: pytest.MonkeyPatch) -> None:
            real = os.replace
            calls = {"n": 0}

            def replace(*args: object, **kwargs: object) -> None:
                calls["n"] += 1
                if calls["n"] == 5:
                    raise OSError(code, os.strerror(code))
                real(*args, **kwargs)  # type: ignore[arg-type]

            mp.setattr(os, "replace", replace)

        return prepare

    changed = mutate("    fps: 25", "    fps: 20")
    out = [
        into_b(
            "enospc-while-staging",
            "6-traceback",
            {},
            r"cannot write {tmp}/b: No space left on device \(free some space",
            prepare=enospc,
            profile=changed,
        ),
        into_b(
            "enospc-fresh-out",
            "6-traceback",
            {},
            r"cannot write {tmp}/new: No space left on device",
            prepare=enospc,
            argv=("render", "--site", "{tmp}/p.yaml", "--out", "{tmp}/new"),
            out="new",
        ),
    ]
    for code in (errno.EIO, errno.EROFS, errno.EDQUOT, errno.EFBIG):
        out.append(
            into_b(
                f"rename-fails-{errno.errorcode[code].lower()}",
                "6-traceback",
                {},
                rf"cannot write {{tmp}}/b: {os.strerror(code)}",
                prepare=failing_rename(code),
                profile=changed,
            )
        )
    return out


def _lock_cases() -> list[Case]:
    """Class 9: a render waits for another render of the same directory (bounded)."""

    def hold_lock(tmp: Path, mp: pytest.MonkeyPatch) -> None:
        from alpr_gen import outdir

        fd = os.open(tmp / "b", os.O_RDONLY | os.O_DIRECTORY)
        fcntl.flock(fd, fcntl.LOCK_EX)
        mp.setattr(outdir, "LOCK_TIMEOUT_S", 0.5)
        mp.setattr(os, "_hostile_lock_fd", fd, raising=False)  # closed with the test process

    return [
        into_b(
            "locked-by-another-render",
            "9-concurrency",
            {"b/labels.txt": Edit("plate", "plate")},
            r"{tmp}/b is locked by another render",
            prepare=hold_lock,
            profile=mutate("    fps: 25", "    fps: 20"),
        ),
    ]


def outdir_cases() -> list[Case]:
    return [
        *_untrusted_manifest_cases(),
        *_conflict_cases(),
        *_force_cases(),
        *_stale_cases(),
        *_secret_cases(),
        *_disk_cases(),
        *_lock_cases(),
    ]
