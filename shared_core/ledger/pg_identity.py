"""Which PostgreSQL database a ledger URL names, whatever its spelling.

:attr:`~shared_core.ledger.CostLedger.identity` lets ``RunnableRouter`` leave a routed call's
records to a caller's cost handler that writes to its ledger's store through another ledger
object: equal identities must mean one store, or the router's ledger misses records (its
limits do not see them), and one store should have one identity, or every record is written
twice. A URL (``postgresql://`` / ``postgres://``) and a ``key=value`` conninfo are parsed by
libpq (``psycopg.conninfo.conninfo_to_dict``) into the parameters that pick the server and
the tables, and those are normalised as libpq applies them, with no lookup of any kind (no
DNS, no service file, no connection):

* ``host`` (or ``hostaddr``, what libpq connects to when both are given): lower case, a
  trailing dot dropped; ``localhost``, ``127.0.0.1`` and ``::1`` are one loopback server. A
  Unix socket directory is kept as a path (not taken for TCP loopback: a socket may belong
  to another server than the one on the port). Left out: ``$PGHOST``, else libpq's default
  socket (kept apart from every host name).
* ``port``: left out, ``$PGPORT``, else 5432.
* ``user``: left out, ``$PGUSER``, else the operating-system user; ``dbname``: left out,
  ``$PGDATABASE``, else the user's name.
* ``options`` (it may set ``search_path``, so other tables) and ``service`` are kept as written.

Everything else (password, ``application_name``, ``connect_timeout``, ``sslmode`` and the
other TLS settings, keepalives, ``target_session_attrs``) changes how the store is reached,
not which store it is, and is left out.
"""

from __future__ import annotations

import getpass
import os
from typing import Any

_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})
_KEPT = ("options", "service")
"""Parameters compared as they are written (beside host, port, user and database)."""


def database_identity(url: str) -> tuple[Any, ...]:
    """A PostgreSQL ledger's :attr:`~shared_core.ledger.CostLedger.identity`:
    ``("postgresql", host, port, dbname, user, ...)`` normalised as the module says, so two
    spellings of one database are equal. An unreadable ``url`` is compared as it is written
    (without its password)."""
    try:
        from psycopg.conninfo import conninfo_to_dict

        params = {k: str(v) for k, v in conninfo_to_dict(url).items() if v is not None and str(v) != ""}
    except Exception:
        from .postgres import _redacted

        return ("postgresql", _redacted(url))
    user = params.get("user") or os.environ.get("PGUSER") or _os_user()
    where = params.get("hostaddr") or params.get("host") or os.environ.get("PGHOST") or ""
    return (
        "postgresql",
        ("host", ",".join(_host(h) for h in where.split(","))),
        ("port", params.get("port") or os.environ.get("PGPORT") or "5432"),
        ("dbname", params.get("dbname") or os.environ.get("PGDATABASE") or user),
        ("user", user),
        *((k, params[k]) for k in _KEPT if k in params),
    )


def _host(host: str) -> str:
    host = host.strip()
    if not host:
        return ""  # libpq's default socket
    if host.startswith(("/", "@")):  # a Unix socket directory (or an abstract socket)
        return host.rstrip("/") or "/"
    host = host.lower().rstrip(".")
    return "localhost" if host in _LOOPBACK else host


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name known (a container without one): libpq fails alike
        return ""
