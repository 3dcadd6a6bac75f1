"""Records that outlive their process: flush at exit, and a spill file for what still fails.

A persistent ledger keeps records that could not be written yet (file locked, disk full) in
memory. Two things stop them from dying with the process:

* :func:`register` puts a ledger on a list that one ``atexit`` hook flushes, waiting at most
  :data:`EXIT_WAIT_S` seconds in all (a locked file must not hang the exit);
* whatever is still pending then (or at ``close()``) is appended to a *spill file* beside the
  ledger (``<ledger file>.pending.jsonl``, one JSON object per line), which the next
  ledger opened on that file reads back and writes (:func:`claim`).

The spill file is claimed by an atomic rename before it is read, so two processes opening the
same ledger never both ingest it; writers and the claimer take an exclusive ``flock`` of the
file, so an append is never cut by another writer's undo nor lost in a file already claimed.
Items the database refuses, and spill lines that cannot be read, go to a *rejected file*
(``<ledger file>.rejected.jsonl``) for a person to read: no ledger reads it back. A process killed without running its exit hooks (``SIGKILL``,
power loss) still loses what it held in memory.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import threading
import time
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from .base import CallRecord, Feedback

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock (one process per spill file there)
    fcntl = None  # type: ignore[assignment]

logger = logging.getLogger(__name__)

EXIT_WAIT_S = 5.0
"""Longest the exit hook waits, in total, for locked ledgers to accept their records."""
SUFFIX = ".pending.jsonl"
REJECTED_SUFFIX = ".rejected.jsonl"


class Spillable(Protocol):
    def exit_flush(self, wait_s: float) -> None: ...


_open: weakref.WeakSet[Any] = weakref.WeakSet()
_lock = threading.Lock()
_hooked = False


def spill_when_collected(
    ledger: object, path: str, records: list[CallRecord], feedback: list[Feedback],
    releases: list[str] | None = None,
) -> weakref.finalize:  # type: ignore[type-arg]
    """When ``ledger`` is garbage-collected (a model built per request and dropped), what is
    still in ``records`` and ``feedback`` (the ledger's own queues, emptied as they are
    written) goes to the spill file. Not at exit: :func:`register`'s hook covers that, with
    its bounded wait. ``detach()`` the result when the queues are replaced (a forked child)."""
    fin = weakref.finalize(ledger, _spill_left, path, records, feedback, releases)
    fin.atexit = False
    return fin


def _spill_left(
    path: str, records: list[CallRecord], feedback: list[Feedback], releases: list[str] | None
) -> None:
    if records or feedback or releases:
        write(
            path, list(records), list(feedback), when="before the ledger was garbage-collected",
            releases=list(releases or ()),
        )


def register(ledger: Spillable) -> None:
    """Flush ``ledger`` (and spill what is left) when the interpreter exits normally."""
    global _hooked
    with _lock:
        _open.add(ledger)
        if not _hooked:
            atexit.register(_at_exit)
            _hooked = True


def _at_exit() -> None:
    deadline = time.monotonic() + EXIT_WAIT_S
    with _lock:
        ledgers = list(_open)
    for led in ledgers:
        try:
            led.exit_flush(max(0.05, deadline - time.monotonic()))
        except Exception:  # pragma: no cover - an exit hook must not raise
            logger.exception("cost ledger: flush at exit failed")


def server_spill_base(url: str, spill_dir: str | os.PathLike[str] | None = None) -> str:
    """Where a server ledger (PostgreSQL) at ``url`` spills: ``<dir>/<hash of its database>``,
    to which :func:`write` and :func:`claim` add :data:`SUFFIX`.

    The hash is of the database the URL names (:func:`~.pg_identity.database_identity`), so
    every spelling of one database (another ``application_name``, an added ``sslmode``, a
    conninfo string, a rotated password) finds the same file; ``dir`` is ``spill_dir``, else
    ``$XDG_CACHE_HOME/tier-router`` (``~/.cache/tier-router``), else the temporary folder when
    that cannot be created."""
    import hashlib

    from .pg_identity import database_identity

    key = repr(database_identity(url))
    return _in_folder("pg-" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:24], spill_dir)


def legacy_spill_base(url: str, spill_dir: str | os.PathLike[str] | None = None) -> str:
    """Where versions before :func:`server_spill_base` keyed by the database spilled: a hash
    of the URL's text without its password. Claimed too, so nothing they spilled is left."""
    import hashlib
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    netloc = parts.netloc.rpartition("@")
    user = netloc[0].partition(":")[0]
    key = urlunsplit(parts._replace(netloc=f"{user}@{netloc[2]}" if netloc[1] else netloc[2]))
    return _in_folder("pg-" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:24], spill_dir)


