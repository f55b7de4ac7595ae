"""DS3xx: rules across files (reference §8): GIE wiring, batch sizes, engines, sinks, display."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from alpr_gen.configset import ConfigFile, ConfigSet, Gie, PathRef
from alpr_gen.deepstream.engine_naming import engine_name, parse_engine_name
from alpr_gen.deepstream.keyfile import split_list
from alpr_gen.validate.findings import Severity
from alpr_gen.validate.rules import Hit, hit, rule

E, W = Severity.ERROR, Severity.WARNING
_PRECISION = {"0": "fp32", "1": "int8", "2": "fp16"}
_LIVE_TYPES = {"1", "4", "5"}


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _where(cs: ConfigSet, gie: Gie, key: str) -> tuple[ConfigFile, int, str]:
    """File, line and group of a GIE's effective value of `key`."""
    found = gie.setting(key)
    if found is None:
        return cs.app, gie.group.line, gie.group.name
    return found.file, found.line, found.group


def _enabled(cs: ConfigSet) -> list[Gie]:
    return [g for g in cs.gies if g.enabled]


def _pgie(cs: ConfigSet) -> Gie | None:
    return next((g for g in _enabled(cs) if g.primary), None)


@rule("DS301", E, "gie-unique-id used by two GIEs")
def duplicate_gie_id(cs: ConfigSet) -> Iterator[Hit]:
    seen: dict[int, Gie] = {}
    for gie in _enabled(cs):
        uid = _int(gie.value("gie-unique-id"))
        if uid is None:
            continue
        if uid in seen:
            src, line, group = _where(cs, gie, "gie-unique-id")
            yield hit(
                src,
                line,
                group,
                "gie-unique-id",
                f"gie-unique-id={uid} is also used by [{seen[uid].group.name}]: "
                "every GIE needs its own id",
            )
        else:
            seen[uid] = gie


@rule("DS302", E, "SGIE whose operate-on-gie-id does not lead to the PGIE (never created)")
def sgie_unreachable(cs: ConfigSet) -> Iterator[Hit]:
    pgie = _pgie(cs)
    if pgie is None:
        return
    ids = {_int(g.value("gie-unique-id")): g for g in _enabled(cs)}
    pgie_id = _int(pgie.value("gie-unique-id"))
    for gie in _enabled(cs):
        if gie.primary:
            continue
        target = _int(gie.value("operate-on-gie-id"))
        if target is None or target == -1:
            continue
        seen: set[int] = set()
        cur: int | None = target
        while cur is not None and cur != pgie_id and cur in ids and cur not in seen:
            seen.add(cur)
            cur = _int(ids[cur].value("operate-on-gie-id"))
        if cur != pgie_id:
            src, line, group = _where(cs, gie, "operate-on-gie-id")
            yield hit(
                src,
                line,
                group,
                "operate-on-gie-id",
                f"operate-on-gie-id={target} does not lead to the primary GIE "
                f"(gie-unique-id={pgie_id}): [{gie.group.name}] is silently not created",
            )


@rule("DS303", W, "app GIE group and its nvinfer file disagree")
def app_overrides(cs: ConfigSet) -> Iterator[Hit]:
    for gie in _enabled(cs):
        if gie.config is None or gie.config.keyfile is None:
            continue
        prop = gie.config.keyfile.group("property")
        if prop is None:
            continue
        for key in ("batch-size", "gie-unique-id"):
            app_v, file_v = gie.group.get(key), prop.get(key)
            if app_v is not None and file_v is not None and app_v != file_v:
                yield hit(
                    cs.app,
                    gie.group.line_of(key),
                    gie.group.name,
                    key,
                    f"{key}={app_v} here overrides {key}={file_v} in {gie.config.rel}: "
                    "make them agree",
                )


def _detector(gie: Gie) -> bool:
    return gie.value("network-type") in (None, "0", "3")


def _label_count(src: ConfigFile) -> int:
    lines = [ln for ln in (src.text or "").splitlines() if ln.strip()]
    if len(lines) == 1 and ";" in lines[0]:
        return len(split_list(lines[0]))
    return len(lines)


