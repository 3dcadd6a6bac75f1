"""LlamaIndex adapter for tier-router: ``RoutedLLM`` drops in wherever LlamaIndex takes ``llm=``.

from llamaindex_router import RoutedLLM
llm = RoutedLLM(tiers={"cheap": cheap_llm, "strong": strong_llm}, config="router.yaml")
"""

from __future__ import annotations

try:
    import llama_index.core  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised in a subprocess
    raise ImportError(
        "llamaindex_router needs LlamaIndex, which is not installed: "
        "pip install 'tier-router[llamaindex]' (or 'tier-router[all]')"
    ) from exc

from .context import route_context
from .embeddings import HashingEmbedding, LlamaIndexEncoder
from .judge import llm_judge
from .llm import RoutedLLM

__all__ = ["HashingEmbedding", "LlamaIndexEncoder", "RoutedLLM", "llm_judge", "route_context"]
