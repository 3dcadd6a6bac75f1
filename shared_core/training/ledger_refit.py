"""Re-fit the threshold rule's knob from logged outcomes (feedback and escalations).

See :mod:`.calibrate` for how outcomes and predicted scores are read from the ledger.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from ..config import RouterConfig
from ..errors import ConfigError, DataFormatError
from .knob_pick import check_unit


@dataclass(frozen=True)
class LedgerCalibration:
    """A threshold re-fitted from logged outcomes."""

    knob: float
    old_knob: float
    target_success: float
    calls: int
    """Calls with an outcome (feedback or escalation) and a predicted score."""
    score_source: str
    """Where predicted scores came from: ``scores`` (the records' ``router_scores``), or
    ``none`` for calls whose records carry none (written before 2026-12-05)."""
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
        # (no fallback to ``confidence``: how sure the router was of its choice, not a tier's score)
        tiers.append(first.tier)
        preds.append(pred)
        outs.append(out)
    if not any(p is not None for p in preds):
        used = "none"
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
    check_unit("target_success", target)
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
        unscored = len(preds) - len(have)
        why = (
            f" ({unscored} calls with an outcome carry no router scores: records written before "
            "2026-12-05 do not, nor calls decided by a classifier without tier scores)"
            if unscored else ""
        )
        raise DataFormatError(
            "ledger",
            f"only {len(have)} calls have both an outcome (feedback or escalation) and a predicted "
            f"score{why}; at least {min_calls} are needed: record feedback with router.record_feedback()",
        )
    x = np.array([p for p, _ in have])
    y = np.array([o for _, o in have])
    xs, fit = isotonic(x, y)
    ok = fit >= target - 1e-9
    old = config.policy.threshold
    if ok[0]:
        # success meets the target at the lowest score seen: nothing says the knob must go up
        # (the calls were routed with scores at or above it), and below that nothing was seen
        knob, met = min(old, float(xs[0])), True
        note = "success meets the target at every score seen: the knob does not go up"
    elif ok.any():
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
