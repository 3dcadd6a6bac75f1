"""Safe reading and byte-stable writing of the plain-data model files (JSON + NPZ).

Loading never executes code: pickle-like files are refused with
:class:`~shared_core.errors.UnsafeFormatError`, and NPZ arrays load with
``allow_pickle=False``.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from ..atomic_files import write_atomic
from ..errors import DataFormatError, UnsafeFormatError

MAX_VERSION = 2
"""Newest file format version this package reads (2: a trained router with a task prior,
written as 2 so that a release that cannot apply the prior refuses the file)."""
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


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """An NPZ with fixed timestamps and sorted members, so equal arrays give equal bytes;
    written whole or not at all (:func:`~shared_core.atomic_files.write_atomic`)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(arrays):
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.ascontiguousarray(arrays[name]), allow_pickle=False)
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, buf.getvalue())
    write_atomic(path, out.getvalue())


def write_json(path: Path, data: Any) -> Path:
    """A model's JSON description (sorted keys, one-space indent), written whole or not at all."""
    return write_atomic(path, json.dumps(data, indent=1, sort_keys=True) + "\n")


def read_npz(path: Path) -> dict[str, np.ndarray]:
    _refuse_pickle(path)
    try:
        with np.load(path, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    except FileNotFoundError:
        raise DataFormatError(
            str(path), "weights file not found (it must sit beside the JSON)"
        ) from None
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
