"""Task routes from the shipped task-type model (coding / creative / factual / reasoning ...).

The shipped model predicts a task type (coding, math, creative_writing, knowledge_qa ...)
from benchmark prompts. Everyday traffic (greetings, quick look-ups, formatting,
translation) is out of its distribution, so :class:`EmbeddedTaskClassifier` blends it
with a nearest-centroid head over built-in seed prompts (:mod:`.task_seeds`), trusting
the seeds more when the model's evidence is weak, maps the types onto the user's own
route labels and improves with the user's examples. Its confidence drops for text that
neither the model nor the seeds recognise, so ``policy.min_confidence`` sends such
requests to ``policy.fallback_tier``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from ..errors import ConfigError, UnknownModelError
from ..features import N_SIGNALS, SIGNAL_NAMES
from ..request import Request
from .base import BaseClassifier, Classification
from .embedded import TaskModel, _softmax, load_task_model
from .task_seeds import SEED_EXAMPLES, SeedIndex, centroids, embed, seed_index

DEFAULT_LABEL_MAP: dict[str, tuple[str, ...]] = {
    # task type -> user labels it may stand for, most specific first
    "coding": ("coding", "code", "programming", "technical"),
    "math": ("math", "reasoning", "analysis", "technical"),
    "reasoning": ("reasoning", "analysis", "logic", "math"),
    # commonsense / grade-school science questions (CommonsenseQA, OpenBookQA, ARC):
    # short everyday questions, not multi-step reasoning
    "reasoning_mcq": ("commonsense", "factual", "knowledge", "qa", "general", "chat", "reasoning"),
    "knowledge_qa": ("factual", "knowledge", "qa", "general", "chat"),
    "knowledge_mcq": ("factual", "knowledge", "qa", "general"),
    "creative_writing": ("creative", "writing", "creative_writing", "chat", "general"),
    "roleplay": ("creative", "roleplay", "chat", "general"),
    "constrained_generation": ("creative", "writing", "rewrite", "general"),
    "summarization": (
        "summarization",
        "summarize",
        "summary",
        "rewrite",
        "writing",
        "general",
        "factual",
    ),
    "extraction": ("extraction", "extract", "factual", "general"),
    "classification": ("classification", "classify", "extraction", "factual", "general"),
    "rewrite_paraphrase": ("rewrite", "editing", "paraphrase", "writing", "creative", "general"),
    # seed-only types (everyday requests the benchmarks lack)
    "chat": ("chat", "general", "assistant", "default", "smalltalk", "factual", "knowledge", "qa"),
    "formatting": (
        "formatting",
        "format",
        "rewrite",
        "editing",
        "general",
        "chat",
        "factual",
        "extraction",
    ),
    "translation": (
        "translation",
        "translate",
        "multilingual",
        "general",
        "chat",
        "factual",
        "rewrite",
    ),
}

SEED_SCALE = 25.0
"""Softmax scale of the seed head over cosine similarities."""
_GREETING = SIGNAL_NAMES.index("greeting")
_LOG_CHARS = SIGNAL_NAMES.index("log_chars")
_STRUCTURAL = np.array(
    [
        SIGNAL_NAMES.index(n)
        for n in (
            "code_fence",
            "code_tokens",
            "math_symbols",
            "latex",
            "multiple_choice",
            "few_shot",
            "step_by_step",
            "json_like",
        )
    ]
)
MODEL_MASS_0 = 0.45
"""Total |weight| of a text's n-grams in the model at which its evidence is one half."""
GATE_CENTER = 0.55
"""Raw model output (~0.75 on benchmark prompts, ~0.3-0.5 on everyday ones) at which the
seeds get half their weight."""
SEED_MATCH = 0.45
"""Similarity to the nearest seeds from which they outweigh the model."""
GATE_FLOOR = 0.1
"""Seed weight when the model is sure (up to 0.75 when it is not)."""
SEED_SIM_0 = 0.2
"""Similarity to the nearest seeds at which their evidence is one half."""
EXAMPLE_SIM_0 = 0.2
"""Similarity to a label's examples (centroid) at which they get half their weight."""
_SEED_CHARS = 360


