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

from ..errors import ConfigError, DataFormatError
from ..features import SIGNAL_NAMES, FeatureExtractor
from ..request import Request
from .base import BaseClassifier, Classification
from .trained import TrainedRouter, dense_rows, read_json_safely, read_npz, sparse_rows, write_npz

MODELS_DIR = Path(__file__).resolve().parent.parent / "data" / "models"
TASK_FORMAT = "tier-router.task-model"
DIFFICULTY_FILE = "difficulty.json"
TASK_FILE = "task.json"


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


# Prior ease of each shipped task type (1 = a small model will do). Benchmark prompts are
# all test questions, so the learned ease alone under-rates everyday requests (a short
# fact question looks like a hard trivia item); the task prior and the length prior
# carry what the benchmarks cannot see.
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
BLEND = {"learned": 0.35, "task": 0.4, "length": 0.25}
"""Weights of the three ease estimates (sum to 1)."""


class EmbeddedClassifier(BaseClassifier):
    """Difficulty for any tier ladder from the shipped models; no network, well under 1 ms.

    ``bind_labels(tier_names)`` (cheapest first, 1..N tiers) fixes the ladder. The
    prompt's *ease* in [0, 1] blends three estimates over one shared feature vector:
    the learned difficulty head (a percentile over the benchmark training prompts),
    the predicted task type's prior ease (:data:`TYPE_EASE`), and a length prior;
    greetings are easy, proofs / step-by-step requests harder. The score of tier
    ``i`` is ``ease ** gamma_i`` with ``gamma`` falling from 1 (cheapest) to ~0.37
    (strongest), so scores never decrease along the ladder and with the default
    knob 0.5 a prompt stays on the cheapest tier when its ease is at least 0.5.
    """

    name = "embedded"

    def __init__(
        self, labels: Sequence[str] | None = None, *, models_dir: str | Path | None = None
    ) -> None:
        self._dir = Path(models_dir) if models_dir else None
        self._labels = list(labels) if labels else ["simple", "medium", "complex", "frontier"]
        self._router: TrainedRouter | None = None
        self._task: TaskModel | None = None
        self._type_ease: np.ndarray | None = None
        self._load_lock = threading.Lock()
        self._gammas = _gammas(len(self._labels))

    @property
    def router(self) -> TrainedRouter:
        if self._router is None:
            self._router = load_difficulty(self._dir)
        return self._router

    @property
    def task_model(self) -> TaskModel:
        if self._task is None:
            with self._load_lock:  # threads sharing a fresh classifier load it once, fully
                if self._task is None:
                    task = load_task_model(self._dir)
                    if task.fx.config() != self.router.features:
                        raise DataFormatError(
                            str(self._dir or MODELS_DIR),
                            "difficulty and task models must share features",
                        )
                    self._type_ease = np.array([TYPE_EASE.get(t, 0.5) for t in task.types])
                    self._task = task  # published last: readers never see it half set up
        return self._task

    def bind_labels(self, labels: list[str]) -> EmbeddedClassifier:
        if not labels:
            raise ConfigError(
                "the embedded classifier needs at least one tier", field="tiers", value=labels
            )
        self._labels = list(labels)
        self._gammas = _gammas(len(self._labels))
        return self

    def _ease_parts(self, idx: np.ndarray, val: np.ndarray) -> tuple[float, float, str, float]:
        r, tm = self.router, self.task_model
        learned = float(r.ease_from_raw(np.atleast_1d(val @ r.W[idx, 0] + r.b[0]))[0])
        p = _softmax((val @ tm.W[idx] + tm.b) / tm.temperature)[0]
        assert self._type_ease is not None
        task = float(p @ self._type_ease)
        top = tm.types[int(np.argmax(p))]
        return learned, task, top, _length_prior(val)

    def _combine(
        self, learned: float, task: float, top: str, length: float, val: np.ndarray, text: str
    ) -> float:
        if top in _INPUT_HEAVY:
            # a long document to summarise / extract from is not a hard request by size alone
            length = max(length, 0.6)
        e = BLEND["learned"] * learned + BLEND["task"] * task + BLEND["length"] * length
        if val[_SIG["greeting"]] > 0 or (len(text.strip()) <= 12 and not _DIGIT_RE.search(text)):
            e = max(e, 0.9)  # greetings, acknowledgements, one-word messages
        if _is_bare_arithmetic(text):
            e = max(e, 0.8)  # "what is 17*23?": any model will do, though it looks like math
        if val[_SIG["step_by_step"]] > 0:
            e *= 0.75
        if _HARD_RE.search(text[:2000]):
            e *= 0.7
        return float(min(1.0, max(0.0, e)))

    def ease(self, text: str) -> float:
        """Predicted ease of ``text`` in [0, 1] (1 = the cheapest model will do)."""
        idx, val = self.router._fx.transform_one(text)  # type: ignore[union-attr]
        learned, task, top, length = self._ease_parts(idx, val)
        return self._combine(learned, task, top, length, val, text)

    def _classify(self, request: Request) -> Classification:
        idx, val = self.router._fx.transform_one(request.text)  # type: ignore[union-attr]
        learned, task, top, length = self._ease_parts(idx, val)
        e = self._combine(learned, task, top, length, val, request.text)
        vals = np.power(e, self._gammas)
        scores = {lab: float(v) for lab, v in zip(self._labels, vals)}
        conf = float(np.clip(0.5 + np.abs(vals - 0.5).min(), 0.0, 1.0))
        return Classification(
            scores=scores,
            confidence=conf,
            classifier=self.name,
            reasons=(
                f"ease {e:.2f} (learned {learned:.2f}, task {top} {task:.2f}, length {length:.2f})",
            ),
            extra={"ease": e, "task_type": top},
        )

    def predict_batch(self, texts: Sequence[str]) -> np.ndarray:
        """Tier scores for many texts, shape ``(n, n_tiers)`` (same values as :meth:`classify`)."""
        out = np.zeros((len(texts), len(self._labels)))
        for i, t in enumerate(texts):
            out[i] = np.power(self.ease(Request.coerce(t).text), self._gammas)
        return out


