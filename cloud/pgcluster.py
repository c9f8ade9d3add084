"""A private, throwaway PostgreSQL cluster for tests, the bench and `make cloud-dev`.

It runs from the Debian server binaries on 127.0.0.1 and a free port, in its own folder, so it
needs no system service; as root the server runs as the `postgres` user (it refuses root).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path


class PostgresUnavailable(Exception):
    pass


def _bindir() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    found = shutil.which("initdb")
    if found:
        candidates.append(str(Path(found).resolve()))
    if not candidates:
        raise PostgresUnavailable(
            "PostgreSQL server binaries not found (scripts/install-system-deps.sh)"
        )
    return Path(candidates[-1]).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    def __init__(self, folder: Path, port: int | None = None) -> None:
        self.folder = Path(folder)
        self.data = self.folder / "data"
        self.port = port or free_port()
        self.bindir = _bindir()
        self._as_root = os.geteuid() == 0

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self._as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, check=check, capture_output=True, text=True, cwd=self.folder)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://xindang@127.0.0.1:{self.port}/xindang_cloud"

    def start(self) -> Cluster:
        self.folder.mkdir(parents=True, exist_ok=True)
        if self._as_root:
            shutil.chown(self.folder, "postgres", "postgres")
        if not (self.data / "PG_VERSION").exists():
            self._run(
                "initdb",
                "-D",
                str(self.data),
                "-U",
                "xindang",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            )
        log = self.folder / "server.log"
        if self._run("pg_ctl", "-D", str(self.data), "status", check=False).returncode == 0:
            self.stop()  # left running by an interrupted `make cloud-dev`: restart on our port
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(log),
            "-w",
            "-t",
            "60",
            "-o",
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} "
            "-c fsync=on -c max_connections=60",
            "start",
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            done = self.client_tool(
                "psql",
                "-d",
                "postgres",
                "-tAc",
                "SELECT 1 FROM pg_database WHERE datname='xindang_cloud'",
                check=False,
            )
            if done.returncode == 0:
                if done.stdout.strip() != "1":
                    self.client_tool("createdb", "xindang_cloud")
                return self
            time.sleep(0.2)
        raise PostgresUnavailable(f"PostgreSQL did not start; see {log}")

    def client_tool(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """A client tool against this cluster over TCP as the owner role."""
        where = ("-h", "127.0.0.1", "-p", str(self.port), "-U", "xindang")
        return self._run(tool, *where, *args, check=check)

    def reset(self) -> None:
        """Empty the database between tests without restarting the server."""
        self.client_tool("dropdb", "--if-exists", "--force", "xindang_cloud")
        self.client_tool("createdb", "xindang_cloud")

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)
