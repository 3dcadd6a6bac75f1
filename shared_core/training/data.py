"""Load and validate routing-benchmark files: ``<source>_<split>.jsonl`` + ``<source>_models.json``.

The format (see the data README): one JSON object per line with ``id``, ``prompt``,
``scores`` (every model of the source, each in [0, 1]) and optionally ``costs`` (USD per
model on this prompt). The models file maps each model name to its prices
(``input_per_mtok``, ``output_per_mtok``), ``tier_rank`` (0 = cheapest) and
``assumed_output_tokens``.

Every problem raises :class:`~shared_core.errors.DataFormatError` naming the file, the
line (1-based) and what is wrong. Users' own logs in the same format load the same way.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DataFormatError

CHARS_PER_TOKEN = 4.0
"""Input tokens are estimated as characters / 4 when a row has no ``costs``."""


@dataclass(frozen=True)
class ModelInfo:
    """One model of a source: prices in USD per 1M tokens and its rank on the price ladder."""

    name: str
    input_per_mtok: float
    output_per_mtok: float
    tier_rank: int
    assumed_output_tokens: int | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def estimate_cost(self, prompt: str) -> float:
        """USD for one prompt: input tokens = chars / 4, output = ``assumed_output_tokens``."""
        out = self.assumed_output_tokens or 0
        tokens_in = len(prompt) / CHARS_PER_TOKEN
        return (tokens_in * self.input_per_mtok + out * self.output_per_mtok) / 1e6


@dataclass(frozen=True)
class ModelsMeta:
    """The models of a source, ordered cheapest first (by ``tier_rank``)."""

    models: tuple[ModelInfo, ...]
    path: str = "(models)"

    @property
    def names(self) -> list[str]:
        return [m.name for m in self.models]

    def __len__(self) -> int:
        return len(self.models)

    def __getitem__(self, name: str) -> ModelInfo:
        for m in self.models:
            if m.name == name:
                return m
        raise KeyError(name)

    def __contains__(self, name: object) -> bool:
        return any(m.name == name for m in self.models)

    def to_dict(self) -> dict[str, dict[str, Any]]:
        """The models-file mapping (round-trips through :func:`parse_models`)."""
        return {
            m.name: {
                **dict(m.extra),
                "input_per_mtok": m.input_per_mtok,
                "output_per_mtok": m.output_per_mtok,
                "tier_rank": m.tier_rank,
                "assumed_output_tokens": m.assumed_output_tokens,
            }
            for m in self.models
        }


@dataclass(frozen=True)
class Row:
    """One prompt with each model's score (and cost when the source recorded it).

    ``id``, ``source`` and ``task`` are never read at decision time. ``task`` also groups the
    folds and, in training only, is the target of the task prior's classifier (which then
    recognises the task from the prompt text).
    """

    id: str
    prompt: str
    scores: Mapping[str, float]
    costs: Mapping[str, float] | None = None
    source: str = ""
    task: str = ""


@dataclass
class Dataset:
    """Rows plus dense matrices in model order (cheapest first)."""

    rows: list[Row]
    models: ModelsMeta
    scores: np.ndarray
    """(n_rows, n_models) quality in [0, 1]."""
    costs: np.ndarray
    """(n_rows, n_models) USD per prompt: the row's ``costs`` or the price estimate."""
    name: str = "data"

    @property
    def texts(self) -> list[str]:
        return [r.prompt for r in self.rows]

    @property
    def ids(self) -> list[str]:
        return [r.id for r in self.rows]

    def __len__(self) -> int:
        return len(self.rows)

    def subset(self, index: Sequence[int] | np.ndarray) -> Dataset:
        """The rows at ``index`` (e.g. a subsample), same models."""
        idx = np.asarray(index, dtype=int)
        return Dataset(
            rows=[self.rows[i] for i in idx],
            models=self.models,
            scores=self.scores[idx],
            costs=self.costs[idx],
            name=self.name,
        )


# -- models file ---------------------------------------------------------------------


