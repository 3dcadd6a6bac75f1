"""Framework-free helpers both adapters share (LangChain and LlamaIndex).

* :func:`model_id` — the model id of an inner framework model (``model_name``, ``model`` ...).
* :func:`config_from_tiers` — the :class:`RouterConfig` an adapter runs on, from the
  ``{tier name: model id}`` it was given plus an optional config (object, dict or path).
  With no config, tier names come from the dict keys (cheapest first), model ids from the
  inner models, and the embedded default classifier maps difficulty onto however many
  tiers there are; tiers named like the bundled ladder's get its system prompts and
  ``max_tokens`` (:mod:`shared_core.tier_defaults`); each attempt is bounded by the bundled
  config's attempt timeout. With a config, the names must match its tiers exactly.
* :func:`check_shared_router` — a ``router=`` given to an adapter (a ``Router`` or an A/B
  ``VariantRouter``) serves exactly the adapter's tiers.
* :func:`check_tool_tiers` — the typed error for tools that cannot be routed to any tier.
* :func:`reject_typos` — a misspelt argument of an adapter (``confg=``) is a typed error.
* :func:`config_for_tierless` — the config an adapter built without ``tiers=`` builds its
  inner models from (its own, else ``$TIER_ROUTER_CONFIG``), or the typed error showing the fix.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .config import CONFIG_ENV, RouterConfig
from .errors import ConfigError, ToolsUnsupportedError
from .router import _as_config

_MODEL_ATTRS = ("model_name", "model", "model_id", "deployment_name", "azure_deployment")


def as_config(config: RouterConfig | str | Path | Mapping[str, Any]) -> RouterConfig:
    """A :class:`RouterConfig` from a config, a file path or a dict (validated)."""
    return _as_config(config)


def model_id(obj: Any, default: str | None = None) -> str | None:
    """The model id an inner model calls (first non-empty string of the usual attributes)."""
    for attr in _MODEL_ATTRS:
        try:
            value = getattr(obj, attr, None)
        except Exception:  # some frameworks raise from properties on half-built objects
            continue
        if isinstance(value, str) and value.strip():
            return value
    return default


def default_attempt_timeout() -> float | None:
    """The bundled config's ``fallback.attempt_timeout_s`` (also used by an adapter given
    tiers but no config): one value, kept in ``shared_core/data/default_config.yaml``."""
    from .tier_defaults import bundled_ladder

    return bundled_ladder().fallback.attempt_timeout_s


def config_from_tiers(
    names_to_models: Mapping[str, str | None],
    config: RouterConfig | str | Path | Mapping[str, Any] | None = None,
    *,
    ladder_defaults: bool = True,
    model_budgets: Mapping[str, int] | None = None,
) -> RouterConfig:
    """The config for an adapter over ``{tier name: inner model id}`` (cheapest first).

    Args:
        names_to_models: tier names (the keys of the adapter's ``tiers=``) to the inner
            models' ids; an id may be ``None`` when the model exposes none (the tier name is
            used as the id, which prices as unknown).
        ladder_defaults: with no config, give tiers named like the bundled ladder's its
            system prompts and budgets (and warn about other names); ``False`` for adapters
            that apply neither (``RunnableRouter`` dispatches whole chains).
        config: ``None`` (build one: embedded default classifier), a :class:`RouterConfig`,
            a dict, or a path to a YAML/TOML/JSON file.
        model_budgets: the output budget the user gave each tier's inner model
            (:func:`~shared_core.output_budget.tier_budgets`): a tier with no ``max_tokens``
            of its own (in the config, or the ladder's default) takes it, so what is sent is
            what holds and caps count. A config's own ``max_tokens`` wins.

    Raises:
        ConfigError: no tiers, or the names do not match the config's tier names (the
            message lists what is missing on each side and how to fix it).
    """
    if not names_to_models:
        raise ConfigError(
            "tiers is empty: pass at least one tier, e.g. tiers={'cheap': model_a, 'strong': model_b}",
            field="tiers",
            value={},
        )
    names = list(names_to_models)
    if config is None:
        from .tier_defaults import ladder_tiers

        tiers = (
            ladder_tiers(names_to_models, model_budgets)
            if ladder_defaults
            else [{"name": n, "model": m or n} for n, m in names_to_models.items()]
        )
        return RouterConfig.build({
            "tiers": tiers,
            "classifier": {"type": "embedded"},
            "fallback": {"attempt_timeout_s": default_attempt_timeout()},
        })
    cfg = _as_config(config)
    cfg_names = cfg.tier_names
    missing = [n for n in cfg_names if n not in names_to_models]
    extra = [n for n in names if n not in cfg_names]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"the config has tier(s) {missing} with no inner model")
        if extra:
            parts.append(f"tiers= has {extra} that the config does not define")
        raise ConfigError(
            "tiers= and config do not match: "
            + "; ".join(parts)
            + f". Config tiers: {cfg_names}; tiers= keys: {names}. "
            "Use the config's tier names as the keys of tiers=.",
            field="tiers",
            value=names,
        )
    if model_budgets:
        from .tier_defaults import with_model_budgets

        cfg = with_model_budgets(cfg, model_budgets)
    return cfg


def check_shared_router(names_to_models: Mapping[str, str | None], router: Any) -> None:
    """Raise :class:`ConfigError` unless ``router`` (a :class:`~shared_core.Router` or a
    :class:`~shared_core.variants.VariantRouter`) routes to exactly the adapter's tiers: a
    variant's config is checked too, since its decisions are answered by the same models."""
    from .router import Router
    from .variants import VariantRouter

    if isinstance(router, VariantRouter):
        for name, variant in zip(router.names, router.routers):
            try:
                config_from_tiers(names_to_models, variant.config)
            except ConfigError as exc:
                raise ConfigError(
                    f"router= is a VariantRouter whose {name!r} variant does not fit the adapter "
                    f"(the {'control' if variant is router.control else 'candidate'}): {exc}",
                    field="router",
                    value=name,
                ) from None
        return
    if not isinstance(router, Router):
        raise ConfigError(
            "router must be a shared_core.Router or a shared_core.variants.VariantRouter, "
            f"got {type(router).__name__}",
            field="router",
            value=type(router).__name__,
        )
    config_from_tiers(names_to_models, router.config)


