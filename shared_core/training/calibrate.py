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

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..config import RouterConfig
from ..errors import ConfigError, DataFormatError
from . import metrics as M
from .data import Dataset
from .evaluate import EvalResult, evaluate


@dataclass(frozen=True)
class CalibrationResult:
    """The chosen knob and what it is expected to give on the calibration rows."""

    knob: float
    target: str
    met: bool
    rule: str
    quality: float
    quality_share: float
    """Quality as a share of the best single model's quality."""
    cost_per_1k: float
    """Mean USD per 1,000 requests."""
    strong_share: float
    note: str = ""
    folds: int = 0
    """Folds the margin was taken over (0: no margin)."""
    fold_bound: float | None = None
    """The bound checked at the chosen knob: the folds' quality share minus one standard
    deviation (quality target), or strong share / USD per 1k plus one (caps)."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def pick_knob(
    result: EvalResult,
    ds: Dataset,
    *,
    target_quality: float | None = None,
    max_strong_share: float | None = None,
    budget_per_1k: float | None = None,
    folds: int = 5,
    seed: int = 0,
) -> CalibrationResult:
    """Choose a knob on an evaluated sweep for exactly one target (with a margin over ``folds``)."""
    given = [x is not None for x in (target_quality, max_strong_share, budget_per_1k)]
    if sum(given) != 1:
        raise ConfigError(
            "give exactly one target: target_quality, max_strong_share or budget_per_1k",
            field="target",
        )
    cv = result.curve
    ref = M.Reference.of(ds.scores, ds.costs)
    q_best = float(ref.q_single[ref.best])
    q, cost, share = cv.quality, cv.cost, cv.strong_share
    idx = np.arange(len(cv))
    bound = _fold_bounds(result, ds, folds, seed)
    if bound is None:
        folds = 0
    fold_bound: float | None = None
    pooled = False
    if target_quality is not None:
        _check_unit("target_quality", target_quality)
        goal = target_quality * q_best
        ok = q >= goal - 1e-9
        pooled = bool(ok.any())
        if bound is not None:
            ok &= bound[0] >= target_quality - 1e-9
        target = f"quality >= {target_quality:.3g} x best model ({goal:.4f})"
        if ok.any():
            best = _middle(idx[ok], cost[ok], -q[ok], cv.knobs[ok])
            met = True
        else:
            best = _middle(idx, -q, cost, cv.knobs)
            met = False
    elif max_strong_share is not None:
        _check_unit("max_strong_share", max_strong_share)
        ok = share <= max_strong_share + 1e-9
        pooled = bool(ok.any())
        if bound is not None:
            ok &= bound[1] <= max_strong_share + 1e-9
        target = f"share of calls to the strongest model <= {max_strong_share:.3g}"
        met = bool(ok.any())
        best = (
            _middle(idx[ok], -q[ok], cost[ok], cv.knobs[ok])
            if met
            else _middle(idx, share, cost, cv.knobs)
        )
    else:
        assert budget_per_1k is not None
        if not budget_per_1k > 0:
            raise ConfigError(
                f"budget_per_1k must be > 0 USD, got {budget_per_1k!r}",
                field="budget_per_1k",
                value=budget_per_1k,
            )
        ok = cost * 1000.0 <= budget_per_1k * (1 + 1e-9)
        pooled = bool(ok.any())
        if bound is not None:
            ok &= bound[2] * 1000.0 <= budget_per_1k * (1 + 1e-9)
        target = f"cost <= ${budget_per_1k:.4g} per 1,000 requests"
        met = bool(ok.any())
        best = (
            _middle(idx[ok], -q[ok], cost[ok], cv.knobs[ok])
            if met
            else _middle(idx, cost, -q, cv.knobs)
        )
    note = "" if met else "target not reachable on these rows: the closest point was chosen"
    if not met and folds and pooled:
        note = (
            f"target not met with a margin on {folds} held-out folds: the closest point was "
            "chosen (folds=0 / --no-margin checks the pooled rows only)"
        )
    if bound is not None:
        which = 0 if target_quality is not None else 1 if max_strong_share is not None else 2
        fold_bound = float(bound[which][best]) * (1000.0 if which == 2 else 1.0)
    return CalibrationResult(
        knob=float(cv.knobs[best]),
        target=target,
        met=met,
        rule=result.rule,
        quality=float(q[best]),
        quality_share=float(q[best] / q_best) if q_best > 0 else float("nan"),
        cost_per_1k=float(cost[best] * 1000.0),
        strong_share=float(share[best]),
        note=note,
        folds=folds,
        fold_bound=fold_bound,
    )


def _fold_bounds(
    result: EvalResult, ds: Dataset, folds: int, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Per knob point, over held-out folds: (quality share - 1 sd, strong share + 1 sd, cost + 1 sd)."""
    if folds < 2 or len(ds) < 10 * folds:
        return None
    from . import cv as CV

    groups = CV.near_duplicate_groups(ds.texts)
    if len(set(groups.tolist())) < folds:
        return None
    fold = CV.assign_folds(groups, [r.task for r in ds.rows], folds, seed)
    ch = result.choices
    k = ds.scores.shape[1]
    qs, ss, cs = [], [], []
    for f in range(folds):
        rows = np.flatnonzero(fold == f)
        s, c = ds.scores[rows], ds.costs[rows]
        q_best = float(s.mean(0).max()) or 1.0
        pick = ch[:, rows]
        qs.append(s[np.arange(len(rows))[None, :], pick].mean(1) / q_best)
        cs.append(c[np.arange(len(rows))[None, :], pick].mean(1))
        ss.append((pick == k - 1).mean(1))
    Q, Sh, Co = np.array(qs), np.array(ss), np.array(cs)
    return (
        Q.mean(0) - Q.std(0, ddof=1),
        Sh.mean(0) + Sh.std(0, ddof=1),
        Co.mean(0) + Co.std(0, ddof=1),
    )


