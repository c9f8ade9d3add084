"""Bounds the server keeps before it trusts anyone: body sizes counted byte by byte, request rates.

A `Content-Length` check alone is no bound: a chunked body declares none, and the application
would read it in full before authentication refuses it. `BodyLimit` wraps the ASGI `receive` and
stops at the limit, answering `413` at once — chunked or not, with or without credentials — and
refuses a route that needs a device credential when none is presented, before reading a byte.
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

MAX_BODY = 4 * 1024 * 1024
SMALL_BODIES = {"/api/v1/enroll": 4096, "/api/v1/enroll/check": 4096}
OPEN_ROUTES = ("/api/v1/enroll", "/docs", "/openapi.json")


async def _answer(
    send, status: int, code: str, message: str, headers=(), extra: dict | None = None
) -> None:
    body = json.dumps({"error": code, "message": message} | (extra or {})).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _version(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in text.split(".")[:3])
    except ValueError:
        return (0,)


class Gate:
    """Pure ASGI middleware, before anything else reads the request: the protocol and client
    versions (`426`), the enrollment rate (`429`), a missing credential (`401`) and the body size
    (`413`) — and nothing beyond the limit of a body is ever read."""

    def __init__(
        self,
        app,
        max_body: int = MAX_BODY,
        enroll_rate: RateLimit | None = None,
        protocol: str = "1",
        min_client: tuple[int, ...] = (0,),
        min_client_text: str = "0.1.0",
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.enroll_rate = enroll_rate
        self.protocol = protocol
        self.min_client = min_client
        self.min_client_text = min_client_text

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        limit = SMALL_BODIES.get(path, self.max_body)
        headers = dict(scope.get("headers") or ())
        if self.enroll_rate is not None and path.startswith("/api/v1/enroll"):
            client = scope.get("client") or ("?", 0)
            wait = self.enroll_rate.wait(client[0])
            if wait:
                retry = str(max(1, round(wait))).encode()
                return await _answer(
                    send,
                    429,
                    "slow_down",
                    "too many enrollment attempts",
                    ((b"retry-after", retry),),
                )
        proto = headers.get(b"x-xindang-protocol")
        if proto is not None and proto.decode("latin-1") != self.protocol:
            return await _answer(
                send,
                426,
                "protocol",
                "unsupported protocol version",
                extra={"protocol_version": int(self.protocol)},
            )
        client_version = headers.get(b"x-xindang-client")
        if (
            client_version is not None
            and _version(client_version.decode("latin-1")) < self.min_client
        ):
            return await _answer(
                send,
                426,
                "client_too_old",
                "please update XinDang",
                extra={"min_client_version": self.min_client_text},
            )
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            return await _answer(
                send, 413, "too_large", f"request bodies are limited to {limit} bytes"
            )
        needs_device = path.startswith("/api/") and not path.startswith(OPEN_ROUTES)
        if needs_device and not headers.get(b"authorization", b"").startswith(b"Bearer "):
            return await _answer(send, 401, "unauthorized", "a device credential is required")
        seen = 0
        started = answered = False

        async def limited_receive():
            nonlocal seen, answered
            if answered:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    # Answer now and tell the application the client is gone: it stops reading,
                    # and whatever it tries to answer afterwards is dropped.
                    if not started:
                        await _answer(
                            send, 413, "too_large", f"request bodies are limited to {limit} bytes"
                        )
                    answered = True
                    return {"type": "http.disconnect"}
            return message

        async def tracked_send(message):
            nonlocal started
            if answered:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, limited_receive, tracked_send)


@dataclass
class _Bucket:
    tokens: float
    stamp: float


class RateLimit:
    """A token bucket per key (a device, or an address for enrollment), in this process.

    With several workers each keeps its own buckets, so the effective limit is per worker; a
    district behind one NAT address shares the enrollment bucket, which is why it is generous."""

    def __init__(self, per_minute: float, burst: int, *, keys: int = 100_000) -> None:
        self.rate = per_minute / 60.0
        self.burst = burst
        self.keys = keys
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def wait(self, key: str) -> float:
        """0 when the request may go ahead, else the seconds until it may (Retry-After)."""
        now = time.monotonic()
        with self._lock:
            b = self._buckets.pop(key, None) or _Bucket(float(self.burst), now)
            b.tokens = min(self.burst, b.tokens + (now - b.stamp) * self.rate)
            b.stamp = now
            self._buckets[key] = b
            while len(self._buckets) > self.keys:
                self._buckets.popitem(last=False)
            if b.tokens >= 1:
                b.tokens -= 1
                return 0.0
            return (1 - b.tokens) / self.rate


@dataclass(frozen=True)
class Limits:
    enroll_per_minute: float = 20
    enroll_burst: int = 10
    device_per_minute: float = 600
    device_burst: int = 120
    max_body: int = MAX_BODY
