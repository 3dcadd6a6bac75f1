"""LlamaIndex ``ChatMessage`` <-> the core's plain ``{role, content}`` dicts, and the tier prompt.

ReAct agents send tool results as user messages ("Observation: ..."); they are passed on as
tool messages, so the classifier keeps looking at the user's question. Also finds the user's question inside a query engine's templated prompt: LlamaIndex's
question-answering templates put the retrieved context between separator lines and the
question after ``Query:`` (``"...---------------------\\nQuery: {query_str}\\nAnswer: "``).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import Any

from llama_index.core.base.llms.types import (
    AudioBlock,
    ChatMessage,
    DocumentBlock,
    ImageBlock,
    MessageRole,
    TextBlock,
    VideoBlock,
)

from shared_core.request import clean_text, ensure_sendable, head_tail
from shared_core.tier import Tier

from .context import Routing
from .templates import rendered_question

_ATTACHMENTS: tuple[tuple[type, str], ...] = (
    (ImageBlock, "image"),
    (AudioBlock, "audio"),
    (VideoBlock, "video"),
    (DocumentBlock, "file"),
)

# "Query: <question>\nAnswer:" at the very end (LlamaIndex QA / tree-summarize templates)
_QUERY_TAIL_RE = re.compile(r"(?:^|\n)Query:[ \t]*(?P<q>.+?)\s*\n\s*Answer:?\s*$", re.DOTALL)
# "The original query is as follows: <question>\n" (refine templates)
_REFINE_RE = re.compile(r"^The original query is as follows:[ \t]*(?P<q>.+?)\n", re.DOTALL)
# ReActAgent sends tool results back as user messages starting with this
_OBSERVATION = "Observation:"
_CONTEXT_MARKERS = ("---------------------", "------------", "Context information")


def to_core_messages(messages: Sequence[ChatMessage]) -> list[dict[str, Any]]:
    """Plain dicts for :meth:`shared_core.Router.request` (text plus attachment markers)."""
    out: list[dict[str, Any]] = []
    for m in messages:
        role = m.role.value if isinstance(m.role, MessageRole) else str(m.role)
        blocks = m.blocks
        texts = [b.text for b in blocks if isinstance(b, TextBlock)]
        if len(texts) == len(blocks):
            text = "".join(texts)
            if role == "user" and text.startswith(_OBSERVATION):
                role = "tool"  # a ReAct agent's tool result, not the user's request
            out.append({"role": role, "content": text})
            continue
        parts: list[dict[str, Any]] = []
        for b in blocks:
            if isinstance(b, TextBlock):
                parts.append({"type": "text", "text": b.text})
            else:
                for cls, kind in _ATTACHMENTS:
                    if isinstance(b, cls):
                        parts.append({"type": kind})
                        break
        out.append({"role": role, "content": parts})
    return out


def templated_question(text: str) -> str | None:
    """The question inside a LlamaIndex QA / refine prompt, or ``None`` for ordinary text."""
    if not text or not any(marker in text for marker in _CONTEXT_MARKERS):
        return None
    tail = text[-2000:]
    m = _QUERY_TAIL_RE.search(tail)
    if m is None:
        m = _REFINE_RE.search(text[:2000])
    if m is None:
        return None
    q = m.group("q").strip()
    return q or None


def apply_system_prompt(messages: Sequence[ChatMessage], tier: Tier) -> list[ChatMessage]:
    """The messages with ``tier.system_prompt`` applied once, by ``tier.system_prompt_mode``.

    merge: the tier text first, then the caller's first system message, in one system
    message (the caller's non-text blocks, such as a ``CachePoint``, kept in place); prepend: a separate system message before everything; replace: the caller's
    system messages are dropped; off (or no tier prompt): the messages are unchanged.
    """
    msgs = list(messages)
    text = tier.system_prompt
    mode = tier.system_prompt_mode
    if not text or mode == "off":
        return msgs
    system = MessageRole.SYSTEM
    if mode == "replace":
        return [ChatMessage(role=system, content=text)] + [m for m in msgs if m.role != system]
    if mode == "merge" and msgs and msgs[0].role == system:
        first = msgs[0]
        return [
            ChatMessage(
                role=system,
                blocks=_merged_blocks(text, first.blocks),
                additional_kwargs=dict(first.additional_kwargs),
            ),
            *msgs[1:],
        ]
    return [ChatMessage(role=system, content=text), *msgs]


def _merged_blocks(text: str, caller: Sequence[Any]) -> list[Any]:
    """The caller's system blocks with the tier text in front of their text: every other block
    (a ``CachePoint`` for prompt caching, an image) stays where it was; blank text is dropped."""
    blocks = [b for b in caller if not (isinstance(b, TextBlock) and not b.text.strip())]
    if blocks and isinstance(blocks[0], TextBlock):
        return [TextBlock(text=f"{text}\n\n{blocks[0].text}"), *blocks[1:]]
    return [TextBlock(text=text), *blocks]


def prompt_with_system(prompt: str, tier: Tier) -> str:
    """A completion prompt with the tier's system prompt in front (completion-only models)."""
    if not tier.system_prompt or tier.system_prompt_mode == "off":
        return prompt
    return f"{tier.system_prompt}\n\n{prompt}"


def core_request(
    router: Any, messages: Sequence[ChatMessage], r: Routing, *, tools: bool, required: bool
) -> Any:
    """The core request for a call; a templated prompt's question (``r.question`` or found
    in the last user turn) replaces the text that is classified."""
    core = to_core_messages(messages)
    ensure_sendable(core)  # typed InputError before any provider call
    request = router.request(
        core,
        has_tools=tools,
        tool_choice_required=required,
        structured_output=r.structured_output,
        thread_id=r.thread_id,
        user=r.user,
        tags=r.tags,
        metadata=r.metadata,
    )
    question = r.question
    if question is None and messages:
        last = messages[-1]
        if last.role == "user":
            question = templated_question(last.content or "") or rendered_question(
                last.content or ""
            )
    if question:
        ext = router.config.extraction
        request = dataclasses.replace(
            request,
            text=head_tail(clean_text(question), ext.max_chars, ext.head_fraction),
            ask_start=0,  # the question is the whole ask
            notes=(*request.notes, "classified the question of a templated prompt (query_str)"),
        )
    return request
