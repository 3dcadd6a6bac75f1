"""One request through either adapter in any of its four modes, for tests that check the same
behaviour in ``RoutedChatModel`` and ``RoutedLLM``."""

from __future__ import annotations

from typing import Any

ADAPTERS = ("langchain", "llamaindex")
MODES = ("invoke", "ainvoke", "stream", "astream")


async def run_adapter(adapter: str, model: Any, mode: str, prompt: str) -> str:
    """Send ``prompt`` to ``model`` (a ``RoutedChatModel`` for ``"langchain"``, else a
    ``RoutedLLM``) by ``mode`` and return the answer's text."""
    if adapter == "langchain":
        if mode == "invoke":
            return str(model.invoke(prompt).content)
        if mode == "ainvoke":
            return str((await model.ainvoke(prompt)).content)
        if mode == "stream":
            return "".join(c.text for c in model.stream(prompt))
        return "".join([c.text async for c in model.astream(prompt)])
    from llama_index.core.base.llms.types import ChatMessage

    msgs = [ChatMessage(role="user", content=prompt)]
    if mode == "invoke":
        return str(model.chat(msgs).message.content)
    if mode == "ainvoke":
        return str((await model.achat(msgs)).message.content)
    if mode == "stream":
        return "".join(r.delta or "" for r in model.stream_chat(msgs))
    return "".join([r.delta or "" async for r in await model.astream_chat(msgs)])
