"""Property-based fuzz (Hypothesis) of the two readers of untrusted text: the profile loader
and the config-set reader (+ the linter and its printer).

Properties: the only exception is alpr-gen's own error (ProfileError / ConfigSetError), never a
traceback-worthy one; every message names the file; the secret in the environment or in the
files is never in a message or a printed report; control characters never reach the output raw.

CI runs a fixed, derandomized budget (HOSTILE_FUZZ_EXAMPLES, default 150 per test: a few
seconds); a longer run:
`HOSTILE_FUZZ_RANDOM=1 HOSTILE_FUZZ_EXAMPLES=20000 pytest tests/hostile/test_fuzz.py -s`
(prints examples per second).
"""

from __future__ import annotations

import io
import os
import shutil
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alpr_gen.errors import ConfigSetError, ProfileError

from .corpus_profiles import BASE
from .harness import BASE_ENV, SECRET

EXAMPLES = int(os.environ.get("HOSTILE_FUZZ_EXAMPLES", "150"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    # CI: the same examples every run. A long run (HOSTILE_FUZZ_RANDOM=1) explores new ones.
    derandomize="HOSTILE_FUZZ_RANDOM" not in os.environ,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
_RATES: dict[str, tuple[int, float]] = {}

# --- strategies -------------------------------------------------------------------------------

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.sampled_from(["${HOSTILE_MQTT_PASSWORD}", "${A_${B}}", "$$", "${X:-d}", "yes", "~", "*a"]),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=25,
)
_KEYS = st.sampled_from(
    [
        "name",
        "target",
        "place",
        "cameras",
        "detector",
        "messaging",
        "outputs",
        "ocr",
        "tracker",
        "resolution",
        "points",
        "uri",
        "fps",
        "password",
        "zones",
        "extends",
        "<<",
        "labels",
    ]
)


@st.composite
def _edited_text(draw: st.DrawFn, base: str) -> bytes:
    """`base` with a few random edits: the near-misses users (and attackers) write."""
    data = bytearray(base.encode())
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["insert", "delete", "replace", "line"]))
        pos = draw(st.integers(0, len(data)))
        if op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=8))
        elif op == "delete":
            del data[pos : pos + draw(st.integers(1, 20))]
        elif op == "replace":
            chunk = draw(st.sampled_from([b"\n", b"\r", b"\t", b"{", b"[", b"&a ", b"*a", b"\x00",
                                          b": ", b"- ", b"'", b'"', b"\x1b", b"\xff", b"${"]))  # fmt: skip
            data[pos : pos + len(chunk)] = chunk
        else:
            line = f"{draw(_KEYS)}: {draw(_SCALARS)!s}\n".encode(errors="replace")
            at = data.rfind(b"\n", 0, pos) + 1
            data[at:at] = line
    return bytes(data)


def _profile_inputs() -> st.SearchStrategy[bytes]:
    import yaml

    structured = st.dictionaries(_KEYS, _VALUES, max_size=8).map(
        lambda d: yaml.safe_dump(d, allow_unicode=True).encode()
    )
    return st.one_of(
        _edited_text(BASE),
        structured,
        st.binary(max_size=300),
        st.text(max_size=300).map(str.encode),
    )


# --- the profile loader -------------------------------------------------------------------------


def _rate(name: str, started: float) -> None:
    n, spent = _RATES.get(name, (0, 0.0))
    _RATES[name] = (n + 1, spent + time.perf_counter() - started)


@FUZZ
@given(data=_profile_inputs())
def test_the_profile_loader_raises_only_profile_errors(data: bytes, tmp_path: Path) -> None:
    from alpr_gen.profile import load_profile
    from alpr_gen.redact import safe_text

    path = tmp_path / "p.yaml"
    path.write_bytes(data)
    started = time.perf_counter()
    try:
        load_profile(str(path), env=BASE_ENV)
    except ProfileError as exc:
        shown = safe_text(str(exc))
        assert str(path) in shown, shown
        assert SECRET not in shown
        assert "\x1b" not in shown
    finally:
        _rate("profile loader", started)


# --- the config-set reader, the linter and the report ------------------------------------------


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from alpr_gen.profile import load_profile
    from alpr_gen.render import render_set
    from alpr_gen.writer import write_bundle

    root = tmp_path_factory.mktemp("fuzz")
    (root / "p.yaml").write_text(BASE)
    write_bundle(render_set(load_profile(str(root / "p.yaml"), env=BASE_ENV)), root / "b")
    return root / "b"


_FILES = ["deepstream_app.txt", "pgie_yolo11.txt", "broker.txt", "tracker.yml", "labels.txt",
          "analytics.txt", "msgconv.txt", "manifest.json"]  # fmt: skip


@st.composite
def _edited_bundle(draw: st.DrawFn, base: Path) -> dict[str, bytes]:
    names = draw(st.lists(st.sampled_from(_FILES), min_size=1, max_size=3, unique=True))
    return {name: draw(_edited_text((base / name).read_text())) for name in names}


@FUZZ
@given(data=st.data())
def test_the_config_set_reader_never_fails_and_prints_safely(
    data: st.DataObject, bundle: Path, tmp_path: Path
) -> None:
    from alpr_gen.configset import load
    from alpr_gen.validate import lint
    from alpr_gen.validate.report import emit

    edits = data.draw(_edited_bundle(bundle))
    work = tmp_path / f"b{time.perf_counter_ns()}"
    shutil.copytree(bundle, work)
    for name, content in edits.items():
        (work / name).write_bytes(content)
    started = time.perf_counter()
    try:
        cs = load(work)
    except ConfigSetError as exc:
        assert str(work) in str(exc)
        return
    finally:
        _rate("config-set reader", started)
    report = lint(cs)
    for fmt in ("human", "github", "json"):
        out = io.StringIO()
        emit([("fuzz", report)], fmt, out)
        text = out.getvalue()
        assert SECRET not in text, text
        assert "\x1b" not in text and "\x07" not in text


def teardown_module() -> None:
    for name, (n, spent) in _RATES.items():
        print(f"\nfuzz {name}: {n} examples, {n / spent:.0f} per second of reading")
