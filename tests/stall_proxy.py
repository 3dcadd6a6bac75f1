"""A TCP proxy in front of a test's PostgreSQL server that can make it stop answering.

:meth:`StallProxy.stall` models a server that is overloaded or cut off: connections made
from then on are accepted and never answered (a client waits out its own timeouts), and with
``cut=True`` the connections already forwarded are closed too (a restart, a dropped route).
:meth:`StallProxy.freeze` models a frozen server (SIGSTOP): nothing more is forwarded on any
connection, none is closed (a query under way waits for an answer that never comes).
"""

from __future__ import annotations

import socket
import threading
import time
from urllib.parse import urlsplit, urlunsplit


class StallProxy:
    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self._target = (parts.hostname or "127.0.0.1", parts.port or 5432)
        self._lock = threading.Lock()
        self._stalled = False
        self.frozen = False
        self._open: list[socket.socket] = []  # forwarded and held sockets, closed at the end
        self._listener = socket.create_server(("127.0.0.1", 0))
        port = self._listener.getsockname()[1]
        netloc = parts.netloc.rpartition("@")[0]
        self.url = urlunsplit(parts._replace(netloc=f"{netloc}@127.0.0.1:{port}" if netloc else f"127.0.0.1:{port}"))
        threading.Thread(target=self._accept, name="stall-proxy", daemon=True).start()

    def stall(self, *, cut: bool = False) -> None:
        with self._lock:
            self._stalled = True
            if cut:
                for s in self._open:
                    _close(s)

    def freeze(self) -> None:
        with self._lock:
            self._stalled = self.frozen = True

    def close(self) -> None:
        with self._lock:
            self._stalled = True
            self.frozen = False  # the held data goes nowhere: the sockets close
            _close(self._listener)
            for s in self._open:
                _close(s)

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self._open.append(client)
                if self._stalled:
                    continue  # accepted, never answered
            server = socket.create_connection(self._target)
            with self._lock:
                self._open.append(server)
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=_pipe, args=(a, b, self), daemon=True).start()


def _pipe(src: socket.socket, dst: socket.socket, proxy: StallProxy) -> None:
    try:
        while data := src.recv(65536):
            while proxy.frozen:
                time.sleep(0.02)
            dst.sendall(data)
    except OSError:
        pass
    finally:
        _close(src)
        _close(dst)


def _close(s: socket.socket) -> None:
    try:
        s.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    s.close()
