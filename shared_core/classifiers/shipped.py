"""Where the shipped models live, and how each loads once per process.

* :func:`load_ladder`: the ladder model (``ladder.json``) the zero-config classifier reads;
* :func:`load_difficulty` and :func:`default_router_for`: the generic difficulty head and the
  per-ladder heads (``source_*.json``) for a list of models (see :mod:`.embedded`).

Weights are JSON + NPZ under ``shared_core/data/models`` (rebuild them with
``python -m shared_core.training.train_default``); the loaded objects are cached by path.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .ladder_model import LadderModel
from .trained import TrainedRouter

MODELS_DIR = Path(__file__).resolve().parent.parent / "data" / "models"
DIFFICULTY_FILE = "difficulty.json"
LADDER_FILE = "ladder.json"


_lock = threading.Lock()
_cache: dict[Path, Any] = {}


def _cached(path: Path, loader: Any) -> Any:
    with _lock:
        hit = _cache.get(path)
        if hit is None:
            hit = loader(path)
            _cache[path] = hit
        return hit


def load_difficulty(models_dir: Path | None = None) -> TrainedRouter:
    """The shipped generic difficulty model (a ladder head), loaded once."""
    return _cached((models_dir or MODELS_DIR) / DIFFICULTY_FILE, TrainedRouter.load)


def shipped_heads(models_dir: Path | None = None) -> list[Path]:
    """Router files of the shipped per-ladder heads (``source_*.json``)."""
    return sorted((models_dir or MODELS_DIR).glob("source_*.json"))


def default_router_for(
    models: Sequence[str],
    relative_costs: Sequence[float] | None = None,
    *,
    models_dir: Path | None = None,
) -> TrainedRouter:
    """A router scoring ``models`` (cheapest first) from the prompt text alone.

    When the set of models equals one a shipped head was trained for, that head is
    used (with its tuned rule and knob); otherwise the generic difficulty head is
    spread over the ladder (rule ``threshold``, knob 0.5).
    """
    models = list(models)
    if not models:
        raise ConfigError(
            "default_router_for needs at least one model", field="models", value=models
        )
    wanted = set(models)
    for path in shipped_heads(models_dir):
        head: TrainedRouter = _cached(path, TrainedRouter.load)
        if set(head.models) == wanted:
            return head.with_models(models, relative_costs)
    return load_difficulty(models_dir).with_models(models, relative_costs)


def load_ladder(models_dir: Path | None = None) -> LadderModel:
    """The shipped ladder model (``ladder.json``), loaded once per process."""
    return _cached((models_dir or MODELS_DIR) / LADDER_FILE, LadderModel.load)
