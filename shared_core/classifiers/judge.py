"""LLM judge: a cheap model labels the request; the request cannot rewrite the instructions.

How the prompt resists injection (the request is untrusted data):

1. Fixed instructions come first and say that the request is data, never instructions.
2. The request sits between ``<<<BEGIN REQUEST {nonce}>>>`` and ``<<<END REQUEST {nonce}>>>``
   with a fresh random nonce per call, so a request cannot close the block: it cannot
   guess the nonce, a request that happens to contain it gets a new one, and every
   ``<<<`` / ``>>>`` inside the request is broken up so it never forms a marker.
3. A reminder after the block repeats that its content is data and restates the
   one allowed answer format, so the last instruction the model reads is ours.
4. The output is parsed defensively (JSON ``{"label": ...}`` / ``{"score": n}``, else the
   first exact label token or 1-10 integer on the final line, else a line that is only a
   label); anything else — and any exception from the model — gives ``default_label``
   with low confidence and the reason in ``reasons``.

5. Before it is fenced, the request is sanitised (``sanitize=True``): segments that look like
   instructions to a classifier (commands naming a label, fake JSON answers, fake markers,
   ``[SYSTEM]`` lines; see :mod:`.injection`) are replaced by a placeholder and invisible /
   bidirectional control characters are removed.

**Clamp.** No prompt is proof against every model. With ``clamp=<classifier>`` (e.g. the
rules or the embedded default) the judge's label may move the decision at most
``max_shift`` tiers away from that classifier's estimate (its median tier, the first tier
whose score reaches 0.5). The estimate the band is centred on is the *lower* of the clamp's
estimates on the whole text and on the text without its instruction-like segments, so the
words an attacker adds to command the judge cannot also move the band up. For task labels the judge's label must be among the
``max_shift + 1`` labels the clamp classifier ranks highest, else its best label is used.
This is how "an injected request must not move the decision outside what the other
signals allow" is enforced: the judge refines within a band the request text cannot
widen. ``benchmarks/judge_injection.py`` measures the label change rate with and without it.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from ..errors import ConfigError, RouterError, redact
from ..request import Request
from .base import BaseClassifier, Classification
from .judge_clamp import Ref, apply_clamp, clamp_views, median_index
from .judge_parse import as_text, parse_judge_output
from .judge_prompt import DEFAULT_DESCRIPTIONS, build_judge_prompt
from .ladder import difficulty_to_tier_scores, ordinal_scores
from .llm_calls import calls_of, done_asking, start_asking

__all__ = ["DEFAULT_DESCRIPTIONS", "LLMJudgeClassifier", "parse_judge_output"]


class LLMJudgeClassifier(BaseClassifier):
    """A cheap LLM labels each request (see the module docstring for the defences).

    Args:
        complete: ``prompt -> text`` (a str, or a chat message / completion with ``content`` / ``text``).
        acomplete: async twin; ``aclassify`` uses it, else runs ``complete`` in a thread.
        labels: tier names cheapest first (difficulty) or route labels (task).
        mode: ``"labels"`` (the model names a label) or ``"score"`` (a 1-10 difficulty
            ``s``, read as difficulty ``(s - 1) / 9`` on the ladder: with four tiers 1-3 ->
            the first, 4-5 -> the second, 6-7 -> the third, 8-10 -> the last; difficulty
            labels only).
        default_label: used when the output cannot be read or the call fails; default: the
            middle tier (difficulty) or the first label (task).
        ordinal: labels are a price ladder (difficulty); scores are cumulative.
        descriptions: ``{label: one-line description}`` shown to the model.
        clamp: another classifier whose estimate bounds the judge (see module docstring).
        max_shift: how many tiers away from the clamp's estimate the judge may move.
        confidence: confidence of a parsed answer; failures get ``failure_confidence``.
        nonce_factory: makes the per-call boundary nonce (tests pass a fixed one).
        max_chars: longest request text shown to the model (head + tail beyond it).
        sanitize: show the model the request with instruction-like segments replaced by a
            placeholder and invisible control characters removed (:mod:`.injection`).
    """

    name = "judge"

    def __init__(
        self,
        complete: Callable[[str], Any] | None = None,
        acomplete: Callable[[str], Awaitable[Any]] | None = None,
        labels: Sequence[str] | None = None,
        mode: str = "labels",
        default_label: str | None = None,
        *,
        ordinal: bool = True,
        descriptions: Mapping[str, str] | None = None,
        clamp: Any = None,
        max_shift: int = 1,
        confidence: float = 0.8,
        failure_confidence: float = 0.1,
        nonce_factory: Callable[[], str] | None = None,
        max_chars: int = 4000,
        sanitize: bool = True,
    ) -> None:
        if complete is None and acomplete is None:
            raise ConfigError(
                "LLMJudgeClassifier needs complete(prompt) -> str or acomplete(prompt); "
                "pass judge_complete= to Router / build_classifier",
                field="complete",
            )
        if mode not in ("labels", "score"):
            raise ConfigError(
                f"judge mode must be 'labels' or 'score', got {mode!r}",
                field="classifier.options.mode",
                value=mode,
            )
        if mode == "score" and not ordinal:
            raise ConfigError(
                "judge mode 'score' needs difficulty (ordered) labels; use mode 'labels' for task "
                "routes",
                field="classifier.options.mode",
                value=mode,
            )
        if max_shift < 0:
            raise ConfigError(
                f"max_shift must be >= 0, got {max_shift}",
                field="classifier.options.max_shift",
                value=max_shift,
            )
        for fld, v in (("confidence", confidence), ("failure_confidence", failure_confidence)):
            if not 0.0 <= v <= 1.0:
                raise ConfigError(
                    f"{fld} must be in [0, 1], got {v!r}",
                    field=f"classifier.options.{fld}",
                    value=v,
                )
        self.complete = complete
        self.acomplete = acomplete
        self.mode = mode
        self.ordinal = ordinal
        self.descriptions = dict(descriptions or {})
        self.clamp = clamp
        self.sanitize = bool(sanitize)
        self.max_shift = int(max_shift)
        self.confidence = float(confidence)
        self.failure_confidence = float(failure_confidence)
        self.max_chars = max(64, int(max_chars))
        self._nonce = nonce_factory or (lambda: secrets.token_hex(8))
        self._default = default_label
        self.bind_labels(
            list(labels) if labels is not None else ["simple", "medium", "complex", "frontier"]
        )

    def bind_labels(self, labels: list[str]) -> LLMJudgeClassifier:
        if not labels:
            raise ConfigError("the judge needs at least one label", field="labels", value=labels)
        if len({lab.lower() for lab in labels}) != len(labels):
            raise ConfigError(
                f"judge labels must differ ignoring case, got {labels}",
                field="labels",
                value=labels,
            )
        if self._default is not None and self._default not in labels:
            raise ConfigError(
                f"default_label {self._default!r} is not one of the labels {labels}",
                field="classifier.options.default_label",
                value=self._default,
            )
        self._labels = list(labels)
        if self.clamp is not None and hasattr(self.clamp, "bind_labels"):
            self.clamp.bind_labels(list(labels))
        return self

    @property
    def default_label(self) -> str:
        if self._default is not None:
            return self._default
        return self._labels[(len(self._labels) - 1) // 2] if self.ordinal else self._labels[0]

    # -- the prompt ----------------------------------------------------------------------
    def build_prompt(self, text: str) -> tuple[str, str]:
        """``(prompt, nonce)`` for one request text (cut to ``max_chars``, head + tail;
        instruction-like segments replaced by a placeholder, see :mod:`.injection`)."""
        return build_judge_prompt(
            text,
            self._labels,
            mode=self.mode,
            ordinal=self.ordinal,
            descriptions=self.descriptions,
            max_chars=self.max_chars,
            sanitize=self.sanitize,
            nonce_factory=self._nonce,
        )

    # -- classification --------------------------------------------------------------------
    def _classify(self, request: Request) -> Classification:
        prompt, _ = self.build_prompt(request.text)
        start_asking(self.complete or self.acomplete, prompt)  # left set if the caller stops it
        try:
            if self.complete is not None:
                out: Any = self.complete(prompt)
            else:
                out = _run_sync(self.acomplete, prompt)  # type: ignore[arg-type]
            err = None
        except Exception as exc:
            out, err = None, exc
        done_asking()
        ref = self._reference_sync(request)
        return self._finish(out, err, ref)

    async def aclassify(self, request: Request | str) -> Classification:
        req = Request.coerce(request)
        prompt, _ = self.build_prompt(req.text)
        start_asking(self.acomplete or self.complete, prompt)
        try:
            if self.acomplete is not None:
                out: Any = await self.acomplete(prompt)
            else:
                out = await asyncio.to_thread(self.complete, prompt)  # type: ignore[arg-type]
            err = None
        except Exception as exc:
            out, err = None, exc
        done_asking()
        ref: Ref = None
        if self.clamp is not None:
            try:
                ref = [await self.clamp.aclassify(r) for r in self._clamp_views(req)]
            except Exception as exc:
                ref = exc
        return self._finish(out, err, ref)

    def _reference_sync(self, request: Request) -> Ref:
        if self.clamp is None:
            return None
        try:
            return [self.clamp.classify(r) for r in self._clamp_views(request)]
        except Exception as exc:
            return exc

    def _clamp_views(self, request: Request) -> list[Request]:
        """The request as the clamp sees it (see :func:`.judge_clamp.clamp_views`)."""
        return clamp_views(request, self._labels)

    def _finish(self, out: Any, err: BaseException | None, ref: Ref) -> Classification:
        n = len(self._labels)
        reasons: list[str] = []
        raw_score = None
        if err is not None:
            idx, conf = None, self.failure_confidence
            reasons.append(
                f"judge call failed ({type(err).__name__}: {redact(str(err))[:160]}); "
                f"default label {self.default_label!r}"
            )
        else:
            idx, raw_score, how = parse_judge_output(out, self._labels, self.mode)
            if self.mode == "score" and raw_score is not None:
                idx = median_index(
                    difficulty_to_tier_scores((raw_score - 1.0) / 9.0, n, spread=0.0)
                )
            if idx is None:
                conf = self.failure_confidence
                reasons.append(
                    f"judge output unreadable ({how}); default label {self.default_label!r}"
                )
            else:
                conf = self.confidence
                shown = f"score {raw_score:g} -> " if raw_score is not None else ""
                reasons.append(f"judge: {shown}{self._labels[idx]!r} ({how})")
        if idx is None:
            idx = self._labels.index(self.default_label)
        judged = idx
        idx = self._apply_clamp(idx, ref, reasons)
        extra: dict[str, Any] = {
            "judge_label": self._labels[judged],
            "label": self._labels[idx],
            "score": raw_score,
            "output": as_text(out)[:200] if err is None else None,
        }
        spent = calls_of(out)
        if spent:  # the judge's own call, paid by the call it routes (see .llm_calls)
            extra["llm_calls"] = spent
        return Classification(
            scores=dict(zip(self._labels, self._scores(idx))),
            confidence=conf,
            classifier=self.name,
            reasons=tuple(reasons),
            extra=extra,
        )

    def _scores(self, idx: int) -> list[float]:
        n = len(self._labels)
        if n == 1:
            return [1.0]
        if self.ordinal:
            p = [0.0] * n
            p[idx] = 0.8
            for j in (idx - 1, idx + 1):
                if 0 <= j < n:
                    p[j] = 0.1
            return ordinal_scores(p)
        return [0.8 if i == idx else 0.2 / (n - 1) for i in range(n)]

    def _apply_clamp(self, idx: int, refs: Ref, reasons: list[str]) -> int:
        return apply_clamp(
            idx,
            refs,
            self._labels,
            ordinal=self.ordinal,
            max_shift=self.max_shift,
            reasons=reasons,
        )


def _run_sync(acomplete: Callable[[str], Awaitable[Any]], prompt: str) -> Any:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(_await(acomplete, prompt))
    raise RouterError(
        "this judge has only an async acomplete; inside a running event loop use aclassify / "
        "Router.adecide, or pass a sync complete= as well"
    )


async def _await(fn: Callable[[str], Awaitable[Any]], prompt: str) -> Any:
    return await fn(prompt)
