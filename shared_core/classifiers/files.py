"""Safe reading and byte-stable writing of the plain-data model files (JSON + NPZ).

Loading never executes code: pickle-like files are refused with
:class:`~shared_core.errors.UnsafeFormatError`, and NPZ arrays load with
``allow_pickle=False``.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from ..atomic_files import write_atomic
from ..errors import DataFormatError, MismatchedWeightsError, UnsafeFormatError

MAX_VERSION = 2
"""Newest file format version this package reads (2: a trained router with a task prior,
written as 2 so that a release that cannot apply the prior refuses the file)."""
WEIGHTS_HASH = "weights_sha256"
"""The key of a model's JSON that records the sha256 of its weights file."""
_PICKLE_SUFFIXES = {".pkl", ".pickle", ".joblib", ".pt", ".pth", ".bin", ".sav"}


def _refuse_pickle(p: Path) -> None:
    if p.suffix.lower() in _PICKLE_SUFFIXES:
        raise UnsafeFormatError(
            str(p),
            f"refusing {p.suffix!r} files: pickle-like formats can execute code; use JSON + NPZ",
        )
    try:
        with p.open("rb") as fh:
            head = fh.read(2)
    except FileNotFoundError:
        raise DataFormatError(str(p), "file not found") from None
    if head[:1] == b"\x80" and len(head) == 2 and head[1] <= 5:
        raise UnsafeFormatError(str(p), "this is a pickle; refusing to load it (use JSON + NPZ)")


def read_json_safely(p: Path, fmt: str) -> dict[str, Any]:
    """Parse a JSON description file and check its ``format`` marker."""
    _refuse_pickle(p)
    try:
        meta = json.loads(p.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UnsafeFormatError(
            str(p), f"not a JSON router file ({exc.__class__.__name__}); expected format {fmt!r}"
        ) from None
    if not isinstance(meta, dict) or meta.get("format") != fmt:
        got = meta.get("format") if isinstance(meta, dict) else type(meta).__name__
        raise UnsafeFormatError(str(p), f"unknown format {got!r}; expected {fmt!r}")
    if int(meta.get("version", 0)) > MAX_VERSION:
        raise UnsafeFormatError(
            str(p), f"format version {meta.get('version')} is newer than supported ({MAX_VERSION})"
        )
    return meta


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> str:
    """An NPZ with fixed timestamps and sorted members, so equal arrays give equal bytes;
    written whole or not at all (:func:`~shared_core.atomic_files.write_atomic`). Returns the
    sha256 of the bytes written: the JSON written after it records it as
    :data:`WEIGHTS_HASH` (see :func:`read_weights`)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(arrays):
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.ascontiguousarray(arrays[name]), allow_pickle=False)
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, buf.getvalue())
    blob = out.getvalue()
    write_atomic(path, blob)
    return hashlib.sha256(blob).hexdigest()


def write_json(path: Path, data: Any) -> Path:
    """A model's JSON description (sorted keys, one-space indent), written whole or not at all."""
    return write_atomic(path, json.dumps(data, indent=1, sort_keys=True) + "\n")


def read_npz(path: Path) -> dict[str, np.ndarray]:
    return _arrays(path, _npz_bytes(path))


def read_weights(json_path: Path, meta: dict[str, Any]) -> dict[str, np.ndarray]:
    """The arrays of the weights file a model's JSON names (``weights_file``, beside it).

    The JSON's :data:`WEIGHTS_HASH` must be the sha256 of those bytes, else
    :class:`~shared_core.errors.MismatchedWeightsError`: the files come from two saves. A
    JSON written before the hash was recorded (the shipped models) is not checked. The bytes
    checked are the bytes loaded (a save replacing the file meanwhile cannot slip between)."""
    wf = str(meta["weights_file"])
    if Path(wf).name != wf or not wf.endswith(".npz"):
        raise UnsafeFormatError(
            str(json_path), f"weights_file must be a .npz name beside the JSON, got {wf!r}"
        )
    npz = json_path.parent / wf
    blob = _npz_bytes(npz)
    expected = meta.get(WEIGHTS_HASH)
    if expected is not None:
        found = hashlib.sha256(blob).hexdigest()
        if found != expected:
            raise MismatchedWeightsError(str(json_path), str(npz), str(expected), found)
    return _arrays(npz, blob)


def _npz_bytes(path: Path) -> bytes:
    _refuse_pickle(path)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise DataFormatError(
            str(path), "weights file not found (it must sit beside the JSON)"
        ) from None


def _arrays(path: Path, blob: bytes) -> dict[str, np.ndarray]:
    try:
        with np.load(io.BytesIO(blob), allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    except (ValueError, OSError, zipfile.BadZipFile) as exc:
        raise UnsafeFormatError(str(path), f"cannot read weights without pickle: {exc}") from None


def sparse_rows(W: np.ndarray, prefix: str = "W", dtype: Any = np.float32) -> dict[str, np.ndarray]:
    """Store only non-zero rows of ``W`` (most hash buckets are never seen)."""
    W = np.asarray(W, dtype=dtype)
    rows = np.flatnonzero(np.any(W != 0, axis=1)).astype(np.int32)
    return {f"{prefix}_rows": rows, f"{prefix}_values": W[rows]}


def dense_rows(arrays: dict[str, np.ndarray], dim: int, k: int, prefix: str = "W") -> np.ndarray:
    rows = arrays[f"{prefix}_rows"].astype(np.int64)
    vals = arrays[f"{prefix}_values"].astype(np.float32).reshape(len(rows), k)
    if len(rows) and (rows.min() < 0 or rows.max() >= dim):
        raise ValueError(f"weight rows outside [0, {dim})")
    W = np.zeros((dim, k), dtype=np.float32)
    W[rows] = vals
    return W
