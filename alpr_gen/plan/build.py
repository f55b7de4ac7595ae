"""From a site profile to every value the configs need: `build_plan(profile) -> Plan`.

Pure: no I/O, no globals. This is where the values users get wrong are derived, each with the
reason next to it; templates only format what is here.
"""

from __future__ import annotations

import math

from alpr_gen import __version__
from alpr_gen.deepstream.engine_naming import engine_name
from alpr_gen.deepstream.facts import (
    INT_MAX,
    NETWORK_MODE,
    OCR_GIE_ID,
    PGIE_ID,
    ClusterMode,
    SourceType,
)
from alpr_gen.deepstream.versions import RELEASES, min_object_size
from alpr_gen.ocr.presets import BLANK_LAST, OCR_PRESETS
from alpr_gen.plan.model import (
    ClassAttrs,
    MuxPlan,
    OcrPlan,
    PgiePlan,
    Plan,
    SensorPlan,
    SourcePlan,
    TrackerPlan,
)
from alpr_gen.plan.outputs import analytics_plan, broker_plan, sink_plans
from alpr_gen.profile.model import Camera, Location, SiteProfile
from alpr_gen.redact import has_uri_credentials

# Rows of the colour table used for boxes, per class (r, g, b, a).
_PALETTE = ((0.0, 1.0, 0.0, 1.0), (1.0, 0.0, 0.0, 1.0), (0.0, 0.6, 1.0, 1.0), (1.0, 1.0, 0.0, 1.0))


def build_plan(profile: SiteProfile) -> Plan:
    sources = tuple(_source(i, cam) for i, cam in enumerate(profile.cameras))
    n = len(sources)
    mux = _mux(profile, sources)
    pgie = _pgie(profile, batch_size=mux.batch_size)
    ocr = _ocr(profile, pgie) if profile.ocr.enabled else None
    tracker = _tracker(profile, mux)
    rows = math.ceil(math.sqrt(n))
    columns = math.ceil(n / rows)
    video_out = any(o.type != "fakesink" for o in profile.outputs)
    place_loc = profile.place.location
    return Plan(
        site=profile.name,
        description=profile.description,
        version=__version__,
        platform=profile.target.platform,
        jetson=profile.target.jetson,
        deepstream=profile.target.deepstream,
        gpu_id=profile.target.gpu_id,
        sources=sources,
        rtsp_latency=profile.rtsp.latency_ms,
        rtp_protocol={"auto": 0, "tcp": 4, "udp": 7}[profile.rtsp.protocol],
        reconnect_interval=profile.rtsp.reconnect_interval_sec,
        reconnect_attempts=profile.rtsp.reconnect_attempts,
        mux=mux,
        pgie=pgie,
        ocr=ocr,
        tracker=tracker,
        analytics=analytics_plan(profile, mux),
        sensors=tuple(
            SensorPlan(i, cam.id, cam.name, _loc(cam.location))
            for i, cam in enumerate(profile.cameras)
        ),
        place_id=profile.place.id,
        place_name=profile.place.name,
        place_type=profile.place.type,
        place_location=_loc(place_loc),
        broker=broker_plan(profile),
        sinks=sink_plans(profile),
        tiled=video_out,
        tiler_rows=rows,
        tiler_columns=columns,
        tiler_width=profile.tiler.width,
        tiler_height=profile.tiler.height,
        osd_enabled=profile.osd.enabled and video_out,
        osd_text_size=profile.osd.text_size,
        osd_border_width=profile.osd.border_width,
        osd_show_clock=profile.osd.show_clock,
        osd_process_mode=1 if profile.osd.mode == "gpu" else 0,
        perf_enabled=profile.perf.enabled,
        perf_interval=profile.perf.interval_sec,
        parser_lib=profile.paths.parser_lib,
        # Demo sites loop their files so the pipeline keeps running; live sites never loop.
        file_loop=not mux.live_source,
        is_jetson=profile.target.platform == "jetson",
    )


def _loc(location: Location | None) -> tuple[float, float, float]:
    return (location.lat, location.lon, location.alt) if location else (0.0, 0.0, 0.0)


def _source(index: int, cam: Camera) -> SourcePlan:
    is_rtsp = cam.uri.startswith(("rtsp://", "rtsps://"))
    return SourcePlan(
        index=index,
        camera_id=cam.id,
        name=cam.name,
        uri=cam.uri,
        type=int(SourceType.RTSP if is_rtsp else SourceType.URI),
        is_rtsp=is_rtsp,
        # userinfo or a credential-looking query parameter (?password=, ?token=...)
        has_credentials=has_uri_credentials(cam.uri),
    )