@rule("DS304", E, "detector label lines differ from num-detected-classes")
def label_count(cs: ConfigSet) -> Iterator[Hit]:
    for gie in _enabled(cs):
        labels = gie.labels
        n = _int(gie.value("num-detected-classes"))
        if labels is None or labels.text is None or n is None or not _detector(gie):
            continue
        count = _label_count(labels)
        if count != n:
            src, line, group = _where(cs, gie, "num-detected-classes")
            yield hit(
                src,
                line,
                group,
                "num-detected-classes",
                f"num-detected-classes={n} but {labels.rel} has {count} labels: make them agree",
            )


@rule("DS305", E, "[class-attrs-N] with N >= num-detected-classes (fatal)")
def class_attrs_range(cs: ConfigSet) -> Iterator[Hit]:
    for gie in _enabled(cs):
        n = _int(gie.value("num-detected-classes"))
        if gie.config is None or gie.config.keyfile is None or n is None:
            continue
        for group in gie.config.keyfile.groups.values():
            m = re.fullmatch(r"class-attrs-(\d+)", group.name)
            if m and int(m[1]) >= n:
                yield hit(
                    gie.config,
                    group.line,
                    group.name,
                    None,
                    f"[{group.name}] but num-detected-classes={n}: nvinfer fails to "
                    f"start; classes are 0..{n - 1}",
                )


def _mux_batch(cs: ConfigSet) -> tuple[int | None, int]:
    g = cs.app_group("streammux")
    if g is None:
        return None, 0
    return _int(g.get("batch-size")), g.line_of("batch-size")


@rule("DS306", W, "streammux batch-size differs from the number of sources")
def mux_batch(cs: ConfigSet) -> Iterator[Hit]:
    batch, line = _mux_batch(cs)
    n = cs.num_streams
    if batch is not None and n and batch != n:
        yield hit(
            cs.app,
            line,
            "streammux",
            "batch-size",
            f"batch-size={batch} but {n} sources are enabled: set batch-size={n}",
        )


@rule("DS307", W, "live sources without streammux live-source=1")
def live_source(cs: ConfigSet) -> Iterator[Hit]:
    g = cs.app_group("streammux")
    live = [s for s in cs.enabled_source_groups() if s.get("type") in _LIVE_TYPES]
    if g is not None and live and g.get("live-source") != "1":
        yield hit(
            cs.app,
            g.line_of("live-source"),
            "streammux",
            "live-source",
            f"[{live[0].name}] is a live source: set live-source=1 in [streammux]",
        )


@rule("DS308", W, "PGIE batch-size differs from streammux batch-size")
def pgie_batch(cs: ConfigSet) -> Iterator[Hit]:
    pgie = _pgie(cs)
    batch, _ = _mux_batch(cs)
    if pgie is None or batch is None:
        return
    pb = _int(pgie.value("batch-size"))
    if pb is not None and pb != batch:
        src, line, group = _where(cs, pgie, "batch-size")
        yield hit(
            src,
            line,
            group,
            "batch-size",
            f"PGIE batch-size={pb} but streammux batch-size={batch}: make them equal",
        )


def _ref(cs: ConfigSet, gie: Gie, key: str) -> PathRef | None:
    """The effective PathRef of a GIE key (the app group overrides the nvinfer file)."""
    for ref in cs.refs:
        if ref.owner is cs.app and ref.group == gie.group.name and ref.key == key:
            return ref
    for ref in cs.refs:
        if gie.config is not None and ref.owner is gie.config and ref.key == key:
            return ref
    return None


def _engine_check(cs: ConfigSet, gie: Gie) -> tuple[PathRef, PathRef, str] | None:
    engine, onnx = _ref(cs, gie, "model-engine-file"), _ref(cs, gie, "onnx-file")
    if engine is None or onnx is None:
        return None
    precision = _PRECISION.get(gie.value("network-mode") or "0")
    batch = _int(gie.value("batch-size")) or 1
    gpu = _int(gie.value("gpu-id")) or 0
    if precision is None or batch < 1 or gpu < 0:
        return None
    if gie.value("engine-create-func-name"):
        return None  # custom builder: named model_b<N>_gpu<id>_<mode>.engine in the cwd
    return engine, onnx, engine_name(onnx.logical.as_posix(), batch, gpu, precision)


