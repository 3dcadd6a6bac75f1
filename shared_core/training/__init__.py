"""Training, evaluation and calibration of routers on per-prompt benchmark data.

Submodules (imported on use, so ``import shared_core`` stays cheap):

* :mod:`.data` - load and validate ``<source>_<split>.jsonl`` + ``<source>_models.json``;
* :mod:`.metrics` - APGR / CPT / cost to reach 95% and the baselines;
* :mod:`.evaluate` - sweep a router's knob and compute the metrics, decisions, plot;
* :mod:`.calibrate` - pick the knob for a target, or re-fit it from the ledger;
* :mod:`.train` - fit a router (``train_router``).
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "load_dataset": ".data",
    "load_models": ".data",
    "load_rows": ".data",
    "Dataset": ".data",
    "Row": ".data",
    "ModelsMeta": ".data",
    "EvalResult": ".evaluate",
    "pick_knob": ".calibrate",
    "refit_from_ledger": ".calibrate",
    "train_router": ".train",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    mod = _LAZY.get(name)
    if mod is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(mod, __name__), name)
