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
``python -m shared_core.training.train_default``); they load lazily, once per process.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .._construct import construct
from ..errors import ConfigError, DataFormatError
from ..features import FeatureExtractor
from ..request import Request
from .base import BaseClassifier, Classification
from .files import WEIGHTS_HASH, read_weights, write_json
from .ladder import _levels_scores
from .ladder_model import LEVELS, LadderModel
from .lift import REASONS, lift, why_lifted
from .pasted import MIN_LETTER, ask_to_read
from .split import NOTE_MAX, OWN_MAX, SplitReason, split_at, split_note, split_reason, step_up
from .trained import TrainedRouter, dense_rows, read_json_safely, sparse_rows, write_npz

MODELS_DIR = Path(__file__).resolve().parent.parent / "data" / "models"
TASK_FORMAT = "tier-router.task-model"
DIFFICULTY_FILE = "difficulty.json"
TASK_FILE = "task.json"
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


# Prior ease of each shipped task type (1 = a small model will do); used by the task
# classifier's callers and kept for configs that refer to it.
TYPE_EASE: dict[str, float] = {
    "knowledge_qa": 0.85,
    "classification": 0.8,
    "extraction": 0.75,
    "rewrite_paraphrase": 0.8,
    "summarization": 0.7,
    "roleplay": 0.65,
    "creative_writing": 0.65,
    "knowledge_mcq": 0.55,
    "constrained_generation": 0.5,
    "coding": 0.35,
    "reasoning_mcq": 0.4,
    "reasoning": 0.25,
    "math": 0.25,
}

OOD_CONFIDENCE = 0.35
"""Confidence reported for a request unlike the training data (it is sent one level up)."""


def load_ladder(models_dir: Path | None = None) -> LadderModel:
    """The shipped ladder model (``ladder.json``), loaded once per process."""
    return _cached((models_dir or MODELS_DIR) / LADDER_FILE, LadderModel.load)


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
    problem ("the remainder of 3^2024 divided by 7", :mod:`.competition`). A short ask to design a
    large system ("How would you design a distributed cache?") has its lower half moved to ``frontier``
    (:mod:`.system_design`), a haiku or a slogan is kept at ``medium`` at most (:mod:`.short_forms`),
    and a reading split between both ends with little at the median goes one step up (:mod:`.split`).
    """

    name = "embedded"

    def __init__(
        self,
        labels: Sequence[str] | None = None,
        *,
        models_dir: str | Path | None = None,
        pasted_asks: bool = True,
        context_asks: bool = True,
    ) -> None:
        for name, value in (("pasted_asks", pasted_asks), ("context_asks", context_asks)):
            if not isinstance(value, bool):
                raise ConfigError(
                    f"the embedded classifier's {name} option must be true or false",
                    field=f"classifier.options.{name}",
                    value=value,
                )
        self.pasted_asks = pasted_asks
        self.context_asks = context_asks
        self.short_problems = True
        """Whether a short competition problem is placed at least at ``complex`` (:mod:`.competition`;
        an attribute, not a config option: off only to measure the rule)."""
        self.short_designs = True
        """Whether a short system design goes up, a haiku or a slogan down, and a split reading one step
        up (:mod:`.system_design`, :mod:`.short_forms`, :mod:`.split`; off only to measure the rules)."""
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
        or, for a split reading taken one step up, the reason itself, :mod:`.split`; ``""``: it was not)."""
        m = self.ladder
        whole = text
        text = m.view(text, ask_start)  # the last user message, for models that read only it
        ask = ask_to_read(text) if self.pasted_asks and len(text) * 3 >= MIN_LETTER else None
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
        cov = m.coverage(text, read_toks)
        ood = cov < m.ood_coverage
        t = text.strip()
        if ask is None and not lifted and (
            (len(t) <= 40 and (_is_greeting(t) if toks is None else _greeting_words(toks)))
            # (words of letters only: no digit anywhere, so no calculation to look for)
            or ((toks is None or not all(map(str.isalpha, toks))) and _is_bare_arithmetic(t))
        ):
            p = [1.0, 0.0, 0.0, 0.0]  # greetings and "what is 17*23?": any model
            ood = False
        elif ood and not lifted:
            p = [0.0, *p[:-2], p[-2] + p[-1]]  # unsure: one level up
        elif not lifted and on and (m_split := split_at(p, NOTE_MAX)) >= 0:
            if p[m_split] < OWN_MAX:
                lifted = split_reason(p, m_split, LEVELS)
                p = step_up(p, m_split)  # both ends likely, the middle not: one step up from the median
            else:
                lifted = split_note(p, m_split, LEVELS)  # (the reasons say so; the choice stands)
        return p, bool(ood), cov, ask is not None, lifted

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
        if isinstance(lifted, SplitReason):  # stepped up for safety: the model's own mass for the tier
            per_tier[chosen] = calibrate(lifted.mass)
        conf = OOD_CONFIDENCE if ood else per_tier[chosen]
        if ood:  # unlike the training data: no tier is sure
            per_tier = [min(c, OOD_CONFIDENCE) for c in per_tier]
        per_tier[chosen] = conf
        level = pl.index(max(pl))
        reason = _LEVELS_REASON % tuple(pl)
        if read_ask:
            reason += "; a short ask about a pasted document: the ask read alone"
        if lifted:
            reason += REASONS.get(lifted, lifted)
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
_DIGIT_RE = re.compile(r"\d")
# requests whose answers need depth whatever their length
_ARITH_PREFIX_RE = re.compile(
    r"^\s*(?:what\s+is|what's|whats|calculate|compute|how\s+much\s+is|evaluate)?\s*", re.I
)
_ARITH_WORDS_RE = re.compile(r"\b(?:plus|minus|times|divided\s+by|multiplied\s+by|over|of)\b", re.I)
_ARITH_RE = re.compile(r"[\d\s.,+\-*/×÷x^%()=]+\??")


