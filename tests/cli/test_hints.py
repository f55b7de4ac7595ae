"""Every command alpr-gen prints as advice runs as printed, from where the user is, and does
what it says.

`hint_templates()` collects every string in alpr_gen/ that names an alpr-gen command (help
examples excepted: test_help.py parses those). Each scenario below makes the tool print some of
them for real, takes the commands out of the printed text (`backticks`, next-steps lines, hint
lines) and runs them in a sandbox (tests/cli/sandbox.py: a fresh directory holding what a clone
has, a fake HOME, no network). `test_every_hint_has_a_scenario` fails when a new hint appears
without one. The only placeholder allowed is YOUR_MODEL.pt (the user's weights, which alpr-gen
cannot know; the demo model stands in); advice about a profile file only the user knows is
prose, never a command in backticks.
"""

from __future__ import annotations

import ast
import re
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from alpr_gen.next_steps import WEIGHTS_PLACEHOLDER

from .sandbox import REPO, Sandbox, follow, next_steps

COMMAND_RE = re.compile(
    r"alpr-gen (render|export|export-ocr|build-parser|validate|run|profiles|schema)\b"
)
BACKTICKED = re.compile(r"`((?:alpr-gen|mkdir) [^`]+)`")


# --- collecting every hint the source can print ---------------------------------------------


def _skipped(tree: ast.AST) -> set[int]:
    """ids of string nodes that are not printed as advice: docstrings, help examples (the
    `examples(...)` epilogs), profile field descriptions (documentation)."""
    out: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            out.add(id(body[0].value))
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name == "examples":
                out.update(id(a) for a in ast.walk(node))
            for kw in node.keywords:
                if kw.arg == "description":
                    out.update(id(a) for a in ast.walk(kw.value))
    return out


def hint_templates() -> set[tuple[str, str]]:
    """(file, template) of every string literal / f-string naming an alpr-gen command."""
    found: set[tuple[str, str]] = set()
    for path in sorted((REPO / "alpr_gen").rglob("*.py")):
        rel = path.relative_to(REPO).as_posix()
        if rel == "alpr_gen/validate/docs.py":  # the generated reference page, not advice
            continue
        tree = ast.parse(path.read_text())
        skip = _skipped(tree)
        for node in ast.walk(tree):
            if id(node) in skip:
                continue
            if isinstance(node, ast.JoinedStr):
                text = "".join(
                    v.value if isinstance(v, ast.Constant) else "{" + ast.unparse(v.value) + "}"
                    for v in node.values
                )
                skip.update(id(v) for v in node.values)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value
            else:
                continue
            if COMMAND_RE.search(text):
                found.add((rel, text))
    return found


# --- scenarios --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    name: str
    covers: tuple[tuple[str, str], ...]  # (file, a piece of the template's text)
    run: Callable[[Sandbox, pytest.MonkeyPatch], None]
    slow: bool = False


def commands_in(text: str) -> list[str]:
    return BACKTICKED.findall(text)


def hint_lines(text: str) -> list[str]:
    """The `hint: ...` lines of a preflight list and of an error."""
    return [ln.split("hint:", 1)[1].strip() for ln in text.splitlines() if "hint:" in ln]


def ok(box: Sandbox, command: str, *codes: int) -> str:
    result = box.run(command.replace(WEIGHTS_PLACEHOLDER, "models/demo/alpr_demo_yolo11n.pt"))
    assert result.code in (codes or (0,)), (command, result.text)
    return result.out + result.err


def render(box: Sandbox, site: str = "demo") -> str:
    return ok(box, f"alpr-gen render --site {site}")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


def deployed_demo(box: Sandbox) -> list[str]:
    """Render demo and follow its steps up to validate --deployed; the steps as printed."""
    steps = next_steps(render(box))
    for step in steps[:-2]:
        done = follow(box, step)
        assert done is None or done.code == 0, (step, done.text if done else "")
    return steps


