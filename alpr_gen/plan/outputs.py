"""The parts of a plan that face outward: analytics lines and zones, the broker, the sinks."""

from __future__ import annotations

from alpr_gen.deepstream.facts import (
    BROKERS,
    SinkType,
)
from alpr_gen.plan.model import (
    AnalyticsPlan,
    AnalyticsStream,
    BrokerPlan,
    LinePlan,
    MuxPlan,
    SinkPlan,
    ZonePlan,
)
from alpr_gen.profile.model import SiteProfile


def _class_id(profile: SiteProfile, objects: str) -> int:
    # nvdsanalytics takes one class id per group (-1 = all classes).
    ids = {
        "vehicles": profile.detector.vehicle_class_ids,
        "plates": profile.detector.plate_class_ids,
    }.get(objects, [])
    return ids[0] if len(ids) == 1 else -1


def analytics_plan(profile: SiteProfile, mux: MuxPlan) -> AnalyticsPlan | None:
    if not any(cam.lines or cam.zones for cam in profile.cameras):
        return None
    streams = []
    for index, cam in enumerate(profile.cameras):
        # nvdsanalytics works in config-width x config-height = the mux's output; cameras draw in
        # their own resolution, so scale every point into the mux's space.
        sx, sy = mux.width / cam.resolution[0], mux.height / cam.resolution[1]

        def scale(p: tuple[int, int], sx: float = sx, sy: float = sy) -> tuple[int, int]:
            return (min(round(p[0] * sx), mux.width - 1), min(round(p[1] * sy), mux.height - 1))

        lines = tuple(
            LinePlan(
                label=line.name,
                direction=(*scale(line.direction[0]), *scale(line.direction[1])),
                line=(*scale(line.points[0]), *scale(line.points[1])),
                class_id=_class_id(profile, line.objects),
                mode=line.mode,
                extended=line.extended,
            )
            for line in cam.lines
        )
        zones = [
            ZonePlan(
                label=z.name,
                points=tuple(c for p in z.points for c in scale(p)),
                class_id=_class_id(profile, z.objects),
                inverse=z.inverse,
                object_threshold=z.object_threshold,
                time_threshold_ms=z.time_threshold_ms,
            )
            for z in cam.zones
        ]
        rois = tuple(z for z, src in zip(zones, cam.zones, strict=True) if src.kind == "roi")
        crowd = tuple(
            z for z, src in zip(zones, cam.zones, strict=True) if src.kind == "overcrowding"
        )
        if lines or rois or crowd:
            streams.append(AnalyticsStream(index, lines, rois, crowd))
    return AnalyticsPlan(mux.width, mux.height, tuple(streams))


def broker_plan(profile: SiteProfile) -> BrokerPlan | None:
    m = profile.messaging
    if m.broker == "none":
        return None
    settings: list[tuple[str, str]] = []
    conn = f"{m.host};{m.port}"
    secret = False
    if m.broker == "kafka":
        # Authentication first, under librdkafka's names, then the other options.
        options: dict[str, str] = {}
        if m.security_protocol is not None or m.username is not None or m.tls is not None:
            options["security.protocol"] = m.effective_protocol
        if m.sasl_mechanism is not None:
            options["sasl.mechanism"] = m.sasl_mechanism
        if m.username is not None:
            options["sasl.username"] = m.username
        if m.password is not None and m.password.get_secret_value():
            options["sasl.password"] = m.password.get_secret_value()
            secret = True
        if m.tls is not None:
            options["ssl.ca.location"] = m.tls.ca_file
        options.update({k: _scalar(v) for k, v in sorted(m.options.items())})
        if options:
            settings.append(
                ("proto-cfg", '"' + ";".join(f"{k}={v}" for k, v in options.items()) + '"')
            )
        key = m.partition_key or ("sensor.id" if m.payload == "full" else "sensorId")
        settings += [("partition-key", key), ("share-connection", "1")]
    elif m.broker == "mqtt":
        if m.username:
            settings.append(("username", m.username))
        if m.password is not None and m.password.get_secret_value():
            settings.append(("password", m.password.get_secret_value()))
            secret = True
        if m.client_id:
            settings.append(("client-id", m.client_id))
        settings.append(("keep-alive", str(m.keep_alive)))
        if m.tls:
            settings += [("enable-tls", "1"), ("tls-cafile", m.tls.ca_file)]
            if m.tls.cert_file:
                settings.append(("tls-certfile", m.tls.cert_file))
            if m.tls.key_file:
                settings.append(("tls-keyfile", m.tls.key_file))
        settings.append(("share-connection", "1"))
    elif m.broker == "amqp":
        conn = f"{m.host};{m.port};{m.username}"
        settings += [("hostname", m.host), ("port", str(m.port)), ("username", m.username)]
        if m.password is not None and m.password.get_secret_value():
            settings.append(("password", m.password.get_secret_value()))
            secret = True
        settings += [("exchange", m.exchange), ("topic", m.topic), ("share-connection", "1")]
    elif m.broker == "redis":
        settings += [("hostname", m.host), ("port", str(m.port))]
        if m.password is not None and m.password.get_secret_value():
            settings.append(("password", m.password.get_secret_value()))
            secret = True
        settings += [("streamsize", str(m.stream_size)), ("payloadkey", m.payload_key)]
    return BrokerPlan(
        kind=m.broker,
        proto_lib=BROKERS[m.broker].adaptor_path,
        conn_str=conn,
        topic=m.topic,
        payload_type=0 if m.payload == "full" else 1,
        frame_interval=m.frame_interval,
        settings=tuple(settings),
        has_secret=secret,
    )


def _scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def sink_plans(profile: SiteProfile) -> tuple[SinkPlan, ...]:
    sinks: list[SinkPlan] = []
    if profile.messaging.broker != "none":
        sinks.append(SinkPlan(index=0, kind="msgbroker", type=int(SinkType.MSG_BROKER), sync=False))
    for out in profile.outputs:
        index = len(sinks)
        if out.type == "fakesink":
            sinks.append(SinkPlan(index, "fakesink", int(SinkType.FAKE), sync=False))
        elif out.type == "display":
            # Type 2 is EGL on both platforms; sync=1 would cap the pipeline at the display rate.
            sinks.append(SinkPlan(index, "display", int(SinkType.DISPLAY), sync=out.sync))
        elif out.type == "file":
            sinks.append(
                SinkPlan(
                    index,
                    "file",
                    int(SinkType.FILE),
                    sync=False,
                    codec=1 if out.codec == "h264" else 2,
                    bitrate=out.bitrate,
                    enc_type=0 if out.encoder == "hw" else 1,
                    container=2 if out.path.endswith(".mkv") else 1,
                    output_file=out.path,
                )
            )
        elif out.type == "rtsp":
            sinks.append(
                SinkPlan(
                    index,
                    "rtsp",
                    int(SinkType.RTSP),
                    sync=False,
                    codec=1 if out.codec == "h264" else 2,
                    bitrate=out.bitrate,
                    enc_type=0 if out.encoder == "hw" else 1,
                    rtsp_port=out.port,
                    udp_port=out.udp_port,
                )
            )
    return tuple(sinks)
