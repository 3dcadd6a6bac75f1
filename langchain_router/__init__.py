"""LangChain drop-in for tier-router.

* :class:`RoutedChatModel` — a chat model over one inner chat model per tier.
* :class:`RunnableRouter` — classify a chain's input, run one runnable per tier
  (:class:`UnboundedRouteWarning`: a route whose cost it cannot hold against a hard limit).
* :class:`CostCallbackHandler` — cost and savings of any chat model into the ledger.
* :class:`LangChainEncoder` — any LangChain ``Embeddings`` as the router's encoder.
* :func:`chat_model_judge` — any chat model as the LLM-judge classifier.
* :func:`allow_in_load_all` — let ``load(..., allowed_objects="all")`` rebuild the router.
* :class:`StructuredOutputError` — every tier's structured answer failed to parse (both an
  ``AllTiersFailedError`` and an ``OutputParserException``).
"""

from __future__ import annotations

try:
    import langchain_core  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised in a subprocess
    raise ImportError(
        "langchain_router needs LangChain, which is not installed: "
        "pip install 'tier-router[langchain]' (or 'tier-router[all]')"
    ) from exc

from .callbacks import CostCallbackHandler
from .chat_model import RoutedChatModel
from .embeddings import LangChainEncoder
from .judge import ChatModelJudge, chat_model_judge
from .route_budget import UnboundedRouteWarning
from .runnable_router import RunnableRouter
from .serde import allow_in_load_all
from .structured import StructuredOutputError

__all__ = [
    "ChatModelJudge",
    "CostCallbackHandler",
    "LangChainEncoder",
    "RoutedChatModel",
    "RunnableRouter",
    "StructuredOutputError",
    "UnboundedRouteWarning",
    "allow_in_load_all",
    "chat_model_judge",
]