def check_tool_tiers(cfg: RouterConfig, cannot: Mapping[str, str], why: str, fix: str) -> None:
    """Raise :class:`ToolsUnsupportedError` before a tool call is routed when it cannot be served.

    ``cannot`` maps the tiers whose model cannot call tools at all to the model's class name;
    ``why`` says why (framework words), ``fix`` what model to give them. Raised when that is
    every tier, or when the config still lets tool calls reach one of them (a shared
    ``router=`` keeps its own config; an adapter's own has ``supports_tools`` off for them).
    """
    if not cannot:
        return
    if len(cannot) == len(cfg.tiers):
        raise ToolsUnsupportedError.no_tier(cannot, why, fix)
    open_to_tools = {t.name for t in cfg.tiers if t.supports_tools}
    wrong = {name: model for name, model in cannot.items() if name in open_to_tools}
    if wrong:
        raise ToolsUnsupportedError.for_tiers(wrong, why, fix)


def reject_typos(owner: str, given: Iterable[str], known: Iterable[str]) -> None:
    """Raise :class:`ConfigError` for an argument in ``given`` that ``owner`` does not take
    but that is one typo away from one it does (``confg=`` for ``config=``).

    Frameworks accept and ignore unknown keyword arguments (drop-in compatibility with
    provider models: ``api_key=`` belongs on the inner models), so without this check a
    misspelt ``ledger=`` would route on the defaults and lose every record at exit.
    """
    names = sorted(set(known))
    for key in given:
        if key in names:
            continue
        close = difflib.get_close_matches(key, names, n=1, cutoff=0.8)
        if close:
            raise ConfigError(
                f"{owner} got an unknown argument {key!r}; did you mean {close[0]!r}?",
                field=key,
                value=key,
            )


def config_for_tierless(config: Any, *, adapter: str, inner: str) -> Any:
    """The config an ``adapter`` built without ``tiers=`` reads: its own, else the file named
    by ``$TIER_ROUTER_CONFIG`` (``inner`` names what a tier takes, for the message).

    Raises:
        ConfigError: neither is set.
    """
    if config is None:
        config = os.environ.get(CONFIG_ENV) or None
    if config is None:
        raise ConfigError(
            f"{adapter} needs tiers={{name: {inner}, ...}}, or a config whose tiers name "
            f"'provider:model' ids to build them from: {adapter}(config='router.yaml') "
            f"(or the {CONFIG_ENV} environment variable naming that file)",
            field="tiers",
            value=None,
        )
    return config