def s_next_steps(box: Sandbox, _mp: pytest.MonkeyPatch) -> None:
    rendered = render(box)
    steps = next_steps(rendered)
    # The findings name the same commands as the block (validate --deployed lists them).
    findings = ok(box, "alpr-gen validate --deployed out/demo", 1)
    assert set(commands_in(findings)) <= set(steps), findings
    assert {"alpr-gen export-ocr --config out/demo", "mkdir -p out/demo/recordings"} <= set(
        commands_in(findings)
    )
    for step in steps[:-2]:
        done = follow(box, step)
        assert done is None or done.code == 0, (step, done.text if done else "")
    assert ok(box, steps[-2]).count("0 error(s), 0 warning(s)") == 1  # validate --deployed
    # Preflight says nvinfer builds the engines at first start, and how to build it ahead.
    # No deepstream-app here: `auto` would pick the preview backend; ask for deepstream-app.
    dry = ok(box, "alpr-gen run --config out/demo --dry-run --backend deepstream-app")
    ahead = [c for c in commands_in(dry) if c.startswith("alpr-gen export ")]
    assert ahead == ["alpr-gen export --config out/demo --weights YOUR_MODEL.pt"], dry
    assert "onnx:   " in ok(box, ahead[0])  # runs again (the ONNX is current: reused)
    # No deepstream-app here: the hint runs it in NVIDIA's container (a stand-in docker).
    (docker,) = [c for c in commands_in(dry) if "--docker" in c]
    box.add_docker()
    box.add_gpu()
    ok(box, docker)
    (call,) = box.recorded_calls("docker")
    assert "nvcr.io/nvidia/deepstream:7.1-triton-multiarch" in call and "deepstream-app" in call
    # The last step runs deepstream-app (a stand-in) in the bundle.
    box.add_deepstream_app()
    ok(box, steps[-1])
    assert box.recorded_calls("deepstream-app")


def s_render_warnings(box: Sandbox, _mp: pytest.MonkeyPatch) -> None:
    (box.cwd / "gate.yaml").write_text(
        "extends: demo\nname: gate\noutputs:\n  - type: display\n    sync: true\n"
    )
    printed = ok(box, "alpr-gen render --site gate.yaml")
    (command,) = re.findall(r"\(see: (alpr-gen validate [^)]+)\)", printed)
    assert "DS318" in ok(box, command)
    # A profile given as a file: every step names the bundle, never `--site gate`.
    assert all("--site" not in s for s in next_steps(printed))


def s_render_check(box: Sandbox, _mp: pytest.MonkeyPatch) -> None:
    render(box)
    (box.cwd / "out/demo/labels.txt").write_text("edited\n")
    printed = ok(box, "alpr-gen render --site demo --check", 1)
    (command,) = re.findall(r"run (alpr-gen render .+)$", printed, re.M)
    ok(box, command)
    ok(box, "alpr-gen render --site demo --check")


def s_validate_site(box: Sandbox, _mp: pytest.MonkeyPatch) -> None:
    steps = next_steps(ok(box, "alpr-gen validate --site demo"))
    assert steps[0] == "alpr-gen render --site demo"
    ok(box, steps[0])
    assert (box.cwd / "out/demo/deepstream_app.txt").is_file()


def s_preflight_parser(box: Sandbox, _mp: pytest.MonkeyPatch) -> None:
    render(box)
    dry = ok(box, "alpr-gen run --config out/demo --dry-run --no-build")
    (command,) = [h for h in hint_lines(dry) if h.startswith("alpr-gen build-parser")]
    ok(box, command)
    assert (box.cwd / "out/demo/lib/libnvdsinfer_alpr.so").is_file()


def s_no_target(box: Sandbox, _mp: pytest.MonkeyPatch) -> None:
    render(box)
    (box.cwd / "out/demo/manifest.json").unlink()
    box.add_deepstream_app()
    dry = ok(box, "alpr-gen run --config out/demo --dry-run")
    (hint,) = [h for h in hint_lines(dry) if "manifest.json names the target" in h]
    # Without a manifest the profile is unknown: prose that names the gap, not a command.
    assert not commands_in(hint) and "<profile .yaml> --out out/demo" in hint