def parse_models(data: Any, path: str = "(models)") -> ModelsMeta:
    """Validate a models mapping (already parsed JSON)."""
    if not isinstance(data, dict) or not data:
        raise DataFormatError(
            path, "the models file must be a non-empty JSON object {model: {input_per_mtok, ...}}"
        )
    infos: list[ModelInfo] = []
    for position, (name, meta) in enumerate(data.items()):
        if not isinstance(meta, dict):
            raise DataFormatError(
                path, f"model {name!r}: expected an object, got {type(meta).__name__}"
            )
        prices = {}
        for key in ("input_per_mtok", "output_per_mtok"):
            val: Any = meta.get(key)
            if not _is_number(val) or val < 0:
                raise DataFormatError(
                    path,
                    f"model {name!r}: {key!r} must be a number >= 0 (USD per 1M tokens), got {val!r}",
                )
            prices[key] = float(val)
        rank = meta.get("tier_rank", position)
        if not isinstance(rank, int) or isinstance(rank, bool):
            raise DataFormatError(
                path, f"model {name!r}: 'tier_rank' must be an integer, got {rank!r}"
            )
        out = meta.get("assumed_output_tokens")
        if out is not None and (not isinstance(out, int) or isinstance(out, bool) or out < 0):
            raise DataFormatError(
                path,
                f"model {name!r}: 'assumed_output_tokens' must be an integer >= 0 or null, got {out!r}",
            )
        extra = {k: v for k, v in meta.items() if k not in _MODEL_KEYS}
        infos.append(
            ModelInfo(
                str(name), prices["input_per_mtok"], prices["output_per_mtok"], rank, out, extra
            )
        )
    ranks = [m.tier_rank for m in infos]
    if len(set(ranks)) != len(ranks):
        dup = sorted({r for r in ranks if ranks.count(r) > 1})
        raise DataFormatError(
            path, f"duplicate tier_rank {dup}: each model needs its own rank (0 = cheapest)"
        )
    return ModelsMeta(tuple(sorted(infos, key=lambda m: m.tier_rank)), path=path)


_MODEL_KEYS = {"input_per_mtok", "output_per_mtok", "tier_rank", "assumed_output_tokens"}


def load_models(path: str | Path) -> ModelsMeta:
    """Read and validate ``<source>_models.json``."""
    p = Path(path)
    text = _read_text(p)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataFormatError(
            str(p), f"broken JSON: {exc.msg} (column {exc.colno})", line=exc.lineno
        ) from None
    return parse_models(data, str(p))


# -- rows --------------------------------------------------------------------------


def parse_row(obj: Any, models: ModelsMeta, path: str = "(data)", line: int | None = None) -> Row:
    """Validate one decoded JSONL object against the models."""

    def fail(problem: str) -> DataFormatError:
        return DataFormatError(path, problem, line=line)

    if not isinstance(obj, dict):
        raise fail(f"expected a JSON object, got {type(obj).__name__}")
    prompt = obj.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise fail("missing prompt: 'prompt' must be a non-empty string")
    rid = obj.get("id", f"line-{line}")
    scores_raw = obj.get("scores")
    if not isinstance(scores_raw, dict) or not scores_raw:
        raise fail("missing scores: 'scores' must be an object {model: score in [0, 1]}")
    scores = _checked_values(scores_raw, models, "scores", fail)
    for name, val in scores.items():
        if not 0.0 <= val <= 1.0:
            raise fail(f"score of {name!r} is {val!r}, outside [0, 1]")
    missing = [m for m in models.names if m not in scores]
    if missing:
        raise fail(
            f"missing models in 'scores': {missing} (every row needs a score for every model)"
        )
    costs: dict[str, float] | None = None
    costs_raw = obj.get("costs")
    if costs_raw is not None:
        if not isinstance(costs_raw, dict):
            raise fail("'costs' must be an object {model: USD} or absent")
        costs = _checked_values(costs_raw, models, "costs", fail)
        for name, val in costs.items():
            if val < 0:
                raise fail(f"cost of {name!r} is {val!r}; costs must be >= 0 USD")
        missing = [m for m in models.names if m not in costs]
        if missing:
            raise fail(f"missing models in 'costs': {missing} (give all or omit 'costs')")
    else:
        for m in models.models:
            if m.assumed_output_tokens is None:
                raise fail(
                    f"no 'costs' on this row and model {m.name!r} has no 'assumed_output_tokens' "
                    f"in {models.path}: add one of the two"
                )
    task = obj.get("task")
    if task is not None and (isinstance(task, bool) or not isinstance(task, (str, int))):
        raise fail(f"'task' must be a string (or a number), got {type(task).__name__} {task!r}")
    return Row(
        id=str(rid),
        prompt=prompt,
        scores=scores,
        costs=costs,
        source=str(obj.get("source") or ""),
        task="" if task is None else str(task),
    )