@rule("DS309", E, "model-engine-file is not the name nvinfer builds (rebuilt every start)")
def engine_name_mismatch(cs: ConfigSet) -> Iterator[Hit]:
    for gie in _enabled(cs):
        checked = _engine_check(cs, gie)
        if checked is None:
            continue
        engine, onnx, expected = checked
        if not engine.exists and engine.logical.as_posix() != expected:
            want = Path(expected).name
            yield hit(
                engine.owner,
                engine.line,
                engine.group,
                "model-engine-file",
                f"{engine.value} does not exist and is not the name nvinfer saves the "
                f"engine it builds from {onnx.value} under, so it is rebuilt at every "
                f"start: name it {want} (next to the ONNX)",
            )


@rule("DS310", E, "engine batch smaller than the requested batch (rebuilt every start)")
def engine_batch(cs: ConfigSet) -> Iterator[Hit]:
    for gie in _enabled(cs):
        engine = _ref(cs, gie, "model-engine-file")
        parsed = parse_engine_name(engine.logical.name) if engine else None
        batch = _int(gie.value("batch-size")) or 1
        if engine is not None and engine.exists and parsed and parsed.batch < batch:
            yield hit(
                engine.owner,
                engine.line,
                engine.group,
                "model-engine-file",
                f"{engine.value} was built for batch {parsed.batch} but batch-size="
                f"{batch}: nvinfer rebuilds it at every start; rebuild it for {batch}",
            )


@rule("DS311", W, "existing engine's name disagrees with gpu-id or network-mode")
def engine_mode(cs: ConfigSet) -> Iterator[Hit]:
    for gie in _enabled(cs):
        engine = _ref(cs, gie, "model-engine-file")
        parsed = parse_engine_name(engine.logical.name) if engine else None
        if engine is None or not engine.exists or parsed is None:
            continue
        precision = _PRECISION.get(gie.value("network-mode") or "0")
        gpu = _int(gie.value("gpu-id")) or 0
        if precision and parsed.precision != precision:
            yield hit(
                engine.owner,
                engine.line,
                engine.group,
                "model-engine-file",
                f"{engine.value} is a {parsed.precision} engine but network-mode asks for "
                f"{precision}: the engine's precision wins; make them agree",
            )
        if parsed.gpu_id != gpu:
            yield hit(
                engine.owner,
                engine.line,
                engine.group,
                "model-engine-file",
                f"{engine.value} was built on GPU {parsed.gpu_id} but gpu-id={gpu}",
            )


@rule("DS312", E, "INT8 without int8-calib-file and without a built engine")
def int8_calib(cs: ConfigSet) -> Iterator[Hit]:
    for gie in _enabled(cs):
        if gie.value("network-mode") != "1" or gie.value("int8-calib-file"):
            continue
        engine = _ref(cs, gie, "model-engine-file")
        if engine is not None and engine.exists:
            continue
        src, line, group = _where(cs, gie, "network-mode")
        yield hit(
            src,
            line,
            group,
            "network-mode",
            "network-mode=1 (INT8) needs int8-calib-file to build the engine: add it, "
            "or deploy a prebuilt INT8 engine",
        )


@rule("DS313", E, "SGIE in classifier-async-mode without the tracker (never classifies)")
def async_needs_tracker(cs: ConfigSet) -> Iterator[Hit]:
    if cs.tracker.enabled:
        return
    for gie in _enabled(cs):
        if not gie.primary and gie.value("classifier-async-mode") in ("1", "true"):
            src, line, group = _where(cs, gie, "classifier-async-mode")
            yield hit(
                src,
                line,
                group,
                "classifier-async-mode",
                "classifier-async-mode skips untracked objects and the tracker is off: "
                "enable [tracker] or set classifier-async-mode=0",
            )


@rule("DS314", W, "SGIE with secondary-reinfer-interval without the tracker")
def reinfer_needs_tracker(cs: ConfigSet) -> Iterator[Hit]:
    if cs.tracker.enabled:
        return
    for gie in _enabled(cs):
        if not gie.primary and gie.value("secondary-reinfer-interval") is not None:
            src, line, group = _where(cs, gie, "secondary-reinfer-interval")
            yield hit(
                src,
                line,
                group,
                "secondary-reinfer-interval",
                "secondary-reinfer-interval needs tracked objects and the tracker is "
                "off: the SGIE runs on every object of every frame; enable [tracker]",
            )


