"""A fault-injecting HTTP proxy between the client and the real server on 127.0.0.1.

Per request it may: reset the connection before forwarding, forward and then reset (the server
committed, the client never hears), cut the response body mid-way, answer 500 or 429 with
Retry-After itself, and add latency. Every request body is kept for the canary test.
"""

from __future__ import annotations

import http.client
import random
import socket
import struct
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass
class Faults:
    reset_before: float = 0.0
    reset_after: float = 0.0
    cut_body: float = 0.0
    error_500: float = 0.0
    error_429: float = 0.0
    max_latency: float = 0.0


def _rst(sock: socket.socket) -> None:
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    to_reset: set = set()

    def shutdown_request(self, request):
        if request in self.to_reset:
            self.to_reset.discard(request)
            _rst(request)
        else:
            super().shutdown_request(request)


class FaultProxy:
    def __init__(self, upstream: str, faults: Faults | None = None, seed: int = 7) -> None:
        self.upstream = urlsplit(upstream)
        self.faults = faults or Faults()
        self.enabled = True
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.bodies: list[bytes] = []
        self.counts: dict[str, int] = {}
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args):
                pass

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with proxy.lock:
                    proxy.bodies.append(body)
                    roll = proxy.rng.random()
                    latency = proxy.rng.uniform(0, proxy.faults.max_latency)
                    cut_roll = proxy.rng.random()
                f = proxy.faults if proxy.enabled else Faults()
                time.sleep(latency if proxy.enabled else 0)
                edges = [
                    ("reset_before", f.reset_before),
                    ("reset_after", f.reset_after),
                    ("cut_body", f.cut_body),
                    ("error_500", f.error_500),
                    ("error_429", f.error_429),
                ]
                fault, acc = None, 0.0
                for name, p in edges:
                    acc += p
                    if roll < acc:
                        fault = name
                        break
                proxy.count(fault or "clean")
                self.close_connection = True
                if fault == "reset_before":
                    self.server.to_reset.add(self.connection)
                    return
                if fault in ("error_500", "error_429"):
                    status = 500 if fault == "error_500" else 429
                    payload = b'{"error":"injected","message":"fault proxy"}'
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    if status == 429:
                        self.send_header("Retry-After", "0")
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                conn = http.client.HTTPConnection(
                    proxy.upstream.hostname, proxy.upstream.port, timeout=30
                )
                headers = {
                    k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")
                }
                conn.request(self.command, self.path, body=body or None, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                conn.close()
                if fault == "reset_after":
                    self.server.to_reset.add(self.connection)
                    return
                self.send_response(resp.status)
                for k, v in resp.getheaders():
                    if k.lower() not in (
                        "content-length",
                        "connection",
                        "transfer-encoding",
                        "date",
                        "server",
                    ):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Connection", "close")
                self.end_headers()
                if fault == "cut_body":
                    self.wfile.write(data[: int(len(data) * cut_roll * 0.9)])
                    self.wfile.flush()
                    self.server.to_reset.add(self.connection)
                    return
                self.wfile.write(data)

            do_GET = do_POST = _handle  # noqa: N815 - http.server names

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.server.to_reset = set()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def count(self, name: str) -> None:
        with self.lock:
            self.counts[name] = self.counts.get(name, 0) + 1

    def start(self) -> FaultProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