def _checked_values(
    raw: dict[str, Any], models: ModelsMeta, what: str, fail: Any
) -> dict[str, float]:
    out: dict[str, float] = {}
    for name, val in raw.items():
        if name not in models:
            raise fail(
                f"model {name!r} in {what!r} is absent from the models file {models.path} "
                f"(known: {models.names})"
            )
        if not _is_number(val):
            raise fail(f"{what} of {name!r} must be a number, got {val!r}")
        out[name] = float(val)
    return out


def iter_rows(path: str | Path, models: ModelsMeta) -> Iterable[Row]:
    """Rows of one JSONL file, validated as they are read (blank lines are skipped)."""
    p = Path(path)
    text = _read_text(p)
    seen = 0
    for lineno, raw in enumerate(text.split("\n"), start=1):  # not splitlines: \x85 is text
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise DataFormatError(
                str(p), f"broken JSON on line {lineno}: {exc.msg}", line=lineno
            ) from None
        seen += 1
        yield parse_row(obj, models, str(p), lineno)
    if not seen:
        raise DataFormatError(str(p), "empty file: no JSON rows")


def load_rows(paths: str | Path | Sequence[str | Path], models: ModelsMeta) -> list[Row]:
    """All rows of one or more JSONL files."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    rows: list[Row] = []
    for p in paths:
        rows.extend(iter_rows(p, models))
    return rows


def build_dataset(rows: Sequence[Row], models: ModelsMeta, name: str = "data") -> Dataset:
    """Dense score and cost matrices (cost: the row's ``costs`` or the price estimate)."""
    if not rows:
        raise DataFormatError(name, "no rows")
    names = models.names
    scores = np.array([[r.scores[m] for m in names] for r in rows], dtype=float)
    costs = np.array(
        [
            [
                r.costs[m.name] if r.costs is not None else m.estimate_cost(r.prompt)
                for m in models.models
            ]
            for r in rows
        ],
        dtype=float,
    )
    return Dataset(list(rows), models, scores, costs, name)


def load_dataset(
    data: str | Path | Sequence[str | Path], models: str | Path | ModelsMeta
) -> Dataset:
    """Load a models file and one or more data files into a :class:`Dataset`."""
    meta = models if isinstance(models, ModelsMeta) else load_models(models)
    paths = [data] if isinstance(data, (str, Path)) else list(data)
    rows = load_rows(paths, meta)
    name = Path(paths[0]).stem if len(paths) == 1 else "+".join(Path(p).stem for p in paths)
    return build_dataset(rows, meta, name)


def relative_costs(ds: Dataset) -> list[float]:
    """Mean cost per model divided by the largest mean cost (the policy's cost scale)."""
    mean = ds.costs.mean(axis=0)
    top = float(mean.max()) or 1.0
    return [float(c) / top for c in mean]


def _read_text(p: Path) -> str:
    try:
        return p.read_text(encoding="utf-8-sig")  # a BOM (Windows editors) is no part of the text
    except FileNotFoundError:
        raise DataFormatError(str(p), "file not found") from None
    except IsADirectoryError:
        raise DataFormatError(str(p), "is a directory, expected a file") from None
    except UnicodeDecodeError as exc:
        raise DataFormatError(str(p), f"not UTF-8 text (byte {exc.start})") from None


def _is_number(val: Any) -> bool:
    return isinstance(val, (int, float)) and not isinstance(val, bool) and math.isfinite(val)