@rule("DS315", W, "tiled-display has fewer tiles than sources")
def tiles(cs: ConfigSet) -> Iterator[Hit]:
    g = cs.app_group("tiled-display")
    if g is None or g.get("enable") not in ("1", "2"):
        return
    rows, cols, n = _int(g.get("rows")) or 1, _int(g.get("columns")) or 1, cs.num_streams
    if rows * cols < n:
        yield hit(
            cs.app,
            g.line_of("rows"),
            "tiled-display",
            "rows",
            f"rows x columns = {rows * cols} tiles for {n} sources: some are not shown",
        )


@rule("DS316", E, "RTSP sink with a codec RTSP cannot carry")
def rtsp_codec(cs: ConfigSet) -> Iterator[Hit]:
    for g in cs.enabled_sink_groups():
        if g.get("type") == "4" and g.get("codec", "1") not in ("1", "2"):
            yield hit(
                cs.app,
                g.line_of("codec"),
                g.name,
                "codec",
                f"codec={g.get('codec')} on an RTSP sink: use 1 (H264) or 2 (H265)",
            )


@rule("DS317", E, "two sinks on the same rtsp-port or udp-port")
def sink_ports(cs: ConfigSet) -> Iterator[Hit]:
    for key in ("rtsp-port", "udp-port"):
        seen: dict[str, str] = {}
        for g in cs.enabled_sink_groups():
            if g.get("type") != "4" or g.get(key) is None:
                continue
            port = g.get(key) or ""
            if port in seen:
                yield hit(
                    cs.app,
                    g.line_of(key),
                    g.name,
                    key,
                    f"{key}={port} is also used by [{seen[port]}]: give each sink its own",
                )
            else:
                seen[port] = g.name


@rule("DS318", W, "display sink with sync=1 (caps FPS at the display rate)")
def display_sync(cs: ConfigSet) -> Iterator[Hit]:
    for g in cs.enabled_sink_groups():
        if g.get("type") in ("2", "5") and g.get("sync") == "1":
            yield hit(
                cs.app,
                g.line_of("sync"),
                g.name,
                "sync",
                "sync=1 on a display sink holds the pipeline to the display's frame rate "
                "(often 60 FPS); use sync=0 for live sources or benchmarks",
            )


@rule("DS319", W, "SGIE operate-on-class-ids outside the PGIE's classes")
def sgie_classes(cs: ConfigSet) -> Iterator[Hit]:
    pgie = _pgie(cs)
    n = _int(pgie.value("num-detected-classes")) if pgie else None
    if n is None:
        return
    for gie in _enabled(cs):
        value = gie.value("operate-on-class-ids")
        if gie.primary or not value:
            continue
        bad = [c for c in split_list(value) if (_int(c) is not None and not 0 <= int(c) < n)]
        if bad:
            src, line, group = _where(cs, gie, "operate-on-class-ids")
            yield hit(
                src,
                line,
                group,
                "operate-on-class-ids",
                f"class ids {';'.join(bad)} do not exist: the PGIE has classes 0..{n - 1}",
            )


@rule("DS320", E, "MultiURI source without %d in its uri")
def multi_uri(cs: ConfigSet) -> Iterator[Hit]:
    for g in cs.enabled_source_groups():
        uri = g.get("uri")
        if g.get("type") == "3" and uri is not None and "%d" not in uri:
            yield hit(
                cs.app,
                g.line_of("uri"),
                g.name,
                "uri",
                "type=3 (MultiURI) expands %d in uri to each source index: add %d",
            )


@rule("DS321", E, "no enabled source or no enabled sink")
def nothing_enabled(cs: ConfigSet) -> Iterator[Hit]:
    if cs.app.keyfile is None:
        return
    if not cs.enabled_source_groups():
        yield hit(cs.app, 0, None, None, "no [sourceN] has enable=1: nothing to process")
    if not cs.enabled_sink_groups():
        yield hit(cs.app, 0, None, None, "no [sinkN] has enable=1: add one (type=1 fakesink)")


@rule("DS322", W, "[class-attrs-*] in a config that is not a detector (ignored)")
def class_attrs_ignored(cs: ConfigSet) -> Iterator[Hit]:
    for gie in _enabled(cs):
        if gie.config is None or gie.config.keyfile is None or _detector(gie):
            continue
        for group in gie.config.keyfile.groups.values():
            if group.name.startswith("class-attrs-"):
                yield hit(
                    gie.config,
                    group.line,
                    group.name,
                    None,
                    f"[{group.name}] is read only for network-type 0 or 3 (detectors): "
                    "its thresholds do nothing here; remove it",
                )