class EmbeddedTaskClassifier(BaseClassifier):
    """Task routes (unordered labels) from the shipped task-type model plus seed prompts.

    Args:
        labels: the user's routes (e.g. coding / creative / factual / reasoning).
        label_map: shipped or seed task type -> label (``{"creative_writing": "creative"}``);
            missing entries use :data:`DEFAULT_LABEL_MAP` synonyms, and types that match no
            label spread their probability evenly (which lowers the confidence).
        examples: ``{label: [texts]}``, a nearest-centroid head over the same features,
            blended in with weight ``examples_weight`` (default rising with the number of
            examples, 0.35 for 1 example to 0.8 for 10 or more) times how much the text
            resembles the examples at all, so unrelated prompts keep their route.
        seeds: the seed prompts per task type blended in as a prior: ``True`` (default)
            for the built-in :data:`~.task_seeds.SEED_EXAMPLES`, ``False`` for the model
            alone, or your own ``{task_type: [texts]}``.
        models_dir: a folder with ``task.json`` / ``task.npz`` (default: shipped).

    ``scores`` sum to 1 over the labels. ``confidence`` in [0, 1] is the best label's
    probability (half) and its gap to the second (half), scaled down by the *evidence*:
    how strongly the model or the seeds recognise the text. Empty text, symbols and
    gibberish therefore land below ``policy.min_confidence`` (the fallback tier); greetings
    are recognised by the ``chat`` seeds and go to a general route (``factual``,
    ``general``, ``chat`` ...) when the labels have one, else they score evenly (unsure).
    """

    name = "embedded-task"

    def __init__(
        self,
        labels: Sequence[str],
        *,
        label_map: Mapping[str, str] | None = None,
        examples: Mapping[str, Sequence[str]] | None = None,
        examples_weight: float | None = None,
        seeds: bool | Mapping[str, Sequence[str]] = True,
        models_dir: str | Path | None = None,
    ) -> None:
        if not labels:
            raise ConfigError(
                "task classifier needs at least one label", field="labels", value=labels
            )
        self._labels = list(labels)
        self._dir = Path(models_dir) if models_dir else None
        self._label_map = dict(label_map or {})
        for lab in self._label_map.values():
            if lab not in self._labels:
                raise UnknownModelError(lab, self._labels, what="label in label_map")
        self._examples = {k: list(v) for k, v in (examples or {}).items() if v}
        for lab in self._examples:
            if lab not in self._labels:
                raise UnknownModelError(lab, self._labels, what="label in examples")
        if examples_weight is not None and not 0.0 <= examples_weight <= 1.0:
            raise ConfigError(
                f"examples_weight must be in [0, 1], got {examples_weight!r}",
                field="classifier.options.examples_weight",
                value=examples_weight,
            )
        self._examples_weight = examples_weight
        if seeds is True:
            self._seeds: Mapping[str, Sequence[str]] = SEED_EXAMPLES
        elif seeds is False:
            self._seeds = {}
        elif isinstance(seeds, Mapping):
            self._seeds = {str(k): [str(t) for t in v] for k, v in seeds.items() if v}
        else:
            raise ConfigError(
                "seeds must be true, false or a mapping {task_type: [texts]}",
                field="classifier.options.seeds",
                value=type(seeds).__name__,
            )
        self._model: TaskModel | None = None
        self._types: list[str] | None = None
        self._M: np.ndarray | None = None
        self._S: SeedIndex | None = None
        self._seed_cols: np.ndarray | None = None
        self._centroids: np.ndarray | None = None

    def bind_labels(self, labels: list[str]) -> EmbeddedTaskClassifier:
        self._labels = list(labels)
        self._M = None
        self._centroids = None
        return self

    @property
    def model(self) -> TaskModel:
        if self._model is None:
            self._model = load_task_model(self._dir)
        return self._model

    # -- the parts, built lazily --------------------------------------------------------
    def _seed_parts(self) -> tuple[list[str], SeedIndex | None, np.ndarray]:
        """All task types (shipped first), the seed index, and its types' columns."""
        if self._types is None:
            shipped = list(self.model.types)
            if self._seeds:
                self._S = seed_index(self.model.fx, self._seeds)
                extra = [t for t in self._S.types if t not in shipped]
                self._types = shipped + extra
                self._seed_cols = np.array([self._types.index(t) for t in self._S.types])
            else:
                self._types = shipped
                self._seed_cols = np.zeros(0, dtype=int)
        assert self._seed_cols is not None
        return self._types, self._S, self._seed_cols

    def _mapping(self) -> np.ndarray:
        """(n_types, n_labels): how each task type's probability is shared out."""
        if self._M is not None:
            return self._M
        types, _, _ = self._seed_parts()
        labs = self._labels
        lower = {lab.lower(): j for j, lab in enumerate(labs)}
        M = np.zeros((len(types), len(labs)))
        for i, t in enumerate(types):
            j = None
            if t in self._label_map and self._label_map[t] in labs:
                j = labs.index(self._label_map[t])
            elif t.lower() in lower:
                j = lower[t.lower()]
            else:
                for syn in DEFAULT_LABEL_MAP.get(t, ()):
                    if syn in lower:
                        j = lower[syn]
                        break
            if j is None:
                M[i, :] = 1.0 / len(labs)
            else:
                M[i, j] = 1.0
        self._M = M
        return M

    def _centroid_matrix(self) -> np.ndarray | None:
        if not self._examples:
            return None
        if self._centroids is None:
            groups = [self._examples.get(lab, []) for lab in self._labels]
            self._centroids = centroids(self.model.fx, groups)
        return self._centroids

    def _examples_w(self) -> float:
        if self._examples_weight is not None:
            return self._examples_weight
        n_ex = sum(len(v) for v in self._examples.values())
        return min(0.8, 0.3 + 0.05 * n_ex)

    # -- scoring ------------------------------------------------------------------------
    def _score(self, text: str) -> tuple[np.ndarray, float, np.ndarray, str]:
        """Label probabilities, evidence in [0, 1], type probabilities, a short reason."""
        m = self.model
        types, S, cols = self._seed_parts()
        idx, val = m.fx.transform_one(text)
        raw = val @ m.W[idx] + m.b
        p_model = _softmax(raw / m.temperature)[0]
        z_max = float(raw.max())
        p = np.zeros(len(types))
        p[: len(p_model)] = p_model
        why = f"model {m.types[int(np.argmax(p_model))]} (raw {z_max:.2f})"
        seed_sim = 0.0
        eidx = evals = None
        if S is not None or self._examples:
            if len(text) <= _SEED_CHARS:
                keep = idx >= N_SIGNALS
                eidx, evals = idx[keep], val[keep]
                norm = float(np.linalg.norm(evals))
                evals = evals / norm if norm > 0 else evals
            else:
                eidx, evals = embed(m.fx, _instruction(text))
        if S is not None and eidx is not None and evals is not None:
            sims = S.similarities(eidx, evals)
            seed_sim = float(sims.max()) if len(sims) else 0.0
            p_seed = np.zeros(len(types))
            p_seed[cols] = _softmax(sims * SEED_SCALE)[0]
            # trust the seeds where the model has little evidence: its raw one-vs-rest
            # output is ~0.75 on benchmark-like prompts and ~0.3-0.5 on everyday ones
            w = _sigmoid((GATE_CENTER - z_max) / 0.08)
            # ... and where the text is a near paraphrase of a seed
            w = max(w, _sigmoid((seed_sim - SEED_MATCH) / 0.05))
            # seeds are one-line requests: a long document is the model's ground
            w = GATE_FLOOR + (0.75 - GATE_FLOOR) * w
            w *= 1.0 - 0.7 * _longness(float(val[_LOG_CHARS]))
            if val[_GREETING] > 0:
                w = max(w, 0.95)  # a greeting is no benchmark task whatever the model says
            p = (1.0 - w) * p + w * p_seed
            why += (
                f", seeds {types[cols[int(np.argmax(sims))]]} (sim {seed_sim:.2f}, weight {w:.2f})"
            )
        probs = p @ self._mapping()
        C = self._centroid_matrix()
        if C is not None and eidx is not None and evals is not None:
            has = np.array([lab in self._examples for lab in self._labels])
            ex_sims = np.where(has, evals @ C[eidx], -1.0)
            best = float(ex_sims.max())
            # the examples pull only texts that resemble them; the rest keep the prior
            we = self._examples_w() * _sigmoid((best - EXAMPLE_SIM_0) / 0.04)
            probs = (1.0 - we) * probs + we * _softmax(ex_sims * SEED_SCALE)[0]
            seed_sim = max(seed_sim, best)
            why += f", examples {self._labels[int(np.argmax(ex_sims))]} (sim {best:.2f})"
        evidence = max(_model_evidence(m, idx, val), _sigmoid((seed_sim - SEED_SIM_0) / 0.04))
        if val[_GREETING] > 0:
            evidence = max(evidence, 0.9)
        return probs, evidence, p, why

    def _classify(self, request: Request) -> Classification:
        probs, evidence, p_types, why = self._score(request.text)
        types = self._types or self.model.types
        srt = np.sort(probs)[::-1]
        gap = float(srt[0] - (srt[1] if len(srt) > 1 else 0.0))
        conf = float(np.clip(evidence * (0.5 * gap + 0.5 * srt[0]), 0.0, 1.0))
        top = int(np.argmax(p_types))
        return Classification(
            scores={lab: float(v) for lab, v in zip(self._labels, probs)},
            confidence=conf,
            classifier=self.name,
            reasons=(
                f"task type {types[top]} ({p_types[top]:.2f}); {why}; evidence {evidence:.2f}",
            ),
            extra={"task_type": types[top], "evidence": evidence},
        )

    def predict_batch(self, texts: Sequence[str]) -> np.ndarray:
        """Label probabilities for many texts, shape ``(n, n_labels)`` (as :meth:`classify`)."""
        out = np.zeros((len(texts), len(self._labels)))
        for i, t in enumerate(texts):
            out[i] = self._score(Request.coerce(t).text)[0]
        return out


