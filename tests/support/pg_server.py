"""A throwaway PostgreSQL server for the tests and benches: Debian's ``postgresql`` package, started by hand.

PostgreSQL refuses to run as root (CI runs as root), so as root the server's files belong to the unprivileged
user ``nobody`` and its programs run through ``runuser``; as any other user they run directly. The server
listens on 127.0.0.1 on a free port with ``trust`` authentication, durability switched off (a test server), and
lives in a fresh temporary folder that is removed when it stops.

Each test gets its own database, copied from a template that holds the migrated schema (``CREATE DATABASE ...
TEMPLATE``: a file copy, a few milliseconds), so the suite does not migrate ~1,000 times.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

SERVER_USER = "nobody"  # as root: who owns and runs the server
SUPERUSER = "fbm"  # the database role the tests connect as


def _bin_dir() -> Path:
    """The newest installed PostgreSQL's programs (Debian keeps them in /usr/lib/postgresql/<major>/bin)."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda p: int(Path(p).parent.parent.name)
    )
    if not candidates:
        raise RuntimeError(
            "PostgreSQL is not installed (Debian: apt-get install postgresql); "
            "scripts/test.sh installs it when the suite runs on PostgreSQL."
        )
    return Path(candidates[-1]).parent


def pg_tool(name: str) -> Path:
    """A program of the installed PostgreSQL (``pg_dump``, ``psql``...)."""
    return _bin_dir() / name


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_server_user(argv: list[str]) -> list[str]:
    return ["runuser", "-u", SERVER_USER, "--", *argv] if os.geteuid() == 0 else argv


@dataclass
class PgServer:
    """A running server; ``url(name)`` is the address of one of its databases."""

    root: Path
    port: int
    process: subprocess.Popen[bytes]
    _names: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{dbname}"

    def admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(self.url(), autocommit=True)

    def create_database(self, template: str | None = None, prefix: str = "t") -> str:
        """Create a new empty database (or a copy of ``template``) and return its URL."""
        name = f"{prefix}{os.getpid()}_{next(self._names)}"
        with self.admin() as conn:
            if template:
                conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY')
            else:
                conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        if self.process.poll() is None:
            # the whole process group: as root the direct child is runuser, which does not pass signals on
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGINT)  # "fast" shutdown
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


def start_server(timeout_s: float = 60.0) -> PgServer:
    """initdb a fresh cluster in a temporary folder and start it; returns once it accepts connections."""
    bin_dir = _bin_dir()
    root = Path(tempfile.mkdtemp(prefix="fbm-desk-pg-"))
    data, sockets = root / "data", root / "run"
    sockets.mkdir()
    os.chmod(root, 0o755)  # noqa: S103 - the server user must reach its folder inside
    if os.geteuid() == 0:
        shutil.chown(sockets, user=SERVER_USER)
        shutil.chown(root, user=SERVER_USER)
    init = subprocess.run(
        _as_server_user(
            [str(bin_dir / "initdb"), "-D", str(data), "-U", SUPERUSER, "--auth=trust", "--no-sync",
             "--encoding=UTF8", "--locale=C.UTF-8"]
        ),
        cwd=root, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if init.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"initdb failed: {init.stderr.strip() or init.stdout.strip()}")
    port = _free_port()
    settings = {
        "listen_addresses": "127.0.0.1",
        "port": str(port),
        "unix_socket_directories": str(sockets),
        "fsync": "off",
        "synchronous_commit": "off",
        "full_page_writes": "off",
        "max_connections": "300",
        "shared_buffers": "128MB",
    }
    argv = [str(bin_dir / "postgres"), "-D", str(data)]
    for key, value in settings.items():
        argv += ["-c", f"{key}={value}"]
    with (root / "server.log").open("wb") as log:  # the server keeps its own copy of the descriptor
        process = subprocess.Popen(
            _as_server_user(argv), cwd=root, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = PgServer(root=root, port=port, process=process)
    deadline = time.monotonic() + timeout_s
    while True:
        if process.poll() is not None:
            text = (root / "server.log").read_text(errors="replace")
            server.stop()
            raise RuntimeError(f"PostgreSQL did not start:\n{text}")
        with contextlib.suppress(psycopg.OperationalError):
            psycopg.connect(server.url(), connect_timeout=2).close()
            return server
        if time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"PostgreSQL did not accept connections within {timeout_s:.0f} s")
        time.sleep(0.1)
