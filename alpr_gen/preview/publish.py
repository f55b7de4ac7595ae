"""Where nvmsgconv's payloads go: the sink's broker (nvmsgbroker), or a JSONL file (--events).

Brokers are reached through alpr_gen.brokers exactly as the sink's DeepStream adaptor would
(proto-lib, conn-str, topic, the msg-broker-config file, credentials from the environment);
connecting and logging in happen before the pipeline starts, so a broker that refuses the login
stops the run with a clear error. Once running, a message that cannot be sent is counted as
failed and the pipeline goes on, as nvmsgbroker does.

The JSONL file gets one JSON object per line: `{"kind": "message", "sink", "payload"}` for every
payload (instead of the broker), and `{"kind": "plate" | "line-crossing" | "summary", ...}`
records of what the pipeline saw.
"""

from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass, field, is_dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from alpr_gen.errors import PreviewError
from alpr_gen.preview.msgconv import json_glib

if TYPE_CHECKING:
    from alpr_gen.brokers import Publisher
    from alpr_gen.configset import ConfigSet
    from alpr_gen.configset.views import SinkView


class JsonlWriter:
    """Append-only JSON Lines, flushed per line (a consumer can tail it)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fh: IO[str] = open(path, "w", encoding="utf-8")  # noqa: SIM115 - closed in close()
        self._lock = threading.Lock()
        self.lines = 0

    def write(self, kind: str, record: dict[str, Any]) -> None:
        line = json.dumps({"kind": kind, **record}, ensure_ascii=False, separators=(",", ":"))
        with self._lock:
            self._fh.write(line + "\n")
            self._fh.flush()
            self.lines += 1

    def write_event(self, kind: str, event: object) -> None:
        record = asdict(event) if is_dataclass(event) and not isinstance(event, type) else {}
        self.write(kind, record)

    def close(self) -> None:
        with self._lock:
            self._fh.close()


@dataclass
class Outlets:
    """The message sinks' destinations for one run."""

    jsonl: JsonlWriter | None = None
    publishers: dict[str, Publisher] = field(default_factory=dict)  # sink group -> publisher

    def send(self, sink: str, payload: dict[str, Any]) -> bool:
        if self.jsonl is not None:
            self.jsonl.write("message", {"sink": sink, "payload": payload})
            return True
        publisher = self.publishers.get(sink)
        return publisher.send(json_glib(payload)) if publisher is not None else False

    def close_publishers(self, timeout: float = 10.0) -> tuple[int, int, list[str]]:
        """(sent, failed, why) over all publishers, after flushing them."""
        sent = failed = 0
        why: list[str] = []
        for sink, publisher in self.publishers.items():
            stats = publisher.close(timeout)
            sent, failed = sent + stats.sent, failed + stats.failed
            if stats.failed and stats.last_error:
                why.append(f"[{sink}] {stats.failed} message(s) failed: {stats.last_error}")
        return sent, failed, why


def open_publisher(cs: ConfigSet, sink: SinkView, timeout: float) -> Publisher:
    """A connected, logged-in publisher for a message sink; PreviewError when it cannot be."""
    from alpr_gen.brokers import BrokerSettings
    from alpr_gen.brokers import open_publisher as connect
    from alpr_gen.errors import AlprGenError

    cfg = sink.broker_config
    base = cfg.logical.parent if cfg is not None else cs.app_config.parent
    try:
        settings = BrokerSettings.from_config(
            proto_lib=sink.proto_lib,
            conn_str=sink.conn_str,
            topic=sink.topic,
            cfg=sink.broker_settings(),
            base_dir=base,
            cfg_name=cfg.rel if cfg is not None else "msg-broker-config",
            site=cs.site,
        )
        return connect(settings, timeout)
    except AlprGenError as exc:
        raise PreviewError(f"[{sink.group}] {exc.message}", hint=exc.hint) from None