_GREETING_WORDS = frozenset("hi hello hey thanks thank morning evening".split())


def _is_greeting(text: str) -> bool:
    """The features' ``greeting`` signal: a short message opening with a greeting word."""
    toks = text.lower().translate(_PUNCT).split()
    return bool(toks) and toks[0] in _GREETING_WORDS and len(toks) <= 12


_PUNCT = str.maketrans({c: " " for c in "!\"#$%&'()*+,-./:;<=>?@[\\]^`{|}~"})


def _greeting_words(toks: Sequence[str]) -> bool:
    """:func:`_is_greeting` of a text from its words (``_tokens`` of its lower case: ASCII
    punctuation as spaces, then ``split``, what ``_is_greeting`` does after ``strip``)."""
    return bool(toks) and toks[0] in _GREETING_WORDS and len(toks) <= 12


def _is_bare_arithmetic(text: str) -> bool:
    """A short request that is only a small calculation ("What is 10 divided by 2?")."""
    t = text.strip()
    if len(t) > 60 or not _DIGIT_RE.search(t):
        return False
    rest = _ARITH_WORDS_RE.sub("+", _ARITH_PREFIX_RE.sub("", t, count=1))
    return bool(_ARITH_RE.fullmatch(rest.strip()))


# -- task types ---------------------------------------------------------------------------
class TaskModel:
    """A linear softmax over hashed features: text -> probability per shipped task type."""

    def __init__(
        self,
        types: Sequence[str],
        W: np.ndarray,
        b: np.ndarray,
        features: dict[str, Any],
        temperature: float = 1.0,
        info: dict[str, Any] | None = None,
    ) -> None:
        self.types = list(types)
        self.W = np.asarray(W, dtype=np.float32)
        self.b = np.asarray(b, dtype=np.float64)
        self.features = dict(features)
        self.temperature = float(temperature)
        self.info = dict(info or {})
        self.fx = FeatureExtractor.from_config(self.features)
        if self.W.shape != (self.fx.dim, len(self.types)):
            raise DataFormatError(
                "task model",
                f"W{self.W.shape} does not fit {len(self.types)} types, dim {self.fx.dim}",
            )

    def logits_one(self, text: str) -> np.ndarray:
        idx, val = self.fx.transform_one(text)
        return (val @ self.W[idx] + self.b) / self.temperature

    def proba(self, texts: Sequence[str]) -> np.ndarray:
        z = (self.fx.transform(texts).dot(self.W.astype(np.float64)) + self.b) / self.temperature
        return _softmax(z)

    def save(self, path: str | Path) -> Path:
        p = Path(path)
        npz = p.with_suffix(".npz")
        arrays = {"b": self.b}
        arrays.update(sparse_rows(self.W.astype(np.float16)))
        digest = write_npz(npz, arrays)  # the weights first: the JSON then names their hash
        meta = {
            "format": TASK_FORMAT,
            "version": 1,
            "types": self.types,
            "features": self.features,
            "temperature": self.temperature,
            "weights_file": npz.name,
            WEIGHTS_HASH: digest,
            "info": self.info,
        }
        return write_json(p, meta)

    @classmethod
    def load(cls, path: str | Path) -> TaskModel:
        p = Path(path)
        meta = read_json_safely(p, TASK_FORMAT)
        arrays = read_weights(p, meta)
        W = dense_rows(arrays, int(meta["features"]["dim"]), len(meta["types"]))
        return cls(
            meta["types"],
            W,
            arrays["b"],
            meta["features"],
            meta.get("temperature", 1.0),
            meta.get("info"),
        )


def _softmax(z: np.ndarray) -> np.ndarray:
    z = np.atleast_2d(z)
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def load_task_model(models_dir: Path | None = None) -> TaskModel:
    return _cached((models_dir or MODELS_DIR) / TASK_FILE, TaskModel.load)
