"""Inner LlamaIndex LLMs from a config file's ``"provider:model"`` ids.

The LlamaIndex twin of ``langchain_router.factory`` (which uses LangChain's
``init_chat_model``): ``openai:gpt-4o-mini`` is ``llama_index.llms.openai.OpenAI(model=
"gpt-4o-mini")``. A bare id is read the way ``init_chat_model`` reads it (``gpt-...``,
``o1``/``o3``/``o4``: OpenAI; ``claude...``: Anthropic; ...). Each provider's class lives in its
own ``llama-index-llms-<provider>`` package; a missing one is a :class:`ConfigError` naming it.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from shared_core.config import RouterConfig
from shared_core.errors import ConfigError

# provider -> (module, class, pip package)
PROVIDERS: dict[str, tuple[str, str, str]] = {
    "openai": ("llama_index.llms.openai", "OpenAI", "llama-index-llms-openai"),
    "anthropic": ("llama_index.llms.anthropic", "Anthropic", "llama-index-llms-anthropic"),
    "mistralai": ("llama_index.llms.mistralai", "MistralAI", "llama-index-llms-mistralai"),
    "groq": ("llama_index.llms.groq", "Groq", "llama-index-llms-groq"),
    "ollama": ("llama_index.llms.ollama", "Ollama", "llama-index-llms-ollama"),
    "google_genai": ("llama_index.llms.google_genai", "GoogleGenAI", "llama-index-llms-google-genai"),
    "deepseek": ("llama_index.llms.deepseek", "DeepSeek", "llama-index-llms-deepseek"),
}
_BARE = (  # prefix of a bare model id -> provider
    ("gpt-", "openai"), ("chatgpt", "openai"), ("o1", "openai"), ("o3", "openai"),
    ("o4", "openai"), ("claude", "anthropic"), ("mistral", "mistralai"),
    ("gemini", "google_genai"), ("deepseek", "deepseek"),
)
OWN_OPTIONS = (
    "ledger", "router", "classifier", "prices", "checks", "embed_model", "judge_llm",
    "allow_unordered", "max_tokens", "routing", "system_prompt", "callback_manager",
)
"""``RoutedLLM.from_config`` keywords that go to the ``RoutedLLM``, not to every inner LLM."""


def tiers_from_config(
    path: str | Path, kwargs: dict[str, Any]
) -> tuple[dict[str, Any], RouterConfig, dict[str, Any]]:
    """``(tiers, config, RoutedLLM options)``: one LLM per tier of the config at ``path``;
    ``kwargs`` other than :data:`OWN_OPTIONS` go to every inner LLM."""
    kwargs = dict(kwargs)
    cfg = RouterConfig.from_file(path)
    own = {k: kwargs.pop(k) for k in OWN_OPTIONS if k in kwargs}
    return inner_llms(cfg, kwargs), cfg, own


def inner_llms(cfg: RouterConfig, llm_kwargs: dict[str, Any]) -> dict[str, Any]:
    """One LlamaIndex LLM per tier of ``cfg`` (cheapest first), built with ``llm_kwargs``."""
    return {t.name: _build(t.name, t.model, llm_kwargs) for t in cfg.tiers}


def _provider(model: str) -> tuple[str | None, str]:
    head, sep, rest = model.partition(":")
    if sep and head in PROVIDERS:
        return head, rest
    if sep and head.isidentifier():
        return head, rest  # a provider we do not know: reported by _build
    low = model.lower()
    return next((p for prefix, p in _BARE if low.startswith(prefix)), None), model


def _build(tier: str, model: str, llm_kwargs: dict[str, Any]) -> Any:
    provider, name = _provider(model)
    where = f"tiers.{tier}.model"
    known = ", ".join(PROVIDERS)
    if provider is None or provider not in PROVIDERS:
        what = "no provider" if provider is None else f"provider {provider!r}"
        raise ConfigError(
            f"tier {tier!r}: model {model!r} names {what} RoutedLLM can build an LLM for; use "
            f"'provider:model' with one of {known} (e.g. 'openai:gpt-4o-mini'), or build the "
            "LLMs yourself and pass tiers={name: llm, ...}",
            field=where,
            value=model,
        )
    module, cls_name, package = PROVIDERS[provider]
    try:
        cls = getattr(importlib.import_module(module), cls_name)
    except ImportError:
        raise ConfigError(
            f"tier {tier!r}: model {model!r} needs LlamaIndex's {provider} integration: "
            f"pip install {package}; or build the LLMs yourself and pass tiers={{name: llm, ...}}",
            field=where,
            value=model,
        ) from None
    try:
        return cls(model=name, **llm_kwargs)
    except Exception as exc:
        raise ConfigError(
            f"tier {tier!r}: cannot build {cls_name}(model={name!r}): {type(exc).__name__}: {exc}",
            field=where,
            value=model,
        ) from exc
