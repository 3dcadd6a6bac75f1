"""LangChain drop-in for tier-router.

* :class:`RoutedChatModel` — a chat model over one inner chat model per tier.
* :class:`RunnableRouter` — classify a chain's input, run one runnable per tier.
* :class:`CostCallbackHandler` — cost and savings of any chat model into the ledger.
* :class:`LangChainEncoder` — any LangChain ``Embeddings`` as the router's encoder.
* :func:`chat_model_judge` — any chat model as the LLM-judge classifier.
"""

from __future__ import annotations

from .callbacks import CostCallbackHandler
from .chat_model import RoutedChatModel
from .embeddings import LangChainEncoder
from .judge import ChatModelJudge, chat_model_judge
from .runnable_router import RunnableRouter

__all__ = [
    "ChatModelJudge",
    "CostCallbackHandler",
    "LangChainEncoder",
    "RoutedChatModel",
    "RunnableRouter",
    "chat_model_judge",
]
