"""LlamaIndex adapter for tier-router: ``RoutedLLM`` drops in wherever LlamaIndex takes ``llm=``.

from llamaindex_router import RoutedLLM
llm = RoutedLLM(tiers={"cheap": cheap_llm, "strong": strong_llm}, config="router.yaml")
"""

from __future__ import annotations

from .context import route_context
from .embeddings import HashingEmbedding, LlamaIndexEncoder
from .judge import llm_judge
from .llm import RoutedLLM

__all__ = ["HashingEmbedding", "LlamaIndexEncoder", "RoutedLLM", "llm_judge", "route_context"]