def _in_folder(name: str, spill_dir: str | os.PathLike[str] | None) -> str:
    if spill_dir is not None:
        return str(Path(spill_dir) / name)
    return str(_cache_folder() / name)


def _cache_folder() -> Path:
    """``$XDG_CACHE_HOME/tier-router`` (``~/.cache/tier-router``), else the temporary folder."""
    import tempfile

    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    folder = Path(cache) / "tier-router"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        folder = Path(tempfile.gettempdir())
    return folder


def _places(db_path: str, suffix: str = SUFFIX) -> list[Path]:
    """Where the spill of ``db_path`` goes: beside it, else (that disk full, that folder read
    only) in the cache folder under a name made from its absolute path, else under that name in
    the temporary folder (the cache folder is often on the ledger's disk; ``/tmp`` often not)."""
    import hashlib
    import tempfile

    key = os.path.abspath(db_path).encode("utf-8", "surrogatepass")
    name = f"file-{hashlib.sha256(key).hexdigest()[:24]}{suffix}"
    found = [Path(db_path + suffix), _cache_folder() / name, Path(tempfile.gettempdir()) / name]
    return list(dict.fromkeys(found))


def _shared(path: Path) -> bool:
    """Whether ``path`` is in the temporary folder, which every user of the machine can write."""
    import tempfile

    return path.parent == Path(tempfile.gettempdir())


def places(db_path: str) -> list[Path]:
    """Where spill files of ``db_path`` can be (see :func:`_places`)."""
    return _places(db_path)


def reject(db_path: str, items: list[dict[str, Any]]) -> str | None:
    """Append items the database refused (each a JSON object with its ``error``) to the
    rejected file (``<ledger file>.rejected.jsonl``, else in the cache folder), for a person
    to read: no ledger reads it back. Where they went, or ``None`` (then they are logged)."""
    lines = [json.dumps(item, ensure_ascii=False, default=str) for item in items]
    data = ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")
    for path in _places(db_path, REJECTED_SUFFIX):
        try:
            _append(path, data)
            return str(path)
        except OSError:
            continue
    logger.error("cost ledger %s: items the database refused, kept nowhere: %s", db_path, data[:100_000])
    return None


def spill_path(db_path: str) -> Path:
    """The spill file of the ledger file ``db_path``."""
    return Path(db_path + SUFFIX)


def write(
    db_path: str, records: list[CallRecord], feedback: list[Feedback], when: str = "before exit",
    *, releases: Sequence[str] = (),
) -> bool:
    """Append records, feedback and releases of holds to the spill file (beside the ledger,
    else in the cache folder: :func:`_places`); ``True`` when stored. ``when`` goes into the
    warning."""
    if not records and not feedback and not releases:
        return True
    lines = [json.dumps({"record": r.to_dict()}, ensure_ascii=False, default=str) for r in records]
    lines += [
        json.dumps({"feedback": [f.call_id, f.score, f.source, f.ts]}) for f in feedback
    ]
    lines += [json.dumps({"release": rid}, ensure_ascii=False) for rid in releases]
    data = ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")
    errors = []
    for path in _places(db_path):
        try:
            _append(path, data)
            break
        except OSError as exc:
            errors.append(f"{path}: {exc}")
    else:  # the log is the last place: a person can still put them back from it
        logger.error(
            "cost ledger %s: %d record(s) could not be written to the database nor to a spill "
            "file (%s); they are lost, but for this message, which holds them (one JSON object a "
            "line, as in a spill file):\n%s",
            db_path, len(records) + len(feedback) + len(releases), "; ".join(errors),
            data[:1_000_000].decode("utf-8", "backslashreplace"),
        )
        return False
    logger.warning(
        "cost ledger %s: %d item(s) could not be written %s; kept in %s and written "
        "the next time this ledger is opened",
        db_path, len(records) + len(feedback) + len(releases), when, path,
    )
    return True