def s_brokers(box: Sandbox, mp: pytest.MonkeyPatch) -> None:
    from alpr_gen.brokers import BrokerSettings
    from alpr_gen.configset import load
    from alpr_gen.errors import BrokerError
    from alpr_gen.run.preflight import Environment, PreflightContext
    from alpr_gen.run.preflight.network import broker_settings

    render(box, "fleet16")
    mp.chdir(box.cwd)
    cs = load(Path("out/fleet16"))
    (sink,) = cs.msg_sinks
    settings = broker_settings(PreflightContext(cs, Environment(network=False)), sink)
    (command,) = commands_in(settings.fix("password"))
    assert command == "alpr-gen render --site fleet16"
    with pytest.raises(BrokerError) as exc:
        BrokerSettings.from_config(
            proto_lib=sink.proto_lib,
            conn_str="no-port-here",
            topic="t",
            cfg={},
            base_dir=Path("out/fleet16").absolute(),
            site="fleet16",
        )
    assert commands_in(exc.value.hint or "") == [command]
    (box.cwd / "out/fleet16/broker.txt").unlink()
    ok(box, command)
    assert (box.cwd / "out/fleet16/broker.txt").is_file()


def s_validate_missing_path(box: Sandbox, _mp: pytest.MonkeyPatch) -> None:
    printed = ok(box, "alpr-gen validate out/demo", 2)
    (command,) = commands_in(printed)
    ok(box, command)
    ok(box, "alpr-gen validate out/demo")


def s_validate_nothing(box: Sandbox, _mp: pytest.MonkeyPatch) -> None:
    first, second = commands_in(ok(box, "alpr-gen validate", 2))
    assert second == "alpr-gen render --site demo"  # "validate out/demo after render --site"
    ok(box, second)
    ok(box, first)


def s_export_no_pgie(box: Sandbox, _mp: pytest.MonkeyPatch) -> None:
    render(box)
    edit(
        box.cwd / "out/demo/deepstream_app.txt",
        "[primary-gie]\nenable=1",
        "[primary-gie]\nenable=0",
    )
    printed = ok(box, "alpr-gen export -c out/demo -w models/demo/alpr_demo_yolo11n.pt", 2)
    (command,) = commands_in(printed)
    assert "out/demo" in ok(box, command, 0, 1)  # the findings of the set


def s_export_ocr_no_dictionary(box: Sandbox, _mp: pytest.MonkeyPatch) -> None:
    render(box)
    edit(box.cwd / "out/demo/ocr_parser.cfg", "dictionary=models/ocr_dict.txt\n", "")
    (command,) = commands_in(ok(box, "alpr-gen export-ocr --config out/demo", 2))
    ok(box, command)
    assert "dictionary=" in (box.cwd / "out/demo/ocr_parser.cfg").read_text()


def _listener() -> tuple[socket.socket, int]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    return server, server.getsockname()[1]


def s_broker_login_rows(box: Sandbox, _mp: pytest.MonkeyPatch) -> None:
    box.env.update({f"LOT7_CAM{i}_URI": "rtsp://127.0.0.1:1/s" for i in range(1, 5)})
    box.env["LOT7_KAFKA_HOST"] = "127.0.0.1"
    server, port = _listener()
    try:
        for broken in ("header", "file"):
            render(box, "lot7")
            edit(box.cwd / "out/lot7/deepstream_app.txt", "127.0.0.1;9092", f"127.0.0.1;{port}")
            cfg = box.cwd / "out/lot7/broker.txt"
            if broken == "header":
                edit(cfg, "[message-broker]\n", "")
            else:
                cfg.unlink()
            dry = ok(box, "alpr-gen run --config out/lot7 --dry-run --network-checks")
            rows = [h for h in hint_lines(dry) if "render the bundle again" in h]
            assert rows, dry
            (command,) = commands_in(rows[0])
            ok(box, command)
            assert "[message-broker]" in cfg.read_text()
    finally:
        server.close()
    assert box.network_attempts() == []  # cameras and broker were all on 127.0.0.1