_SIG = {name: i for i, name in enumerate(SIGNAL_NAMES)}
_INPUT_HEAVY = frozenset({"summarization", "extraction", "classification", "rewrite_paraphrase"})
_DIGIT_RE = re.compile(r"\d")
# requests whose answers need depth whatever their length
_ARITH_PREFIX_RE = re.compile(
    r"^\s*(?:what\s+is|what's|whats|calculate|compute|how\s+much\s+is|evaluate)?\s*", re.I
)
_ARITH_WORDS_RE = re.compile(r"\b(?:plus|minus|times|divided\s+by|multiplied\s+by|over|of)\b", re.I)
_ARITH_RE = re.compile(r"[\d\s.,+\-*/×÷x^%()=]+\??")


def _is_bare_arithmetic(text: str) -> bool:
    """A short request that is only a small calculation ("What is 10 divided by 2?")."""
    t = text.strip()
    if len(t) > 60 or not _DIGIT_RE.search(t):
        return False
    rest = _ARITH_WORDS_RE.sub("+", _ARITH_PREFIX_RE.sub("", t, count=1))
    return bool(_ARITH_RE.fullmatch(rest.strip()))


_HARD_RE = re.compile(
    r"(?i)\b(design (a|an|the)\b|architect|trade-?offs?|distributed|scalab|concurren|"
    r"rigorous|formal proof|prove that|derive|optimi[sz]e .* (complexity|performance)|"
    r"threat model|multi-step|research plan)"
)


def _length_prior(val: np.ndarray) -> float:
    """Ease from size alone: ~0.85 for a 60-character prompt, ~0.5 for 2,000 characters."""
    log_chars = float(val[_SIG["log_chars"]]) * 10.0  # the signal is log1p(chars) / 10
    return float(min(1.0, max(0.0, 1.25 - 0.1 * log_chars)))


def _gammas(n: int) -> np.ndarray:
    from .trained import ladder_exponents

    return ladder_exponents(n)


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
        import json

        p = Path(path)
        npz = p.with_suffix(".npz")
        arrays = {"b": self.b}
        arrays.update(sparse_rows(self.W.astype(np.float16)))
        write_npz(npz, arrays)
        meta = {
            "format": TASK_FORMAT,
            "version": 1,
            "types": self.types,
            "features": self.features,
            "temperature": self.temperature,
            "weights_file": npz.name,
            "info": self.info,
        }
        p.write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        return p

    @classmethod
    def load(cls, path: str | Path) -> TaskModel:
        p = Path(path)
        meta = read_json_safely(p, TASK_FORMAT)
        arrays = read_npz(p.parent / meta["weights_file"])
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