def _middle(idx: np.ndarray, key1: np.ndarray, key2: np.ndarray, knobs: np.ndarray) -> int:
    """Index minimising (key1, key2); among exact ties, the median knob of the run."""
    order = np.lexsort((knobs, key2, key1))
    first = order[0]
    tied = [i for i in order if key1[i] == key1[first] and key2[i] == key2[first]]
    return int(idx[tied[len(tied) // 2]])


def _check_unit(name: str, v: float) -> None:
    if not 0.0 <= v <= 1.0:
        raise ConfigError(f"{name} must be in [0, 1], got {v!r}", field=name, value=v)


def calibrate(
    router: Any,
    ds: Dataset,
    *,
    folds: int = 5,
    target_quality: float | None = None,
    max_strong_share: float | None = None,
    budget_per_1k: float | None = None,
) -> tuple[CalibrationResult, EvalResult]:
    """Evaluate ``router`` on ``ds`` and :func:`pick_knob` for the target (margin over ``folds``)."""
    result = evaluate(router, ds)
    cal = pick_knob(
        result,
        ds,
        target_quality=target_quality,
        max_strong_share=max_strong_share,
        budget_per_1k=budget_per_1k,
        folds=folds,
    )
    return cal, result


def check_tier_count(cfg: RouterConfig, n_models: int) -> None:
    """A difficulty config must have one tier per calibration model (else the knob would
    mean something else there): :class:`ConfigError` when it does not."""
    if cfg.mode == "difficulty" and len(cfg.tiers) != n_models:
        raise ConfigError(
            f"the config has {len(cfg.tiers)} tiers ({cfg.tier_names}) but the calibration data has "
            f"{n_models} models: calibrate on data whose models match the tiers, cheapest first",
            field="tiers",
            value=cfg.tier_names,
        )


def apply_to_config(
    config: RouterConfig | str | Path,
    knob: float,
    *,
    rule: str | None = None,
    router_path: str | Path | None = None,
    output: str | Path | None = None,
    n_models: int | None = None,
) -> RouterConfig:
    """A copy of ``config`` with ``policy.threshold`` (and ``rule``, classifier path) set.

    ``n_models``: the number of models the knob was calibrated on; a config with a
    different number of tiers is refused (the knob would mean something else there).
    Written to ``output`` when given (YAML/TOML/JSON by suffix).
    """
    cfg = config if isinstance(config, RouterConfig) else RouterConfig.from_file(config)
    if n_models is not None:
        check_tier_count(cfg, n_models)
    data = cfg.to_dict()
    data.setdefault("policy", {})["threshold"] = float(knob)
    if rule is not None:
        data["policy"]["rule"] = rule
    if router_path is not None:
        rp = Path(router_path).resolve()
        if output is not None:
            try:
                rp = rp.relative_to(Path(output).resolve().parent)
            except ValueError:
                pass
        data["classifier"] = {"type": "trained", "path": str(rp)}
    new = RouterConfig.build(data, source=str(output) if output else cfg.source_path)
    if output is not None:
        edits: list[tuple[tuple[str, ...], Any]] = [(("policy", "threshold"), float(knob))]
        if rule is not None and rule != cfg.policy.rule:
            edits.append((("policy", "rule"), rule))
        if router_path is not None:
            edits.append((("classifier",), data["classifier"]))
        if not _edit_yaml(cfg.source_path, output, edits):
            new.to_file(output)
    return new


def _edit_yaml(
    source: str | None, output: str | Path, edits: list[tuple[tuple[str, ...], Any]]
) -> bool:
    """Write ``output`` as the YAML ``source`` with only ``edits`` changed (comments, order
    and every other line kept); ``False`` when either file is not YAML."""
    yaml_suffixes = (".yaml", ".yml")
    if source is None or Path(source).suffix.lower() not in yaml_suffixes:
        return False
    if Path(output).suffix.lower() not in yaml_suffixes:
        return False
    from ..yaml_edit import set_value

    text = Path(source).read_text(encoding="utf-8")
    for path, value in edits:
        text = set_value(text, path, value)
    Path(output).write_text(text, encoding="utf-8")
    return True


# -- from the ledger ---------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerCalibration:
    """A threshold re-fitted from logged outcomes."""

    knob: float
    old_knob: float
    target_success: float
    calls: int
    """Calls with an outcome (feedback or escalation) and a predicted score."""
    score_source: str
    """Where predicted scores came from: ``scores`` or ``confidence``."""
    per_tier: dict[str, dict[str, float]] = field(default_factory=dict)
    """Observed success rate and count of first attempts per tier."""
    met: bool = True
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def ledger_outcomes(
    records: Sequence[Any], feedback: Sequence[Any], tier_names: Sequence[str]
) -> tuple[list[str], list[float | None], list[float], str]:
    """Per call with an outcome: first tier, its predicted score (or None), outcome in [0, 1]."""
    by_call: dict[str, list[Any]] = defaultdict(list)
    for r in records:
        by_call[r.call_id].append(r)
    user_fb: dict[str, list[float]] = defaultdict(list)
    failed: set[str] = set()
    for f in feedback:
        if getattr(f, "source", "user") == "escalation":
            failed.add(f.call_id)
        else:
            user_fb[f.call_id].append(float(f.score))
    tiers, preds, outs = [], [], []
    used = "scores"
    for cid, recs in by_call.items():
        first = min(recs, key=lambda r: (getattr(r, "attempt", 0), r.ts))
        if first.tier not in tier_names:
            continue
        escalated = cid in failed or any(getattr(r, "escalated", False) for r in recs)
        if escalated:
            out = 0.0
        elif user_fb.get(cid):
            out = float(np.mean(user_fb[cid]))
        else:
            continue
        scores = getattr(first, "scores", None) or (getattr(first, "metadata", None) or {}).get(
            "router_scores"
        )
        pred: float | None = None
        if isinstance(scores, dict) and first.tier in scores:
            pred = float(scores[first.tier])
        elif getattr(first, "confidence", None) is not None:
            pred = float(first.confidence)
            used = "confidence"
        tiers.append(first.tier)
        preds.append(pred)
        outs.append(out)
    return tiers, preds, outs, used


def isotonic(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pool-adjacent-violators: non-decreasing fit of ``y`` on sorted ``x`` (x, fitted)."""
    order = np.argsort(x, kind="stable")
    xs, ys = np.asarray(x, float)[order], np.asarray(y, float)[order]
    blocks: list[list[float]] = []  # [sum, count]
    for v in ys:
        blocks.append([v, 1.0])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            s, c = blocks.pop()
            blocks[-1][0] += s
            blocks[-1][1] += c
    fit = np.concatenate([[b[0] / b[1]] * int(b[1]) for b in blocks])
    return xs, fit


def refit_from_ledger(
    ledger: Any,
    config: RouterConfig,
    *,
    target_success: float | None = None,
    min_calls: int = 20,
) -> LedgerCalibration:
    """Re-fit ``policy.threshold`` from the ledger's feedback and escalations."""
    if config.policy.rule != "threshold":
        raise ConfigError(
            f"--from-ledger re-fits the 'threshold' rule, but policy.rule is {config.policy.rule!r}; "
            "calibrate that rule on a dev file instead (tier-router calibrate --data ...)",
            field="policy.rule",
            value=config.policy.rule,
        )
    target = config.policy.threshold if target_success is None else float(target_success)
    _check_unit("target_success", target)
    tiers, preds, outs, used = ledger_outcomes(
        ledger.records(), ledger.feedback(), config.tier_names
    )
    per_tier: dict[str, dict[str, float]] = {}
    for name in config.tier_names:
        vals = [o for t, o in zip(tiers, outs) if t == name]
        if vals:
            per_tier[name] = {"calls": float(len(vals)), "success": float(np.mean(vals))}
    have = [(p, o) for p, o in zip(preds, outs) if p is not None]
    if len(have) < min_calls:
        raise DataFormatError(
            "ledger",
            f"only {len(have)} calls have both an outcome (feedback or escalation) and a predicted "
            f"score; at least {min_calls} are needed: record feedback with router.record_feedback()",
        )
    x = np.array([p for p, _ in have])
    y = np.array([o for _, o in have])
    xs, fit = isotonic(x, y)
    ok = fit >= target - 1e-9
    old = config.policy.threshold
    if ok.any():
        knob, met, note = float(xs[np.argmax(ok)]), True, ""
    else:
        knob, met = 1.0, False
        note = f"no predicted score reaches {target:.2f} observed success: threshold set to 1.0 (strongest)"
    return LedgerCalibration(
        knob=round(min(1.0, max(0.0, knob)), 6),
        old_knob=old,
        target_success=target,
        calls=len(have),
        score_source=used,
        per_tier=per_tier,
        met=met,
        note=note,
    )