def _mux(profile: SiteProfile, sources: tuple[SourcePlan, ...]) -> MuxPlan:
    fps = [cam.fps for cam in profile.cameras]
    # Rule of thumb from NVIDIA: push a batch after one frame period of the fastest source, so a
    # missing camera never stalls the others longer than a frame.
    timeout = round(1_000_000 / max(fps))
    return MuxPlan(
        batch_size=len(sources),  # one frame per source per batch
        batched_push_timeout=timeout,
        width=profile.streammux.width,
        height=profile.streammux.height,
        live_source=any(s.is_rtsp for s in sources),
        enable_padding=profile.streammux.enable_padding,
        new_mux=profile.streammux.new_mux,
        config_key=RELEASES[profile.target.deepstream].mux_config_key,
        max_fps=max(fps),
        min_fps=min(fps),
    )


def _pgie(profile: SiteProfile, batch_size: int) -> PgiePlan:
    det = profile.detector
    gpu = profile.target.gpu_id
    labels = tuple(det.labels)
    overrides = det.thresholds.per_class
    return PgiePlan(
        gie_id=PGIE_ID,
        batch_size=batch_size,  # == streammux batch-size, or nvinfer under-fills every batch
        onnx_file=det.onnx,
        # The exact name nvinfer gives the engine it builds, so the second start loads it.
        engine_file=det.engine or engine_name(det.onnx, batch_size, gpu, det.precision),
        precision=det.precision,
        network_mode=NETWORK_MODE[det.precision],
        int8_calib_file=det.int8_calib_file,
        input_size=det.input_size,
        num_classes=len(labels),
        labels=labels,
        cluster_mode=int(ClusterMode.NONE if det.head == "end2end" else ClusterMode.NMS),
        threshold=det.thresholds.confidence,
        nms_iou=det.thresholds.nms_iou,
        topk=det.thresholds.topk,
        class_attrs=tuple(
            ClassAttrs(labels.index(label), label, thr)
            for label, thr in sorted(overrides.items(), key=lambda kv: labels.index(kv[0]))
        ),
        interval=det.interval,
        workspace_mb=det.workspace_mb,
        colors=tuple(_PALETTE[i % len(_PALETTE)] for i in range(len(labels))),
    )


def _ocr(profile: SiteProfile, pgie: PgiePlan) -> OcrPlan:
    ocr = profile.ocr
    preset = OCR_PRESETS[ocr.preset]
    dims = (preset.channels, ocr.input_height or preset.height, ocr.input_width or preset.width)
    throttle = ocr.throttle
    floor = min_object_size(profile.target.deepstream, profile.target.platform)
    return OcrPlan(
        gie_id=OCR_GIE_ID,
        # Plates must come from the tracked PGIE: nvinfer caches a secondary result per track id
        # and re-runs only every secondary-reinfer-interval frames, so each plate is read once.
        operate_on_gie_id=pgie.gie_id,
        operate_on_class_ids=tuple(profile.detector.plate_class_ids),
        batch_size=ocr.batch_size,
        onnx_file=ocr.model,
        engine_file=engine_name(ocr.model, ocr.batch_size, profile.target.gpu_id, ocr.precision),
        dictionary=ocr.dictionary,
        precision=ocr.precision,
        network_mode=NETWORK_MODE[ocr.precision],
        infer_dims=dims,
        net_scale_factor=preset.net_scale_factor,
        offsets=preset.offsets,
        model_color_format=preset.model_color_format,
        maintain_aspect_ratio=preset.maintain_aspect_ratio,
        symmetric_padding=preset.symmetric_padding,
        blank_index=preset.blank_index if preset.blank_index != BLANK_LAST else -1,
        threshold=ocr.threshold,
        confidence=ocr.confidence,
        charset=ocr.charset.upper(),
        min_length=ocr.min_length,
        substitutions=tuple(
            sorted(f"{a.upper()}:{b.upper()}" for a, b in ocr.substitutions.items())
        ),
        formats=tuple(ocr.formats),
        formats_strict=ocr.formats_strict,
        # nvinfer never reads an object under its floor, whatever the config says: render what
        # it will really do.
        min_width=max(throttle.min_plate_width, floor),
        min_height=max(throttle.min_plate_height, floor),
        reinfer_interval=INT_MAX if throttle.reinfer == "once" else throttle.reinfer,
        async_mode=throttle.async_mode,
        workspace_mb=min(profile.detector.workspace_mb, 1024),
    )


def _round32(value: float) -> int:
    return max(32, round(value / 32) * 32)


def _tracker(profile: SiteProfile, mux: MuxPlan) -> TrackerPlan:
    t = profile.tracker
    # NvDCF needs multiples of 32; keep the mux's aspect ratio at ~640 px wide by default.
    width = t.width or 640
    height = t.height or _round32(width * mux.height / mux.width)
    return TrackerPlan(
        kind=t.kind,
        width=width,
        height=height,
        max_targets_per_stream=t.max_targets_per_stream,
        probation_age=t.probation_age,
        max_shadow_tracking_age=t.max_shadow_tracking_age,
        display_tracking_id=t.display_tracking_id,
    )
