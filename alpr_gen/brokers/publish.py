"""The publisher every broker module implements: connect once, send, flush, close, count.

`send` never raises once connected: a message that cannot be sent is counted as failed (with
the last reason, masked) and the pipeline goes on, as nvmsgbroker does. Connecting or logging
in at start raises BrokerError with what to fix.
"""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from types import TracebackType

from alpr_gen.brokers.base import BrokerSettings, LoginResult, why
from alpr_gen.errors import BrokerError


@dataclass(frozen=True)
class PublishStats:
    sent: int  # acknowledged (Kafka delivery report, MQTT written, AMQP/Redis command done)
    failed: int
    pending: int = 0  # handed to the client, outcome not known yet
    last_error: str | None = None


def start_error(result: LoginResult) -> BrokerError:
    """The error a publisher raises when the login it starts with did not succeed."""
    return BrokerError(result.message, hint=result.hint or None)


class Publisher(ABC):
    """One connection to one broker sink, publishing where the DeepStream adaptor would."""

    def __init__(self, settings: BrokerSettings) -> None:
        self.settings = settings
        self._cond = threading.Condition()
        self._sent = 0
        self._failed = 0
        self._pending = 0
        self._last_error: str | None = None
        self._closed = False

    # --- what a broker module implements -------------------------------------------------

    @abstractmethod
    def _send(self, data: bytes, key: str | None) -> bool | None:
        """True/False: done now; None: pending, the client's callback calls `_settle`."""

    def _flush(self, timeout: float) -> None:  # noqa: B027 - synchronous brokers: nothing queued
        """Push out what the client still holds (Kafka, MQTT)."""

    @abstractmethod
    def _close(self) -> None:
        """Disconnect; must not raise."""

    # --- the API -------------------------------------------------------------------------

    def send(self, payload: bytes | str, key: str | None = None) -> bool:
        """Publish one payload; `key` is Kafka's message key (None: from partition-key).

        Returns False when the message failed at once (counted); True when sent or pending.
        """
        data = payload.encode() if isinstance(payload, str) else bytes(payload)
        with self._cond:
            if self._closed:
                self._failed += 1
                self._last_error = "publisher closed"
                return False
            self._pending += 1
        try:
            done = self._send(data, key)
        except Exception as exc:  # one failed message must never stop the pipeline
            self._settle(False, why(exc))
            return False
        if done is not None:
            self._settle(done, None if done else self._last_error)
        return done is not False

    def flush(self, timeout: float = 10.0) -> PublishStats:
        """Wait up to `timeout` s for pending messages; the counts after that."""
        deadline = time.monotonic() + timeout
        try:
            self._flush(timeout)
        except Exception as exc:  # flushing is best effort; what is left stays pending
            self._note(why(exc))
        with self._cond:
            while self._pending and (left := deadline - time.monotonic()) > 0:
                self._cond.wait(left)
        return self.stats

    def close(self, timeout: float = 10.0) -> PublishStats:
        """Flush, disconnect; messages still pending count as failed. Idempotent."""
        if not self._closed:
            self.flush(timeout)
            with self._cond:
                self._closed = True
                if self._pending:
                    self._failed += self._pending
                    self._last_error = f"{self._pending} message(s) unconfirmed at close"
                    self._pending = 0
            self._close()
        return self.stats

    @property
    def stats(self) -> PublishStats:
        with self._cond:
            return PublishStats(self._sent, self._failed, self._pending, self._last_error)

    def __enter__(self) -> Publisher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- for subclasses ------------------------------------------------------------------

    def _settle(self, ok: bool, error: str | None = None) -> None:
        """One pending message is done (called from client threads too)."""
        with self._cond:
            self._pending = max(0, self._pending - 1)
            if ok:
                self._sent += 1
            else:
                self._failed += 1
                if error:
                    self._last_error = self.settings.mask(error)
            self._cond.notify_all()

    def _note(self, error: str) -> None:
        with self._cond:
            self._last_error = self.settings.mask(error)


def require_topic(settings: BrokerSettings) -> None:
    """MQTT, Kafka and Redis adaptors refuse every send without a topic: say so at start."""
    if not settings.topic:
        raise BrokerError(
            f"{settings.kind}: the sink has no topic= (the adaptor refuses every message "
            "without one)",
            hint="set messaging.topic in the site profile and re-render, or topic= in the "
            "sink group",
        )
