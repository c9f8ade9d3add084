"""Run the server: in a background thread (tests, bench) or in the foreground (`make cloud-dev`)."""

from __future__ import annotations

import threading
import time

import uvicorn

from cloud.api import create_app
from cloud.database import Store


class ServerThread:
    """A real uvicorn server on 127.0.0.1 in this process; `url` is ready when `start` returns."""

    def __init__(
        self,
        store: Store,
        port: int,
        *,
        certfile: str | None = None,
        keyfile: str | None = None,
        min_client_version: str = "0.1.0",
        limits=None,
        read_store: Store | None = None,
    ) -> None:
        app = create_app(
            store, min_client_version=min_client_version, limits=limits, read_store=read_store
        )
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            ssl_certfile=certfile,
            ssl_keyfile=keyfile,
            access_log=False,
            timeout_keep_alive=30,
        )
        self.server = uvicorn.Server(config)
        self.url = f"{'https' if certfile else 'http'}://127.0.0.1:{port}"
        self._thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> ServerThread:
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the sync server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self._thread.join(10)