def s_logparse(box: Sandbox, mp: pytest.MonkeyPatch) -> None:
    from alpr_gen.run.deepstream_app.logparse import match_failures
    from alpr_gen.run.session import RunOptions, open_set, prepare

    deployed_demo(box)
    box.add_deepstream_app()
    box.add_gpu()
    # Through the real `run`: the stand-in prints an unknown key; the hint names the bundle.
    printed = box.run("alpr-gen run --config out/demo", env={"FAKE_DS_SCENARIO": "unknown-key"})
    assert printed.code == 0, printed.text
    shown = commands_in(printed.text)  # also: the engines are built now (render advice)
    assert "alpr-gen validate out/demo" in shown, printed.text
    for command in shown:
        ok(box, command)
    # Every other rule, with the hint context `run` builds for this set.
    mp.chdir(box.cwd)
    mp.setenv("PATH", box.env["PATH"])
    prepared = prepare(open_set(RunOptions(config=Path("out/demo"))), RunOptions(dry_run=True))
    context = prepared.backend._parser.hint_context
    lines = [
        "Config file path: /x/pgie.txt, NvDsInfer Error: NVDSINFER_CUSTOM_LIB_FAILED",
        "deserialize backend context from engine from file :/x/y.engine failed, try rebuild",
        "cannot read the OCR dictionary models/ocr_dict.txt: no such file",
        "** ERROR: <main:687>: Failed to parse config file 'deepstream_app.txt'",
        "cannot read OCR settings from ocr_parser.cfg",
    ]
    ran = []
    for line in lines:
        (failure,) = match_failures(line, context)
        for command in commands_in(failure.hint):
            ok(box, command, 0, 1)
            ran.append(command.split()[1])
    assert sorted(ran) == ["build-parser", "export-ocr", "render", "validate"]


def s_lib_outside(box: Sandbox, _mp: pytest.MonkeyPatch) -> None:
    render(box)
    elsewhere = box.root / "elsewhere"
    for name in ("pgie_yolo11.txt", "sgie_ocr.txt"):
        edit(
            box.cwd / "out/demo" / name,
            "custom-lib-path=lib/libnvdsinfer_alpr.so",
            f"custom-lib-path={elsewhere}/libnvdsinfer_alpr.so",
        )
    (command,) = commands_in(ok(box, "alpr-gen build-parser --config out/demo", 2))
    ok(box, command)
    assert (elsewhere / "libnvdsinfer_alpr.so").is_file()


def s_help_profiles(box: Sandbox, _mp: pytest.MonkeyPatch) -> None:
    (command,) = commands_in(ok(box, "alpr-gen render --help"))
    assert "demo" in ok(box, command)


def s_schema(box: Sandbox, _mp: pytest.MonkeyPatch) -> None:
    (box.cwd / "typo.yaml").write_text("extends: demo\nname: typo\ncamreas: []\n")
    commands = set(commands_in(ok(box, "alpr-gen render --site typo.yaml", 2)))
    assert commands == {"alpr-gen schema"}  # the field's message and the error's hint
    assert ok(box, "alpr-gen schema").lstrip().startswith("{")


def s_site_is_a_profile(box: Sandbox, _mp: pytest.MonkeyPatch) -> None:
    """--site names a profile: a bundle directory, a missing name and a non-mapping profile each
    get advice that runs."""
    render(box)
    printed = ok(box, "alpr-gen render --site out/demo", 2)
    commands = commands_in(printed)
    assert commands == [
        "alpr-gen profiles",
        "alpr-gen run --config out/demo",
        "alpr-gen validate out/demo",
    ], printed
    assert "demo" in ok(box, commands[0])
    ok(box, commands[1], 0, 2)  # runs the set (here refused: its models are not deployed)
    ok(box, commands[2])
    (command,) = commands_in(ok(box, "alpr-gen render --site missing.yaml", 2))
    assert "lot7" in ok(box, command)
    (box.cwd / "list.yaml").write_text("- just\n- a list\n")
    (command,) = commands_in(ok(box, "alpr-gen render --site list.yaml", 2))
    assert "lot7" in ok(box, command)