def _model_evidence(m: TaskModel, idx: np.ndarray, val: np.ndarray) -> float:
    """How much the model has to go on: the weight its n-gram features carry (empty text,
    gibberish and unseen words carry ~0), or a strong structural signal (code, maths)."""
    ng = idx >= N_SIGNALS
    mass = float(np.abs(val[ng] @ m.W[idx[ng]]).sum())
    ev = _sigmoid((mass - MODEL_MASS_0) / 0.08)
    if float(val[_STRUCTURAL].max()) >= 0.3:
        ev = max(ev, 0.9)
    return ev


def _instruction(text: str) -> str:
    """The part of a long text that states the request: its head and tail."""
    if len(text) <= _SEED_CHARS:
        return text
    return text[: _SEED_CHARS * 2 // 3] + "\n" + text[-_SEED_CHARS // 3 :]


def _longness(log_chars_signal: float) -> float:
    """0 up to 300 characters, rising to 1 at 2,000 (the signal is ``log1p(chars) / 10``)."""
    lo, hi = np.log1p(300.0), np.log1p(2000.0)
    return float(np.clip((10.0 * log_chars_signal - lo) / (hi - lo), 0.0, 1.0))


def _sigmoid(x: float) -> float:
    return float(1.0 / (1.0 + np.exp(-np.clip(x, -60.0, 60.0))))
