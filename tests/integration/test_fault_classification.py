"""Each fault the loopback server injects, raised by the real openai client, has the right kind."""

from __future__ import annotations

import json

import httpx
import openai
import pytest

from shared_core.faults import classify_error

pytestmark = pytest.mark.integration

USER = [{"role": "user", "content": "hi"}]


@pytest.mark.parametrize(
    ("fault", "kind", "error"),
    [
        ({"status": 429}, "rate_limit", openai.RateLimitError),
        ({"status": 500}, "server", openai.InternalServerError),
        ({"status": 503}, "server", openai.InternalServerError),
        ({"status": 400}, "other", openai.BadRequestError),
        ({"kind": "timeout", "delay": 1.0}, "timeout", openai.APITimeoutError),
        ({"kind": "reset"}, "connection", openai.APIConnectionError),
        ({"kind": "malformed"}, "bad_response", json.JSONDecodeError),
        ({"kind": "content_filter"}, "content_filter", openai.BadRequestError),
        # plain: the socket is closed before any answer; stream: after the first chunk
        ({"kind": "cut_stream"}, "connection", openai.APIConnectionError),
        # plain: an HTTP 500; stream: an error event before the first chunk, classified by
        # its type / code as the HTTP status would be
        ({"kind": "error_event", "after_chunks": 0}, "server", openai.InternalServerError),
    ],
    ids=lambda v: str(v.get("status") or v.get("kind")) if isinstance(v, dict) else None,
)
@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
async def test_real_client_errors_classify(openai_server, fault, kind, error, stream) -> None:
    client = openai.AsyncOpenAI(
        base_url=openai_server.base_url, api_key="sk-test", max_retries=0, timeout=0.3
    )
    openai_server.fail(model="m", **fault)
    if stream and fault.get("kind") == "cut_stream":
        error = httpx.RemoteProtocolError  # raised by the SSE reader, not wrapped by openai
    if stream and fault.get("kind") == "error_event":
        error = openai.APIError  # no HTTP status: the stream's headers said 200
    with pytest.raises(error) as info:
        if stream:
            async for _ in await client.chat.completions.create(
                model="m", messages=USER, stream=True
            ):
                pass
        else:
            await client.chat.completions.create(model="m", messages=USER)
    assert classify_error(info.value) == kind
