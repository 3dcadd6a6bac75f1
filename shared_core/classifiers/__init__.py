"""Classifiers: text (or a :class:`~shared_core.request.Request`) in, a score per label out.

``build_classifier`` turns a :class:`~shared_core.config.ClassifierConfig` into one.
Heavy or optional pieces (the embedded model, trained routers) are imported only
when their type is asked for, so ``import shared_core`` stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError
from .base import BaseClassifier, Classification, Classifier
from .checks import _OPTIONS as _OPTIONS
from .checks import _split_complete, _sub_config
from .checks import check_classifier_config as check_classifier_config

if TYPE_CHECKING:
    from ..config import ClassifierConfig, RouterConfig
    from .cascade import CascadeClassifier
    from .embedding import (
        CachedEncoder,
        CentroidClassifier,
        Encoder,
        HashingEncoder,
        HeadClassifier,
    )
    from .judge import LLMJudgeClassifier
    from .ladder import difficulty_to_tier_scores
    from .llm_calls import JudgeReply
    from .rules import RulesClassifier

# numpy-backed and optional classifiers load on first use, so `import shared_core` stays cheap
_LAZY = {
    "CascadeClassifier": ".cascade",
    "CachedEncoder": ".embedding",
    "CentroidClassifier": ".embedding",
    "Encoder": ".embedding",
    "HashingEncoder": ".embedding",
    "HeadClassifier": ".embedding",
    "LLMJudgeClassifier": ".judge",
    "JudgeReply": ".llm_calls",
    "difficulty_to_tier_scores": ".ladder",
    "RulesClassifier": ".rules",
    "SentenceTransformerEncoder": ".local_encoder",
    "EmbeddedClassifier": ".embedded",
    "EmbeddedTaskClassifier": ".task",
    "TrainedRouter": ".trained",
    "TrainedRouterClassifier": ".trained",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "BaseClassifier",
    "CachedEncoder",
    "CascadeClassifier",
    "CentroidClassifier",
    "Classification",
    "Classifier",
    "EmbeddedClassifier",
    "EmbeddedTaskClassifier",
    "Encoder",
    "HashingEncoder",
    "HeadClassifier",
    "JudgeReply",
    "LLMJudgeClassifier",
    "RulesClassifier",
    "SentenceTransformerEncoder",
    "TrainedRouter",
    "TrainedRouterClassifier",
    "build_classifier",
    "difficulty_to_tier_scores",
]

def config_labels(router_config: RouterConfig) -> list[str]:
    """Labels a classifier must score: tier names (difficulty) or the tiers' routes (task)."""
    if router_config.mode == "task":
        return list(dict.fromkeys(lab for t in router_config.tiers for lab in t.labels))
    return list(router_config.tier_names)


