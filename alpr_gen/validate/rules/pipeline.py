"""DS3xx across files, the pipeline: sources, streammux and PGIE batch, tiles, sinks."""

from __future__ import annotations

from collections.abc import Iterator

from alpr_gen.configset import ConfigSet
from alpr_gen.configset.values import glib_int
from alpr_gen.deepstream.facts import LIVE_SOURCE_TYPES
from alpr_gen.validate.findings import Severity
from alpr_gen.validate.rules import Hit, hit, int_or_none, rule, setting_location

E, W = Severity.ERROR, Severity.WARNING


def _mux_batch(cs: ConfigSet) -> tuple[int | None, int]:
    g = cs.app_group("streammux")
    if g is None:
        return None, 0
    return int_or_none(g.get("batch-size")), g.line_of("batch-size")


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
    live = [s for s in cs.enabled_source_groups() if glib_int(s.get("type")) in LIVE_SOURCE_TYPES]
    if g is not None and live and not glib_int(g.get("live-source")):
        yield hit(
            cs.app,
            g.line_of("live-source"),
            "streammux",
            "live-source",
            f"[{live[0].name}] is a live source: set live-source=1 in [streammux]",
        )


@rule("DS308", W, "PGIE batch-size differs from streammux batch-size")
def pgie_batch(cs: ConfigSet) -> Iterator[Hit]:
    pgie = cs.pgie
    batch, _ = _mux_batch(cs)
    if pgie is None or batch is None:
        return
    pb = int_or_none(pgie.value("batch-size"))
    if pb is not None and pb != batch:
        src, line, group = setting_location(cs, pgie, "batch-size")
        yield hit(
            src,
            line,
            group,
            "batch-size",
            f"PGIE batch-size={pb} but streammux batch-size={batch}: make them equal",
        )


@rule("DS315", W, "tiled-display has fewer tiles than sources")
def tiles(cs: ConfigSet) -> Iterator[Hit]:
    g = cs.app_group("tiled-display")
    if g is None or glib_int(g.get("enable")) not in (1, 2):
        return
    rows, cols, n = (
        int_or_none(g.get("rows")) or 1,
        int_or_none(g.get("columns")) or 1,
        cs.num_streams,
    )
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
        if glib_int(g.get("type")) == 4 and glib_int(g.get("codec", "1")) not in (1, 2):
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
            if glib_int(g.get("type")) != 4 or g.get(key) is None:
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
        if glib_int(g.get("type")) in (2, 5) and glib_int(g.get("sync")) == 1:
            yield hit(
                cs.app,
                g.line_of("sync"),
                g.name,
                "sync",
                "sync=1 on a display sink holds the pipeline to the display's frame rate "
                "(often 60 FPS); use sync=0 for live sources or benchmarks",
            )


@rule("DS320", E, "MultiURI source without %d in its uri")
def multi_uri(cs: ConfigSet) -> Iterator[Hit]:
    for g in cs.enabled_source_groups():
        uri = g.get("uri")
        if glib_int(g.get("type")) == 3 and uri is not None and "%d" not in uri:
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
