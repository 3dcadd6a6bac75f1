"""Pick the knob (``policy.threshold``) for a target, and write it into a config.

Two ways:

* **On a dev file** (:func:`pick_knob` / :func:`calibrate`): sweep the router (see
  :mod:`.evaluate`) and choose, among real operating points,

  - ``target_quality=0.95``: the cheapest point reaching 95% of the best single model's
    quality (if none does, the best-quality point, flagged ``met=False``);
  - ``max_strong_share=0.2``: the best-quality point sending at most 20% of calls to the
    strongest model;
  - ``budget_per_1k=0.5``: the best-quality point costing at most $0.50 per 1,000 requests.

  Among points with the same cost and quality (the same decisions), the middle knob of the
  run is chosen, so a small shift on new traffic does not flip decisions.

  **With a margin** (``folds=5``, the default): the rows are split into grouped folds (see
  :mod:`.cv`) and a point counts only if it meets the target on held-out folds with room
  to spare: the folds' mean minus one standard deviation reaches the quality target (mean
  plus one standard deviation stays under a strong-share or budget cap). A knob fitted
  exactly to the calibration rows would miss the target on about half of new samples;
  this one misses it on about one in six. ``folds=0`` turns the margin off.

* **From the ledger** (:func:`refit_from_ledger`): logged outcomes re-fit the threshold
  rule. Each call's first attempt gives the routed tier and its predicted score; its outcome
  is 0 when the call escalated (an ``escalation`` feedback or an escalated attempt), else the
  mean user feedback score. An isotonic fit maps predicted score to observed success and the
  new threshold is the smallest predicted score whose observed success reaches the target
  (default: the current threshold, read as "the chance of answering well I asked for").
  The predicted score is read from the record's ``scores`` (attribute or
  ``metadata["router_scores"]``), else its ``confidence``.
"""

from __future__ import annotations

from .knob_pick import CalibrationResult, calibrate, pick_knob
from .knob_write import apply_to_config, check_tier_count
from .ledger_refit import LedgerCalibration, isotonic, ledger_outcomes, refit_from_ledger

__all__ = [
    "CalibrationResult",
    "LedgerCalibration",
    "apply_to_config",
    "calibrate",
    "check_tier_count",
    "isotonic",
    "ledger_outcomes",
    "pick_knob",
    "refit_from_ledger",
]
