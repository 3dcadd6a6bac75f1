"""The embedded default classifiers: small trained models shipped inside the package.

* :class:`EmbeddedClassifier` (``"embedded"``) predicts difficulty and maps it onto any
  number of tiers (cheapest first): ``scores[tier]`` is the predicted chance that the
  tier answers well, non-decreasing along the ladder.
* :class:`EmbeddedTaskClassifier` (``"embedded-task"``) predicts a task type
  (coding, math, knowledge_qa, creative_writing, ...) and maps it onto the user's own
  route labels; examples per label sharpen it with a nearest-centroid head.
* :func:`default_router_for` gives a :class:`~.trained.TrainedRouter` for a list of
  models: the shipped per-ladder head when the models match one it was trained for
  (per-model logistic heads, blended where it helps on dev with a compact kNN over the
  training prompts' sketches, see :mod:`.knn`), else the generic difficulty head spread
  over the ladder.

Weights are JSON + NPZ under ``shared_core/data/models`` (rebuild them with
``python -m shared_core.training.train_default``); they load lazily, once per process
(:mod:`.shipped`). The task model is :mod:`.task_model`, the greeting and bare-arithmetic
shortcuts :mod:`.ladder_shortcuts`; their names are re-exported here.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .._construct import construct
from ..errors import ConfigError
from ..request import Request
from .base import BaseClassifier, Classification
from .caps import REASONS as CAP_REASONS
from .caps import cap, why_capped
from .ladder import _levels_scores
from .ladder_model import LEVELS, LadderModel
from .ladder_shortcuts import _greeting_words, _is_bare_arithmetic, _is_greeting
from .lift import REASONS, lift, why_lifted
from .pasted import MIN_LETTER, ask_to_read
from .shipped import (  # re-exported: where the shipped models live and load
    DIFFICULTY_FILE,
    LADDER_FILE,
    MODELS_DIR,
    _cache,
    _cached,
    default_router_for,
    load_difficulty,
    load_ladder,
    shipped_heads,
)
from .split import NOTE_MAX, split_at, split_note
from .task_model import TASK_FILE, TASK_FORMAT, TYPE_EASE, TaskModel, _softmax, load_task_model
from .trained import TrainedRouter

__all__ = [
    "DIFFICULTY_FILE", "LADDER_FILE", "MODELS_DIR", "OOD_CONFIDENCE", "TASK_FILE", "TASK_FORMAT", "TYPE_EASE",
    "EmbeddedClassifier", "TaskModel", "_cache", "_cached", "_greeting_words", "_is_bare_arithmetic",
    "_is_greeting", "_softmax", "default_router_for", "load_difficulty", "load_ladder", "load_task_model",
    "shipped_heads",
]

OOD_CONFIDENCE = 0.35
"""Confidence reported for a request unlike the training data (it is sent one level up)."""


class EmbeddedClassifier(BaseClassifier):
    """Difficulty for any tier ladder from the shipped ladder model; no network, well under 1 ms.

    ``bind_labels(tier_names)`` (cheapest first, 1..N tiers) fixes the ladder. The
    shipped :class:`~.ladder_model.LadderModel` gives the probability of each of the four
    ladder levels (simple, medium, complex, frontier); tier ``i`` of ``N`` scores the
    probability that the request needs at most its band of the ladder (see
    :func:`~.ladder.difficulty_to_tier_scores`), so scores never fall along the ladder
    and with the default knob 0.5 the chosen tier holds the median level.

    ``confidence`` is the calibrated probability that the chosen tier is the right one
    (isotonic on cross-validated predictions). A request unlike the training data
    (feature coverage below the model's ``ood_coverage``) is moved one level up and
    reported with confidence :data:`OOD_CONFIDENCE`; ``extra["ood"]`` says so.

    A long message that opens or closes with a short ask about pasted prose or data ("What
    was the churn rate?" after a report) is placed by the ask alone (``extra["read"]`` is
    ``"ask"``), at least at ``medium`` when the ask is carried out over all of it ("List the
    action items"); over code or logs, or when the ask names no task of its own
    ("Thoughts?"), the whole message is read (:mod:`.pasted`). ``pasted_asks=False`` (config:
    ``options: {pasted_asks: false}``) always reads the whole message.

    A short last message that asks to debug or fix the code, logs or tool calls of the earlier
    turns ("still failing, find out why and fix it") is placed at least at ``complex``
    (:mod:`.context_ask`; ``context_asks=False`` turns that off), and so is a short competition
    problem ("the remainder of 3^2024 divided by 7", :mod:`.competition`; ``short_problems=False``
    turns that off). A short ask what a
    quoted error message means ("what does `KeyError: 'id'` mean and where do I look first?") is
    placed at most at ``medium``, and so is a short ask for one regex, cron line or spreadsheet formula
    (:mod:`.caps`).
    A short ask to design a large system ("How would you design a distributed cache?") has its lower
    half moved to ``frontier`` (:mod:`.system_design`), a haiku or a slogan is kept at ``medium`` at most
    (:mod:`.short_forms`), and a reading split between both ends with little at the median keeps the
    median level and says so in the reasons (:mod:`.split`).
    """

    name = "embedded"

    def __init__(
        self,
        labels: Sequence[str] | None = None,
        *,
        models_dir: str | Path | None = None,
        pasted_asks: bool = True,
        context_asks: bool = True,
        short_problems: bool = True,
    ) -> None:
        flags = (("pasted_asks", pasted_asks), ("context_asks", context_asks), ("short_problems", short_problems))
        for name, value in flags:
            if not isinstance(value, bool):
                raise ConfigError(
                    f"the embedded classifier's {name} option must be true or false",
                    field=f"classifier.options.{name}",
                    value=value,
                )
        self.pasted_asks = pasted_asks
        self.context_asks = context_asks
        self.short_problems = short_problems
        """Whether a short competition problem is placed at least at ``complex`` (:mod:`.competition`)."""
        self.snippet_asks = True
        """Whether a message too short for the pasted-document reading that asks to explain the code it
        carries is read as that ask, at ``medium`` (:func:`~.pasted.snippet_ask`; an attribute, not a
        config option: off only to measure the rule)."""
        self.light_asks = True
        """Whether a short ask what a quoted error message means, or for one regex, cron line or
        spreadsheet formula, is placed at most at ``medium`` (:mod:`.caps`; an attribute, not a config
        option: off only to measure the rules)."""
        self.short_designs = True
        """Whether a short system design goes up and a haiku or a slogan down, and a split reading is named
        in the reasons (:mod:`.system_design`, :mod:`.short_forms`, :mod:`.split`; off only to measure the
        rules)."""
        self._dir = Path(models_dir) if models_dir else None
        self._labels = list(labels) if labels else ["simple", "medium", "complex", "frontier"]
        self._router: TrainedRouter | None = None
        self._ladder: LadderModel | None = None

    @property
    def router(self) -> TrainedRouter:
        """The generic benchmark difficulty head (for :func:`default_router_for` users)."""
        if self._router is None:
            self._router = load_difficulty(self._dir)
        return self._router

    @property
    def ladder(self) -> LadderModel:
        model = self._ladder
        if model is None:
            model = load_ladder(self._dir)  # cached and locked: threads share one load
            self._ladder = model
        return model

    def bind_labels(self, labels: list[str]) -> EmbeddedClassifier:
        if not labels:
            raise ConfigError(
                "the embedded classifier needs at least one tier", field="tiers", value=labels
            )
        self._labels = list(labels)
        return self

    def level_probs(self, text: str, ask_start: int = 0) -> tuple[np.ndarray, bool, float]:
        """``(probabilities of the four levels, out of distribution?, coverage)``.

        ``ask_start``: where the last user message begins in ``text`` (``Request.ask_start``).
        """
        p, ood, cov, _, _ = self._levels(text, ask_start)
        return np.array(p), ood, cov

    def _levels(self, text: str, ask_start: int) -> tuple[list[float], bool, float, bool, str]:
        """:meth:`level_probs` with the probabilities as a list (the per-request path), whether a
        pasted document's ask was read alone, and why the request was moved (:func:`~.lift.why_lifted`,
        :func:`~.caps.why_capped`) or what the reasons say of a split reading (:mod:`.split`); ``""``: none."""
        m = self.ladder
        whole = text
        text = m.view(text, ask_start)  # the last user message, for models that read only it
        ask = ask_to_read(text, snippets=self.snippet_asks) if self.pasted_asks and len(text) * 3 >= MIN_LETTER else None
        if ask is not None:
            text = ask.text
        # (the words it read, when it read them: see below; and the tokens for the coverage)
        p, toks, read_toks = m.proba_words(text)
        if ask is None:
            pass
        elif ask.over_code == "look-up":  # "which port does it listen on?" over a config
            p = [p[0] + p[1] + p[2], p[3], 0.0, 0.0]
        elif ask.over_code == "explain":  # "explain what this script does": medium, complex at most
            p = [0.0, p[0] + p[1] + p[2], p[3], 0.0]
        elif ask.over_all:  # "Summarise this:", "List the dates": all of it, at least medium
            p = [0.0, p[0] + p[1], *p[2:]]
        # "fix both failures" after the tests ran; "the remainder of 2^2025 divided by 1000" (:mod:`.lift`)
        on = self.short_designs
        lifted = why_lifted(
            p, text, whole, ask_start, problems=self.short_problems, earlier=self.context_asks, designs=on, forms=on
        )
        if lifted:
            p = lift(p, lifted)
        # "what does `KeyError: 'id'` mean?", "cron expression for weekdays at 7:30": at most medium (:mod:`.caps`)
        # (a message read whole: the ask of a pasted document may be only its lead-in, "I have these tables:")
        capped = "" if lifted or ask is not None or not self.light_asks else why_capped(p, text)
        if capped:
            p = cap(p)
        cov = m.coverage(text, read_toks)
        ood = cov < m.ood_coverage
        t = text.strip()
        if ask is None and not lifted and (
            (len(t) <= 40 and (_is_greeting(t) if toks is None else _greeting_words(toks)))
            # (words of letters only: no digit anywhere, so no calculation to look for)
            or ((toks is None or not all(map(str.isalpha, toks))) and _is_bare_arithmetic(t))
        ):
            p = [1.0, 0.0, 0.0, 0.0]  # greetings and "what is 17*23?": any model
            ood, capped = False, ""
        elif ood and not lifted and not capped:  # (a rule's decision stands)
            p = [0.0, *p[:-2], p[-2] + p[-1]]  # unsure: one level up
        elif not lifted and not capped and on and (m_split := split_at(p, NOTE_MAX)) >= 0:
            # both ends likely, the middle not: the median level kept, and the reasons say so (a step up
            # was tried: on blind set N it sent a tier-2 follow-up to frontier, and on the choosing sets it
            # fixed as many requests as it sent a level further off)
            lifted = split_note(p, m_split, LEVELS)
        return p, bool(ood), cov, ask is not None, lifted or capped

    def ease(self, text: str) -> float:
        """Predicted ease of ``text`` in [0, 1]: 1 - expected level / 3 (1 = the cheapest will do)."""
        r = Request.coerce(text)
        p, _, _ = self.level_probs(r.text, r.ask_start)
        return float(1.0 - p @ np.arange(4) / 3.0)

    def _scores(self, p: Sequence[float]) -> list[float]:
        if len(self._labels) == len(LEVELS):  # one tier per level: the cumulative mass
            acc, out = 0.0, []
            for q in p[:-1]:
                acc = min(1.0, acc + q)
                out.append(acc)
            return [*out, 1.0]
        return _levels_scores(p, len(self._labels))  # (p: Python floats, from _levels)

    def _classify(self, request: Request) -> Classification:
        pl, ood, cov, read_ask, lifted = self._levels(request.text, request.ask_start)
        vals = self._scores(pl)
        m = self.ladder
        calibrate = m.calibrator(m.view(request.text, request.ask_start))  # (its language group's curve)
        # each tier's own (a knob or a rule may choose another tier than the median one): the
        # calibrated mass of its band; the chosen tier is the first to reach 0.5
        per_tier = []
        chosen = -1
        below = 0.0
        for i, v in enumerate(vals):
            per_tier.append(calibrate(v - below))
            if chosen < 0 and v >= 0.5:
                chosen = i
            below = v
        if chosen < 0:  # (the last tier scores 1.0: never; as before, StopIteration)
            chosen = next(i for i, v in enumerate(vals) if v >= 0.5)
        conf = OOD_CONFIDENCE if ood else per_tier[chosen]
        if ood:  # unlike the training data: no tier is sure
            per_tier = [min(c, OOD_CONFIDENCE) for c in per_tier]
        per_tier[chosen] = conf
        level = pl.index(max(pl))
        reason = _LEVELS_REASON % tuple(pl)
        if read_ask:
            reason += "; a short ask about a pasted document: the ask read alone"
        if lifted:
            reason += REASONS.get(lifted) or CAP_REASONS.get(lifted, lifted)
        if ood:
            reason += f"; unlike the training data (coverage {cov:.2f}): one level up"
        return construct(Classification, {  # the frozen dataclass's __init__ in one step
            "scores": dict(zip(self._labels, vals)),
            "confidence": conf,
            "classifier": self.name,
            "reasons": (reason,),
            "extra": {"levels": pl, "level": LEVELS[level], "ood": ood, "coverage": cov,
                      "tier_confidence": per_tier, "read": "ask" if read_ask else "message"},
        })

    def predict_batch(self, texts: Sequence[str]) -> np.ndarray:
        """Tier scores for many texts, shape ``(n, n_tiers)`` (same values as :meth:`classify`)."""
        out = np.zeros((len(texts), len(self._labels)))
        for i, t in enumerate(texts):
            r = Request.coerce(t)
            out[i] = self._scores(self._levels(r.text, r.ask_start)[0])
        return out


_LEVELS_REASON = "levels " + " ".join(f"{n} %.2f" for n in LEVELS)
