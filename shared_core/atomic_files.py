"""Files written whole or not at all: a model, a config, a report.

A plain ``write_text`` truncates the old file first, so an interrupted save (Ctrl-C, a full
disk, a value the encoding cannot hold) leaves an empty or half-written file where a working
one was: ``calibrate`` writing over the user's config, ``train`` over last week's model.
:func:`write_atomic` writes a temporary file beside the target, flushes it to disk and renames
it over the target in one step (``os.replace``), so a reader sees the old file or the new one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path

_DEFAULT_UMASK = 0o022


def write_atomic(path: str | Path, data: bytes | str) -> Path:
    """Write ``data`` (text is UTF-8) to ``path`` in one step; returns the path written.

    The new file keeps the old one's permissions (a new file gets the usual ``0o666`` less the
    umask); a symbolic link is followed, so the file it points to is replaced, not the link.
    Text that UTF-8 cannot encode raises ``UnicodeEncodeError`` before anything is touched.
    """
    p = Path(path)
    if p.is_symlink():
        p = p.resolve()
    blob = data.encode("utf-8") if isinstance(data, str) else data
    if not p.parent.is_dir():  # (else the error would name the temporary file)
        raise FileNotFoundError(errno.ENOENT, "no such folder", str(p.parent))
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(blob)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _mode_for(p))
        os.replace(tmp, p)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return p


def _mode_for(p: Path) -> int:
    try:
        return stat.S_IMODE(p.stat().st_mode)
    except FileNotFoundError:
        return 0o666 & ~_umask()


def _umask() -> int:
    """The process umask, read without setting it (``os.umask`` sets it for every thread)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return _DEFAULT_UMASK