def s_int8_mention(box: Sandbox, _mp: pytest.MonkeyPatch) -> None:
    (box.cwd / "int8.yaml").write_text("extends: demo\nname: int8\ndetector: {precision: int8}\n")
    printed = ok(box, "alpr-gen render --site int8.yaml", 2)
    assert "alpr-gen export writes one" in printed and not commands_in(printed)


def s_ocr_cfg_missing(box: Sandbox, _mp: pytest.MonkeyPatch) -> None:
    render(box)
    (box.cwd / "out/demo/ocr_parser.cfg").unlink()
    (command,) = commands_in(ok(box, "alpr-gen validate out/demo", 1))
    ok(box, command)
    ok(box, "alpr-gen validate out/demo")
    # The same advice for a bundle rendered from a profile file: prose that names the file.
    (box.cwd / "gate1.yaml").write_text("extends: demo\nname: gate1\n")
    ok(box, "alpr-gen render --site gate1.yaml")
    (box.cwd / "out/gate1/ocr_parser.cfg").unlink()
    printed = ok(box, "alpr-gen validate out/gate1", 1)
    assert not commands_in(printed)
    assert "alpr-gen render --site <profile .yaml> --out out/gate1" in printed


def s_preview_missing(box: Sandbox, _mp: pytest.MonkeyPatch) -> None:
    """The preview backend (forced past preflight) names the step each missing file needs."""
    render(box)
    media = box.cwd / "out/demo/media"
    media.mkdir(parents=True, exist_ok=True)
    (media / "demo.mp4").write_bytes((REPO / "demo/demo.mp4").read_bytes())
    (box.cwd / "out/demo/recordings").mkdir(exist_ok=True)
    run = "alpr-gen run --config out/demo --backend preview --frames 1 --force --no-build"
    ran = []
    for _ in range(3):  # the detector, its parser library, the recogniser: one at a time
        printed = ok(box, run, 2)
        (command,) = commands_in(hint_lines(printed)[-1])  # the error's hint (last)
        ok(box, command)
        ran.append(command.split()[1])
    assert sorted(ran) == ["build-parser", "export", "export-ocr"], ran
    (box.cwd / "out/demo/sgie_ocr.txt").unlink()
    (command,) = commands_in(hint_lines(ok(box, run, 2))[-1])
    assert "sgie_ocr.txt" in ok(box, command, 1)


