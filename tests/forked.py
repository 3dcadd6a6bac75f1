"""Running a function in a child forked with ``os.fork``, bounded: a child that hangs is killed
and reported, so a regression fails its test instead of hanging the run."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable


def run_forked(fn: Callable[[], str], timeout_s: float = 10.0) -> str:
    """``fn()``'s answer, run in a forked child; ``"hung"`` when the child had not ended after
    ``timeout_s`` (it is killed), ``"error: ..."`` when ``fn`` raised. The child ends with
    ``os._exit`` (no exit hook of the parent's test run)."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_fd)
        try:
            out = fn()
        except BaseException as exc:
            out = f"error: {type(exc).__name__}: {exc}"
        os.write(write_fd, out.encode("utf-8", "backslashreplace"))
        os._exit(0)
    os.close(write_fd)
    end = time.monotonic() + timeout_s
    try:
        while time.monotonic() < end:
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.01)
        else:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return "hung"
        chunks = []
        while chunk := os.read(read_fd, 65536):
            chunks.append(chunk)
        return b"".join(chunks).decode("utf-8")
    finally:
        os.close(read_fd)
