"""Checking a classifier config without building it (no weights loaded, no model called):
what :class:`~shared_core.Router` runs at construction, so a bad option fails before any call."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError

if TYPE_CHECKING:
    from ..config import ClassifierConfig, RouterConfig

_OPTIONS: dict[str, set[str]] = {
    # embedded / task: their constructors' keywords (tests check these stay in step)
    "embedded": {"models_dir", "pasted_asks", "context_asks", "short_problems"},
    "task": {"label_map", "examples", "examples_weight", "seeds", "models_dir"},
    "rules": {"keywords", "no_signal_confidence"},
    "embedding": {"examples", "method", "temperature", "l2", "max_iter", "cache_size"},
    "trained": {"tier_models"},
    "judge": {
        "mode",
        "default_label",
        "descriptions",
        "clamp",
        "max_shift",
        "confidence",
        "failure_confidence",
        "sanitize",
    },
}


def check_classifier_config(
    cfg: ClassifierConfig,
    router_config: RouterConfig,
    *,
    judge_complete: Any = None,
    _where: str = "classifier",
) -> None:
    """Check a classifier config without building it (no weights loaded, no model called):
    unknown options, a router / head file that is missing or pickle-like, a judge with no
    model to ask. :class:`~shared_core.Router` runs this at construction."""
    opts = dict(cfg.options)
    kind = cfg.type
    made_for = _MODE_OF.get(kind)
    if made_for is not None and made_for != router_config.mode:
        fit = "embedded" if router_config.mode == "difficulty" else "task"
        raise ConfigError(
            f"{_where}.type {kind!r} is made for mode: {made_for}, and this config is mode: "
            f"{router_config.mode}: it would send every request to one tier. Use type: {fit!r} "
            "(or rules, judge, embedding, trained, which fit either mode)",
            field=f"{_where}.type",
            value=kind,
        )
    allowed: set[str] | None = _OPTIONS.get(kind)
    if allowed is not None:
        unknown = sorted(set(opts) - allowed)
        if unknown:
            raise ConfigError(
                f"{_where}.options: unknown option(s) {unknown} for type {kind!r}; "
                f"allowed: {sorted(allowed)}",
                field=f"{_where}.options.{unknown[0]}",
                value=unknown,
            )
    for flag in ("pasted_asks", "context_asks", "short_problems"):
        if kind == "embedded" and not isinstance(opts.get(flag, True), bool):
            raise ConfigError(
                f"{_where}.options.{flag} must be true or false",
                field=f"{_where}.options.{flag}",
                value=opts[flag],
            )
    if cfg.path and kind in ("trained", "embedding"):
        from .files import _refuse_pickle  # (imports numpy: only when there is a file)

        _refuse_pickle(Path(router_config.resolve_path(cfg.path)))
    if kind == "judge":
        _split_complete(judge_complete, _where)
        clamp_opt = opts.get("clamp", {"type": "embedded" if router_config.mode == "difficulty" else "task"})
        if clamp_opt not in (None, False):
            check_classifier_config(
                _sub_config(clamp_opt, f"{_where}.options.clamp"), router_config,
                judge_complete=judge_complete, _where=f"{_where}.options.clamp",
            )
    for i, st in enumerate(cfg.stages):
        check_classifier_config(
            st, router_config, judge_complete=judge_complete, _where=f"{_where}.stages[{i}]"
        )


_MODE_OF = {"embedded": "difficulty", "task": "task"}
"""Classifier types that fit one mode only: the ladder model scores difficulty levels, the
task model task types."""


def _split_complete(judge_complete: Any, where: str) -> tuple[Any, Any]:
    if judge_complete is None:
        raise ConfigError(
            f"{where}: type 'judge' needs a model to ask: pass judge_complete=<prompt -> str callable "
            "(or async function, or a (complete, acomplete) pair)> to Router(...) or build_classifier(...); "
            "the LangChain / LlamaIndex adapters wire in a cheap chat model for you",
            field=f"{where}.type",
            value="judge",
        )
    if isinstance(judge_complete, tuple):
        if len(judge_complete) != 2:
            raise ConfigError(
                "judge_complete pair must be (complete, acomplete)", field="judge_complete"
            )
        return judge_complete[0], judge_complete[1]
    if not callable(judge_complete):
        raise ConfigError(
            f"judge_complete must be callable, got {type(judge_complete).__name__}",
            field="judge_complete",
        )
    import inspect

    if inspect.iscoroutinefunction(judge_complete) or inspect.iscoroutinefunction(
        getattr(judge_complete, "__call__", None)  # noqa: B004
    ):
        return None, judge_complete
    return judge_complete, None


def _sub_config(value: Any, where: str) -> ClassifierConfig:
    from pydantic import ValidationError

    from ..config import ClassifierConfig

    if isinstance(value, ClassifierConfig):
        return value
    if isinstance(value, str):
        value = {"type": value}
    try:
        return ClassifierConfig.model_validate(value)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ConfigError(
            f"{where}: invalid classifier config: {'.'.join(map(str, first['loc']))}: {first['msg']}",
            field=where,
            value=value,
        ) from None