NEXT = "alpr_gen/next_steps.py"
SCENARIOS = [
    Scenario(
        "next-steps",
        (
            (NEXT, "alpr-gen export --config"),
            (NEXT, "alpr-gen export-ocr --config"),
            (NEXT, "alpr-gen build-parser --config"),
            (NEXT, "alpr-gen validate --deployed"),
            (NEXT, "alpr-gen run --config"),
            ("alpr_gen/run/preflight/system.py", "alpr-gen run --config {bundle} --docker"),
            ("alpr_gen/validate/rules/files.py", "the bundle for alpr-gen run"),
        ),
        s_next_steps,
        slow=True,
    ),
    Scenario(
        "render-warnings",
        (("alpr_gen/commands/output.py", "(see: alpr-gen validate"),),
        s_render_warnings,
    ),
    Scenario(
        "render-check",
        (("alpr_gen/commands/render.py", "alpr-gen render --site {"),),
        s_render_check,
    ),
    Scenario(
        "validate-site",
        (("alpr_gen/validate/sites.py", "alpr-gen render --site"),),
        s_validate_site,
    ),
    Scenario(
        "preflight-parser",
        (("alpr_gen/run/preflight/artifacts.py", "alpr-gen build-parser --config"),),
        s_preflight_parser,
    ),
    Scenario(
        "no-target",
        (
            ("alpr_gen/run/preflight/system.py", "manifest.json names the target"),
            (NEXT, "alpr-gen render --site <profile .yaml>"),
        ),
        s_no_target,
    ),
    Scenario(
        "brokers",
        (
            (NEXT, "alpr-gen render --site {shlex.quote(site)}"),
            ("alpr_gen/brokers/base.py", "alpr-gen"),
        ),
        s_brokers,
    ),
    Scenario(
        "validate-missing-path",
        (("alpr_gen/configset/__init__.py", "`alpr-gen render --site demo` writes"),),
        s_validate_missing_path,
    ),
    Scenario(
        "validate-nothing",
        (("alpr_gen/commands/validate.py", "`alpr-gen validate out/demo` after"),),
        s_validate_nothing,
    ),
    Scenario(
        "export-no-pgie",
        (("alpr_gen/export/site_request.py", "`alpr-gen validate {bundle_arg(cs)}`"),),
        s_export_no_pgie,
    ),
    Scenario(
        "export-ocr-no-dictionary",
        (("alpr_gen/ocr/bundle_request.py", "render_advice"),),
        s_export_ocr_no_dictionary,
    ),
    Scenario(
        "broker-login-rows",
        (("alpr_gen/run/preflight/network.py", "render the bundle again"),),
        s_broker_login_rows,
    ),
    Scenario(
        "logparse",
        (("alpr_gen/run/deepstream_app/logparse.py", "alpr-gen"),),
        s_logparse,
        slow=True,
    ),
    Scenario(
        "lib-outside", (("alpr_gen/bundle.py", "alpr-gen build-parser --out"),), s_lib_outside
    ),
    Scenario(
        "help-profiles", (("alpr_gen/commands/render.py", "`alpr-gen profiles`"),), s_help_profiles
    ),
    Scenario(
        "schema",
        (
            ("alpr_gen/profile/messages.py", "`alpr-gen schema`"),
            ("alpr_gen/profile/loader.py", "`alpr-gen schema` lists every field"),
        ),
        s_schema,
    ),
    Scenario(
        "int8-mention",
        (("alpr_gen/profile/checks.py", "alpr-gen export writes one"),),
        s_int8_mention,
    ),
    Scenario(
        "site-is-a-profile",
        (
            ("alpr_gen/profile/loader.py", "a name from `alpr-gen profiles`"),
            ("alpr_gen/profile/loader.py", "`alpr-gen run --config {path}`"),
            ("alpr_gen/profile/loader.py", "`alpr-gen profiles` lists them"),
        ),
        s_site_is_a_profile,
    ),
    Scenario(
        "preview-missing",
        (
            ("alpr_gen/preview/gie.py", "alpr-gen validate {bundle}"),
            ("alpr_gen/preview/gie.py", "alpr-gen export-ocr --config {bundle}"),
            ("alpr_gen/preview/gie.py", "alpr-gen export --config {bundle}"),
            ("alpr_gen/preview/gie.py", "alpr-gen build-parser --config {bundle}"),
        ),
        s_preview_missing,
        slow=True,
    ),
    Scenario(
        "ocr-cfg-missing",
        (("alpr_gen/validate/rules/ocr.py", "render_advice"),),
        s_ocr_cfg_missing,
    ),
]


def _covered(template: tuple[str, str]) -> Iterator[Scenario]:
    for s in SCENARIOS:
        if any(f == template[0] and piece in template[1] for f, piece in s.covers):
            yield s


def test_every_hint_has_a_scenario() -> None:
    templates = hint_templates()
    assert len(templates) >= 20
    missing = sorted(t for t in templates if not any(_covered(t)))
    assert not missing, f"hints no scenario runs: {missing}"


def test_every_scenario_covers_a_hint_that_exists() -> None:
    templates = hint_templates()
    # Templates that name a command, and those that call render_advice (a command or prose).
    sources = {f: (REPO / f).read_text() for s in SCENARIOS for f, _ in s.covers}
    for s in SCENARIOS:
        for file, piece in s.covers:
            assert any(f == file and piece in t for f, t in templates) or piece in sources[file], (
                s.name,
                file,
                piece,
            )


@pytest.mark.parametrize(
    "scenario",
    [pytest.param(s, marks=pytest.mark.slow) if s.slow else s for s in SCENARIOS],
    ids=[s.name for s in SCENARIOS],
)
def test_printed_hints_run_as_printed(
    scenario: Scenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    box = Sandbox(tmp_path)
    scenario.run(box, monkeypatch)
    assert box.network_attempts() == [], box.network_attempts()
