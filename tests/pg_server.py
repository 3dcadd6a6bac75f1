"""A throwaway PostgreSQL server for the ledger tests (``.ci/run`` starts one the same way).

``TIER_ROUTER_TEST_PG_URL`` names a server to use (``.ci/run`` exports it). Without it,
:func:`start` runs ``initdb`` and ``pg_ctl`` from the Debian ``postgresql`` package in a
temporary folder, on 127.0.0.1 (as the ``postgres`` user when run as root, since initdb
refuses root), and :func:`stop` removes it. Each test gets a fresh database of its own.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

ENV = "TIER_ROUTER_TEST_PG_URL"


@dataclass
class Server:
    url: str
    datadir: str | None = None
    bindir: str | None = None
    owner: str | None = None

    def _ctl(self, *args: str) -> None:
        assert self.datadir and self.bindir
        cmd = [os.path.join(self.bindir, "pg_ctl"), "-D", self.datadir, *args]
        if self.owner:
            cmd = ["runuser", "-u", self.owner, "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, timeout=60)

    @property
    def controllable(self) -> bool:
        return self.datadir is not None

    def stop(self) -> None:
        """Stop the server (fast: open connections are cut)."""
        self._ctl("-m", "fast", "-w", "stop")

    def start(self) -> None:
        self._ctl("-w", "-l", os.path.join(self.datadir or "", "log"), "start")


def bindir() -> str | None:
    found = shutil.which("pg_config")
    if found:
        out = subprocess.run([found, "--bindir"], capture_output=True, text=True)
        cand = out.stdout.strip()
        if os.path.exists(os.path.join(cand, "initdb")):
            return cand
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    return dirs[-1] if dirs else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(*, own: bool = False) -> Server:
    """A server to test against: the one ``$TIER_ROUTER_TEST_PG_URL`` names, else (or with
    ``own``: always) a new one that the caller may stop and start.

    Raises ``RuntimeError`` saying why none could be started.
    """
    url = os.environ.get(ENV)
    if url and not own:
        return Server(url)
    bdir = bindir()
    if bdir is None:
        raise RuntimeError(
            "no PostgreSQL server binaries (initdb, pg_ctl): install Debian's postgresql "
            f"package or set {ENV}"
        )
    owner = "postgres" if os.geteuid() == 0 else None
    datadir = tempfile.mkdtemp(prefix="tier-router-pg-")
    if owner:
        shutil.chown(datadir, owner)
    port = _free_port()
    server = Server(f"postgresql://{owner or os.environ.get('USER', 'postgres')}@127.0.0.1:{port}/postgres",
                    datadir, bdir, owner)
    init = [os.path.join(bdir, "initdb"), "-D", datadir, "-A", "trust", "-U",
            owner or os.environ.get("USER", "postgres")]
    if owner:
        init = ["runuser", "-u", owner, "--", *init]
    subprocess.run(init, check=True, capture_output=True, timeout=120)
    opts = f"-k {datadir} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off"
    conf = Path(datadir, "postgresql.conf")
    with conf.open("a") as f:
        f.write(f"\nport = {port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{datadir}'\nfsync = off\nmax_connections = 300\n")
    del opts
    server.start()
    return server


def remove(server: Server) -> None:
    if server.datadir:
        try:
            server.stop()
        except Exception:
            pass
        shutil.rmtree(server.datadir, ignore_errors=True)


def fresh_database(admin_url: str) -> str:
    """A new empty database on the server; its URL."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = admin_url.rpartition("/")
    query = ""
    if "?" in admin_url:
        query = "?" + admin_url.split("?", 1)[1]
    return f"{base}/{name}{query}"
