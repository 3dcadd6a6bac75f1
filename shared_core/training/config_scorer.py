"""Score dev rows with a config's own classifier, so ``calibrate`` measures what it routes with.

``tier-router calibrate`` without ``--router`` picks the knob of the classifier the config
names (``embedded``, ``trained`` with its ``path``, ``rules``, ``embedding``, a
``cascade`` of those ...): :class:`ConfigScorer` builds it as :class:`~shared_core.Router`
does and gives :func:`~.evaluate.evaluate` the per-tier scores a router on that config
would see for each prompt, with the config's rule and tier prices. A request the
classifier is unsure about (confidence below ``policy.min_confidence``) is moved one tier
up, or to ``policy.fallback_tier``, as the router moves it.

:func:`check_calibratable` refuses, before anything is scored or written, configs whose
knob cannot be measured this way: a ``task`` config (the knob does not choose its tier), a
classifier that asks an LLM (``judge``, or a cascade with a judge stage: scoring the dev
rows would cost money), and an unsure rule the sweep cannot express.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from ..config import ClassifierConfig, RouterConfig
from ..errors import ConfigError

_BELOW = -1.0
"""A score no knob in [0, 1] reaches (that tier is never chosen by the threshold rule)."""
_ABOVE = 2.0
"""A score every knob in [0, 1] reaches."""


@dataclass(frozen=True)
class MeasuredClassifier:
    """Which classifier the calibration figures were measured on."""

    type: str
    path: str | None
    """The classifier's file (a trained router or head), when it has one."""
    source: str
    """``config`` (the config's own classifier) or ``--router``."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self, config_path: str | None = None) -> str:
        """One line for the CLI: ``trained router /x/router.json (--router)`` ..."""
        what = f"trained router {self.path}" if self.type == "trained" else self.type
        if self.type != "trained" and self.path:
            what += f" {self.path}"
        if self.source == "config":
            where = "the config's classifier" + (f", {config_path}" if config_path else "")
        else:
            where = self.source
        return f"{what} ({where})"


def measured(config: RouterConfig) -> MeasuredClassifier:
    """The config's own classifier, as :class:`MeasuredClassifier`."""
    c = config.classifier
    path = str(config.resolve_path(c.path)) if c.path else None
    return MeasuredClassifier(type=c.type, path=path, source="config")


def _llm_stage(c: ClassifierConfig, where: str = "classifier") -> str | None:
    """Where a judge (an LLM call per prompt) sits in ``c``, else ``None``."""
    if c.type == "judge":
        return where
    for i, st in enumerate(c.stages):
        found = _llm_stage(st, f"{where}.stages[{i}]")
        if found:
            return found
    return None


def check_calibratable(config: RouterConfig) -> None:
    """Raise :class:`ConfigError` when the config's own classifier cannot be calibrated
    on a dev file (see the module docstring); the message says what to pass instead."""
    if config.mode != "difficulty":
        raise ConfigError(
            f"calibrate sets policy.threshold, but this config has mode {config.mode!r}: its "
            "tier follows the classifier's route, not the knob, so there is nothing to "
            "calibrate; use a mode 'difficulty' config",
            field="mode",
            value=config.mode,
        )
    c = config.classifier
    judge = _llm_stage(c)
    if judge is not None:
        how = "every prompt" if judge == "classifier" else f"some prompts ({judge} is a judge)"
        raise ConfigError(
            f"classifier type {c.type!r} asks an LLM for {how}: calibrate does not pay to "
            "score dev rows with it. Pass --router ROUTER.json (a trained router, written into "
            "the config), or calibrate a config whose classifier runs offline (embedded, "
            "trained, rules, embedding)",
            field="classifier.type",
            value=c.type,
        )
    pol = config.policy
    if pol.min_confidence > 0 and pol.rule != "threshold":
        raise ConfigError(
            f"policy.min_confidence {pol.min_confidence:g} with rule {pol.rule!r}: calibrate can "
            "replay the unsure step (one tier up / fallback_tier) only for the 'threshold' rule; "
            "set policy.min_confidence: 0 or rule: threshold, or pass --router ROUTER.json",
            field="policy.min_confidence",
            value=pol.min_confidence,
        )


class ConfigScorer:
    """A :class:`~.evaluate.ScoringRouter` over a config's own classifier.

    ``predict(texts)`` gives, per prompt, the tier scores a :class:`~shared_core.Router`
    on ``config`` passes to the policy; an unsure prompt's scores are shifted so that the
    threshold rule lands where the router's unsure step would (one tier up, or
    ``fallback_tier``) at every knob.
    """

    def __init__(self, config: RouterConfig, router: Any = None) -> None:
        check_calibratable(config)
        if router is None:
            from ..ledger import InMemoryLedger
            from ..router import Router

            # no ledger file or telemetry is opened: scoring calls no model
            router = Router(config, ledger=InMemoryLedger(), telemetry=False)
        self.config = config
        self._router = router
        self.rule = config.policy.rule
        self.relative_costs = list(router.relative_costs())
        self.measured = measured(config)
        self._tiers = list(config.tier_names)

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        router, tiers, pol = self._router, self._tiers, self.config.policy
        clf = router.classifier
        out = np.empty((len(texts), len(tiers)), dtype=float)
        for row, text in enumerate(texts):
            cls = clf.classify(router.request(text))
            scores = [float(cls.scores.get(t, 0.0)) for t in tiers]
            if not cls.scores:
                if self.rule == "utility":
                    raise ConfigError(
                        f"the classifier gave no scores for a dev prompt ({text[:60]!r}); with "
                        "rule 'utility' calibrate cannot replay the router's fallback for it",
                        field="policy.rule",
                        value=self.rule,
                    )
                fixed = tiers.index(pol.fallback_tier) if pol.fallback_tier else len(tiers) - 1
                scores = _fixed(len(tiers), fixed)
            elif cls.confidence < pol.min_confidence:
                if pol.unsure_go_up:
                    # the first tier clearing the knob, then one up: tier i gets tier i-1's score
                    scores = [_BELOW, *scores[:-1]]
                elif pol.fallback_tier is not None:
                    scores = _fixed(len(tiers), tiers.index(pol.fallback_tier))
            out[row] = scores
        return out


def _fixed(n: int, idx: int) -> list[float]:
    """Scores with which the threshold and margin rules pick tier ``idx`` at every knob."""
    return [_ABOVE if i == idx else _BELOW for i in range(n)]