def _append(path: Path, data: bytes) -> None:
    """``data`` appended to ``path`` whole, or not at all (a short write is undone).

    Under an exclusive ``flock`` of the file, taken by every writer and by a claimer
    (:func:`_claim`): undoing a short write cuts no other writer's lines, and an append never
    lands in a file a claimer has already read: a writer that opened the file before a claim
    renamed it finds, once it holds the lock, that the path names another file (or none), and
    opens again. A ``close()`` that fails after the data was written and synced is ignored: the
    data is stored (written again elsewhere, it would be claimed twice)."""
    for _ in range(100):
        # never through a link another user of a shared folder (the temporary one) planted
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
        try:
            _flock(fd)
            try:
                st = os.stat(path)
                same = _same(fd, st)
            except FileNotFoundError:
                same = False
            if not same:  # claimed (renamed) since we opened it: open the path again
                os.close(fd)
                continue
            start = os.lseek(fd, 0, os.SEEK_END)
            try:
                done = 0
                while done < len(data):
                    done += os.write(fd, data[done:])
                os.fsync(fd)
            except OSError:
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, start)
                raise
        except BaseException:
            with contextlib.suppress(OSError):
                os.close(fd)
            raise
        with contextlib.suppress(OSError):  # written and synced: stored
            os.close(fd)
        return
    raise OSError(f"{path} was replaced 100 times while this process tried to append to it")


def _same(fd: int, st: os.stat_result) -> bool:
    mine = os.fstat(fd)
    return (mine.st_dev, mine.st_ino) == (st.st_dev, st.st_ino)


def _flock(fd: int) -> None:
    """An exclusive lock of the open file (released when it is closed); none without ``fcntl``."""
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX)


def claim(
    db_path: str, releases: list[str] | None = None
) -> tuple[list[CallRecord], list[Feedback]]:
    """Take the spill files of ``db_path`` (if any): their records and feedback, files removed;
    the releases of holds they keep are added to ``releases`` (skipped without it).

    A line that cannot be read (a torn write) is skipped with a warning and kept in the
    rejected file (:func:`reject`).
    """
    records: list[CallRecord] = []
    feedback: list[Feedback] = []
    for path in _places(db_path):
        recs, fb = _claim(db_path, path, releases)
        records += recs
        feedback += fb
    return records, feedback


def _claim(
    db_path: str, path: Path, releases: list[str] | None
) -> tuple[list[CallRecord], list[Feedback]]:
    if not path.exists():
        return [], []
    if _shared(path) and hasattr(os, "getuid"):
        try:
            theirs = os.stat(path, follow_symlinks=False).st_uid != os.getuid()
        except OSError:
            return [], []
        if theirs:  # planted by another user of the machine: not ours to count or write
            logger.warning("cost ledger %s: %s belongs to another user; left as it is", db_path, path)
            return [], []
    taken = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.claim")
    try:
        os.rename(path, taken)  # atomic: only one opener gets it
    except OSError:
        return [], []
    try:
        # a writer that opened the file before the rename finishes its append first (_append)
        fd = os.open(taken, os.O_RDONLY)
        try:
            _flock(fd)
            data = taken.read_bytes()
        finally:
            os.close(fd)  # after the read: a writer waiting for the lock then finds it renamed
    except OSError as exc:
        logger.error("cost ledger %s: cannot read %s (%s); left for the next opener", db_path, taken, exc)
        with contextlib.suppress(OSError):
            os.link(taken, path)  # back, unless another spill file took its place meanwhile
            taken.unlink()
        return [], []
    records: list[CallRecord] = []
    feedback: list[Feedback] = []
    bad: list[dict[str, Any]] = []
    # line by line: one torn line (a write cut inside a character, a stray byte) costs itself only
    for n, raw in enumerate(data.split(b"\n"), 1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw.decode("utf-8", "surrogatepass"))
            if "record" in obj:
                records.append(CallRecord.from_dict(obj["record"]))
            elif "release" in obj:
                if releases is not None:
                    releases.append(str(obj["release"]))
            else:
                call_id, score, source, ts = obj["feedback"]
                feedback.append(Feedback(call_id, float(score), source, float(ts)))
        except Exception as exc:
            logger.warning("cost ledger %s: skipped line %d of %s (%s)", db_path, n, taken, exc)
            bad.append({"spill_line": raw.decode("utf-8", "backslashreplace"), "error": repr(exc)})
    if bad:  # kept for a person to read, as items the database refuses are
        reject(db_path, bad)
    with contextlib.suppress(OSError):
        taken.unlink()
    return records, feedback