def build_classifier(
    cfg: ClassifierConfig,
    router_config: RouterConfig,
    *,
    judge_complete: Callable[[str], Any] | tuple[Any, Any] | None = None,
    encoder: Any = None,
    _where: str = "classifier",
) -> Any:
    """Build the classifier ``cfg`` describes, bound to ``router_config``'s labels.

    Args:
        cfg: the ``classifier`` section (``type``, ``options``, ``stages``, ``path``).
        router_config: gives the labels (tier names, or task routes) and resolves paths.
        judge_complete: for ``judge``: ``prompt -> text``, an ``async`` function, or a
            ``(complete, acomplete)`` pair.
        encoder: for ``embedding``: any :class:`Encoder` (default :class:`HashingEncoder`);
            it is wrapped in a :class:`CachedEncoder` unless it already is one.
    """
    from .cascade import CascadeClassifier
    from .judge import LLMJudgeClassifier
    from .rules import RulesClassifier

    labels = config_labels(router_config)
    ordinal = router_config.mode == "difficulty"
    kind = cfg.type
    opts = dict(cfg.options)
    if kind in _OPTIONS:
        unknown = sorted(set(opts) - _OPTIONS[kind])
        if unknown:
            raise ConfigError(
                f"{_where}.options: unknown option(s) {unknown} for type {kind!r}; "
                f"allowed: {sorted(_OPTIONS[kind])}",
                field=f"{_where}.options.{unknown[0]}",
                value=unknown,
            )

    if kind == "rules":
        return RulesClassifier(
            labels,
            keywords=opts.get("keywords"),
            mode=router_config.mode,
            **(
                {"no_signal_confidence": opts["no_signal_confidence"]}
                if "no_signal_confidence" in opts
                else {}
            ),
        )

    if kind == "embedding":
        return _build_embedding(cfg, router_config, opts, labels, ordinal, encoder, _where)

    if kind == "judge":
        complete, acomplete = _split_complete(judge_complete, _where)
        clamp = None
        # by default the judge is clamped to the offline model's band (max_shift tiers / top
        # labels), so a request cannot talk the judge outside what other signals allow;
        # `clamp: null` (or false) turns that off
        clamp_opt = opts.get("clamp", {"type": "embedded" if ordinal else "task"})
        if clamp_opt not in (None, False):
            clamp = build_classifier(
                _sub_config(clamp_opt, f"{_where}.options.clamp"),
                router_config,
                judge_complete=judge_complete,
                encoder=encoder,
                _where=f"{_where}.options.clamp",
            )
        kwargs = {
            k: opts[k]
            for k in (
                "default_label",
                "descriptions",
                "max_shift",
                "confidence",
                "failure_confidence",
                "sanitize",
            )
            if k in opts
        }
        return LLMJudgeClassifier(
            complete,
            acomplete,
            labels,
            mode=opts.get("mode", "labels"),
            ordinal=ordinal,
            clamp=clamp,
            **kwargs,
        )

    if kind == "cascade":
        stages = []
        for i, st in enumerate(cfg.stages):
            where = f"{_where}.stages[{i}]"
            clf = build_classifier(
                st, router_config, judge_complete=judge_complete, encoder=encoder, _where=where
            )
            stages.append((clf, st.accept_confidence))
        return CascadeClassifier(stages, labels=labels)

    if kind == "embedded":
        from .embedded import EmbeddedClassifier

        _resolve_dir(opts, router_config)
        clf = _construct(EmbeddedClassifier, _where, **opts)
        return clf.bind_labels(list(router_config.tier_names))

    if kind == "task":
        from .task import EmbeddedTaskClassifier

        _resolve_dir(opts, router_config)
        return _construct(EmbeddedTaskClassifier, _where, labels=labels, **opts)

    if kind == "trained":
        from .trained import TrainedRouter, TrainedRouterClassifier

        assert cfg.path is not None  # the config validator guarantees it
        trained = TrainedRouter.load(router_config.resolve_path(cfg.path), encoder=encoder)
        clf = TrainedRouterClassifier(trained, tier_models=opts.get("tier_models"))
        return clf.bind_labels(list(router_config.tier_names))

    if kind == "fake":
        from .fake import FakeClassifier

        opts.setdefault("ordered", ordinal)
        fake = FakeClassifier(**opts)
        return fake if "labels" in opts else fake.bind_labels(labels)

    raise ConfigError(  # pragma: no cover - ClassifierConfig validates the type
        f"unknown classifier type {kind!r}", field=f"{_where}.type", value=kind
    )


def _build_embedding(
    cfg: ClassifierConfig,
    router_config: RouterConfig,
    opts: dict[str, Any],
    labels: list[str],
    ordinal: bool,
    encoder: Any,
    where: str,
) -> Any:
    from .embedding import CachedEncoder, CentroidClassifier, HashingEncoder, HeadClassifier

    enc = encoder if encoder is not None else HashingEncoder()
    if not isinstance(enc, CachedEncoder):
        enc = CachedEncoder(enc, maxsize=int(opts.get("cache_size", 4096)))
    if cfg.path:
        return HeadClassifier.load(router_config.resolve_path(cfg.path), enc).bind_labels(labels)
    examples = opts.get("examples")
    if not examples:
        raise ConfigError(
            f"{where}: type 'embedding' needs options.examples = {{label: [example text, ...]}} "
            f"(labels among {labels}) or 'path' to a saved head (.json / .npz)",
            field=f"{where}.options.examples",
            value=examples,
        )
    method = opts.get("method", "centroid")
    if method == "centroid":
        kw = {"temperature": float(opts["temperature"])} if "temperature" in opts else {}
        return CentroidClassifier(enc, examples, labels=labels, ordinal=ordinal, **kw)
    if method in ("head", "logistic"):
        return HeadClassifier(
            enc,
            examples,
            labels=labels,
            ordinal=ordinal,
            l2=float(opts.get("l2", 1e-3)),
            max_iter=int(opts.get("max_iter", 500)),
        )
    raise ConfigError(
        f"{where}.options.method must be 'centroid' or 'head', got {method!r}",
        field=f"{where}.options.method",
        value=method,
    )


def _construct(cls: Any, where: str, **kwargs: Any) -> Any:
    """``cls(**kwargs)``, turning an unexpected option into a ConfigError naming it."""
    try:
        return cls(**kwargs)
    except TypeError as exc:
        if "argument" not in str(exc):
            raise
        raise ConfigError(
            f"{where}.options: {exc}; see the {cls.__name__} docstring for its options",
            field=f"{where}.options",
            value=sorted(kwargs),
        ) from None


def _resolve_dir(opts: dict[str, Any], router_config: RouterConfig) -> None:
    if opts.get("models_dir"):
        opts["models_dir"] = router_config.resolve_path(str(opts["models_dir"]))
