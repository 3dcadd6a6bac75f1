"""Each fault the loopback server injects, raised by the real openai client, has the right kind."""

from __future__ import annotations

import openai
import pytest

from shared_core.faults import classify_error

pytestmark = pytest.mark.integration

USER = [{"role": "user", "content": "hi"}]


@pytest.mark.parametrize(
    ("fault", "kind"),
    [
        ({"status": 429}, "rate_limit"),
        ({"status": 500}, "server"),
        ({"status": 503}, "server"),
        ({"status": 400}, "other"),
        ({"kind": "timeout", "delay": 1.0}, "timeout"),
        ({"kind": "reset"}, "connection"),
        ({"kind": "malformed"}, "bad_response"),
        ({"kind": "content_filter"}, "content_filter"),
        ({"kind": "cut_stream"}, "connection"),  # non-streaming: the socket is closed
    ],
    ids=lambda v: str(v.get("status") or v.get("kind")) if isinstance(v, dict) else v,
)
@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
async def test_real_client_errors_classify(openai_server, fault, kind, stream) -> None:
    client = openai.AsyncOpenAI(
        base_url=openai_server.base_url, api_key="sk-test", max_retries=0, timeout=0.3
    )
    openai_server.fail(model="m", **fault)
    with pytest.raises(Exception) as info:
        if stream:
            async for _ in await client.chat.completions.create(
                model="m", messages=USER, stream=True
            ):
                pass
        else:
            await client.chat.completions.create(model="m", messages=USER)
    assert classify_error(info.value) == kind
