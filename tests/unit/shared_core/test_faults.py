"""classify_error: real SDK / transport / builtin exceptions, built offline, map to kinds."""

from __future__ import annotations

import asyncio
import email.utils
import json
import math
import time

import httpx
import openai
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared_core.config import FallbackConfig
from shared_core.faults import (
    DEFAULT_RETRYABLE,
    ERROR_KINDS,
    classify_error,
    is_retryable_kind,
    requested_pause,
    retry_after_seconds,
    status_code,
)

REQ = httpx.Request("POST", "https://api.example.com/v1/chat/completions")


def status_error(cls: type[openai.APIStatusError], code: int, body=None, headers=None):
    response = httpx.Response(code, request=REQ, headers=headers or {})
    return cls(f"Error code: {code}", response=response, body=body)


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (status_error(openai.RateLimitError, 429), "rate_limit"),
        (status_error(openai.InternalServerError, 500), "server"),
        (status_error(openai.InternalServerError, 503), "server"),
        (status_error(openai.APIStatusError, 502), "server"),
        (status_error(openai.APIStatusError, 408), "timeout"),
        (status_error(openai.BadRequestError, 400), "other"),
        (status_error(openai.AuthenticationError, 401), "other"),
        (status_error(openai.NotFoundError, 404), "other"),
        (openai.APITimeoutError(request=REQ), "timeout"),
        (openai.APIConnectionError(request=REQ), "connection"),
        (openai.APIResponseValidationError(httpx.Response(200, request=REQ), None), "bad_response"),
        (openai.ContentFilterFinishReasonError(), "content_filter"),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, BaseException) else v,
)
def test_openai_exceptions(exc: BaseException, kind: str) -> None:
    assert classify_error(exc) == kind


def test_azure_content_filter_400_is_content_filter_not_other() -> None:
    body = {
        "message": "The response was filtered due to the prompt triggering Azure OpenAI's "
        "content management policy.",
        "type": None,
        "param": "prompt",
        "code": "content_filter",
    }
    exc = status_error(openai.BadRequestError, 400, body=body)
    assert exc.code == "content_filter"
    assert classify_error(exc) == "content_filter"
    # the marker in the message alone is enough (some gateways drop the code)
    assert (
        classify_error(ValueError("blocked by the content management policy")) == "content_filter"
    )


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (httpx.ReadTimeout("read timed out", request=REQ), "timeout"),
        (httpx.ConnectTimeout("connect timed out", request=REQ), "timeout"),
        (httpx.PoolTimeout("pool", request=REQ), "timeout"),
        (httpx.ConnectError("refused", request=REQ), "connection"),
        (httpx.ReadError("reset", request=REQ), "connection"),
        (
            httpx.RemoteProtocolError(
                "peer closed connection (incomplete chunked read)", request=REQ
            ),
            "connection",
        ),
        (httpx.DecodingError("bad gzip", request=REQ), "bad_response"),
        (
            httpx.HTTPStatusError("429", request=REQ, response=httpx.Response(429, request=REQ)),
            "rate_limit",
        ),
        (
            httpx.HTTPStatusError("503", request=REQ, response=httpx.Response(503, request=REQ)),
            "server",
        ),
        (
            httpx.HTTPStatusError("400", request=REQ, response=httpx.Response(400, request=REQ)),
            "other",
        ),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, BaseException) else v,
)
def test_httpx_exceptions(exc: BaseException, kind: str) -> None:
    assert classify_error(exc) == kind


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (TimeoutError(), "timeout"),
        (asyncio.TimeoutError(), "timeout"),
        (ConnectionError("x"), "connection"),
        (ConnectionResetError(104, "Connection reset by peer"), "connection"),
        (BrokenPipeError(), "connection"),
        (json.JSONDecodeError("Expecting value", "{", 1), "bad_response"),
        (ValueError("timeout must be positive"), "other"),  # no guessing from words
        (KeyError("choices"), "other"),
        (RuntimeError("boom"), "other"),
        (asyncio.CancelledError(), "other"),
    ],
    ids=repr,
)
def test_builtin_exceptions(exc: BaseException, kind: str) -> None:
    assert classify_error(exc) == kind


def test_duck_typed_status_attributes() -> None:
    class ProviderError(Exception):
        def __init__(self, status: object) -> None:
            super().__init__("provider said no")
            self.status = status

    class Resp:
        status_code = 529

    class WithResponse(Exception):
        response = Resp()

    assert classify_error(ProviderError(429)) == "rate_limit"
    assert classify_error(ProviderError("503")) == "server"
    assert classify_error(ProviderError("error")) == "other"
    assert classify_error(WithResponse()) == "server"
    assert status_code(WithResponse()) == 529


def test_class_names_anywhere_in_the_mro() -> None:
    class RateLimitError(Exception):
        pass

    class MyThrottle(RateLimitError):
        pass

    class ServiceUnavailable(Exception):
        pass

    assert classify_error(MyThrottle()) == "rate_limit"
    assert classify_error(ServiceUnavailable()) == "server"


def test_wrapped_errors_use_their_cause() -> None:
    inner = status_error(openai.RateLimitError, 429)
    try:
        try:
            raise inner
        except openai.RateLimitError as e:
            raise RuntimeError("chain failed") from e
    except RuntimeError as outer:
        assert classify_error(outer) == "rate_limit"
    # implicit context works too, and cycles terminate
    a, b = RuntimeError("a"), RuntimeError("b")
    a.__context__, b.__context__ = b, a
    assert classify_error(a) == "other"


def test_finish_reason_attribute_and_hostile_attributes() -> None:
    class Filtered(Exception):
        finish_reason = "content_filter"

    class Hostile(Exception):
        @property
        def status_code(self) -> int:
            raise RuntimeError("half-built error")

        def __str__(self) -> str:
            raise RuntimeError("cannot print")

    assert classify_error(Filtered()) == "content_filter"
    assert classify_error(Hostile()) == "other"


def test_retry_after_header() -> None:
    exc = status_error(openai.RateLimitError, 429, headers={"retry-after": "2.5"})
    assert retry_after_seconds(exc) == 2.5
    assert retry_after_seconds(status_error(openai.RateLimitError, 429)) is None
    assert retry_after_seconds(ValueError()) is None


def test_retry_after_in_milliseconds_and_dates_counted_from_now() -> None:
    ms = {"retry-after-ms": "1500"}
    assert retry_after_seconds(status_error(openai.RateLimitError, 429, headers=ms)) == 1.5
    both = {"retry-after-ms": "0", "retry-after": "30"}  # the longer of the two
    assert retry_after_seconds(status_error(openai.RateLimitError, 429, headers=both)) == 30.0
    for junk in ("1_000", "inf", "nan", "-5", "1e3", "soon", ""):
        bad = status_error(openai.RateLimitError, 429, headers={"retry-after": junk})
        assert retry_after_seconds(bad) is None, junk
    when = email.utils.formatdate(time.time() + 60, usegmt=True)
    got = retry_after_seconds(status_error(openai.InternalServerError, 503, headers={"retry-after": when}))
    assert got is not None and 55 <= got <= 61
    past = {"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}
    assert retry_after_seconds(status_error(openai.RateLimitError, 429, headers=past)) == 0.0


def test_retry_after_of_a_wrapped_error() -> None:
    inner = status_error(openai.RateLimitError, 429, headers={"retry-after": "7"})
    assert retry_after_seconds(_wrapped(inner)) == 7.0


@given(st.text(max_size=40))
def test_retry_after_never_raises_and_is_a_finite_wait_or_none(value: str) -> None:
    try:
        exc = status_error(openai.RateLimitError, 429, headers={"retry-after": value})
    except (ValueError, TypeError, UnicodeEncodeError):  # httpx refuses the header itself
        return
    got = retry_after_seconds(exc)
    assert got is None or (math.isfinite(got) and got >= 0)


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        # OpenAI's 400 for a prompt past the model's window (code in the body, and the message)
        (status_error(openai.BadRequestError, 400, body={
            "message": "This model's maximum context length is 128000 tokens. However, your messages "
            "resulted in 130412 tokens. Please reduce the length of the messages.",
            "type": "invalid_request_error", "param": "messages", "code": "context_length_exceeded",
        }), "context_length"),
        # Anthropic through an OpenAI-compatible gateway
        (openai.BadRequestError("prompt is too long: 210345 tokens > 200000 maximum",
                                response=httpx.Response(400, request=REQ), body=None), "context_length"),
        (openai.BadRequestError("Error code: 413 - input is too long for requested model",
                                response=httpx.Response(413, request=REQ), body=None), "context_length"),
        # Gemini, vLLM
        (openai.BadRequestError("The input token count (1200000) exceeds the maximum number of tokens "
                                "allowed (1048576).", response=httpx.Response(400, request=REQ), body=None),
         "context_length"),
        (openai.BadRequestError("This model's maximum context length is 8192 tokens. However, you requested "
                                "9000 tokens", response=httpx.Response(400, request=REQ), body=None), "context_length"),
        # Anthropic's input + max_tokens past the limit, vLLM's decoder prompt, llama.cpp's server
        (openai.BadRequestError("input length and `max_tokens` exceed context limit: 197626 + 8192 > 200000, "
                                "decrease input length or `max_tokens` and try again",
                                response=httpx.Response(400, request=REQ), body=None), "context_length"),
        (openai.BadRequestError("The decoder prompt (length 2136) is longer than the maximum model length of 2048.",
                                response=httpx.Response(400, request=REQ), body=None), "context_length"),
        (openai.BadRequestError("the request exceeds the available context size, try increasing it",
                                response=httpx.Response(400, request=REQ), body=None), "context_length"),
        # an error of no HTTP status is matched by its class only: a template's own ValueError is not
        (ValueError("prompt is too long for the template"), "other"),
        # a 429 about tokens per minute is a rate limit, whatever it says
        (openai.RateLimitError("Too many tokens per minute; input is too long for the remaining quota",
                               response=httpx.Response(429, request=REQ), body=None), "rate_limit"),
        # a plain 400 is still the caller's problem
        (status_error(openai.BadRequestError, 400, body={"code": "invalid_value"}), "other"),
        # a 5xx that happens to mention the window is the server's
        (openai.InternalServerError("exceeds the context window", response=httpx.Response(500, request=REQ),
                                    body=None), "server"),
    ],
    ids=["openai-code", "anthropic-message", "413", "gemini", "vllm", "anthropic-limit", "vllm-decoder",
         "llama.cpp", "no-status", "429", "plain-400", "500"],
)
def test_a_prompt_past_the_context_window_is_its_own_kind(exc: BaseException, kind: str) -> None:
    """A context-length 400 was ``other``: never retried, so a tier with a bigger window was
    never tried although the router's estimate had let the prompt through."""
    assert classify_error(exc) == kind


def test_langchain_s_context_overflow_error_is_context_length() -> None:
    from langchain_core.exceptions import ContextOverflowError
    from langchain_openai.chat_models.base import OpenAIContextOverflowError

    exc = OpenAIContextOverflowError("too long", response=httpx.Response(400, request=REQ), body=None)
    assert classify_error(exc) == "context_length"
    assert classify_error(ContextOverflowError("input exceeds the model's window")) == "context_length"


def test_is_retryable_kind() -> None:
    assert set(DEFAULT_RETRYABLE) == {
        "rate_limit",
        "timeout",
        "connection",
        "server",
        "content_filter",
        "bad_response",
        "context_length",
    }
    assert set(DEFAULT_RETRYABLE) == set(FallbackConfig().on), "one default, two places"
    assert is_retryable_kind("rate_limit", None)
    assert not is_retryable_kind("other", None)
    assert is_retryable_kind("bad_response", None)  # a malformed body is a provider failure
    assert not is_retryable_kind("bad_response", ["rate_limit"])
    assert is_retryable_kind("other", ["other"])
    assert not is_retryable_kind("timeout", ["rate_limit"])
    assert not is_retryable_kind("server", [])


@given(
    name=st.text(min_size=1, max_size=30).filter(str.isidentifier),
    message=st.text(max_size=200),
    status=st.one_of(st.none(), st.integers(), st.text(max_size=5), st.floats(allow_nan=True)),
)
def test_never_raises_and_returns_a_known_kind(name: str, message: str, status: object) -> None:
    cls = type(name, (Exception,), {})
    exc = cls(message)
    exc.status_code = status  # type: ignore[attr-defined]
    assert classify_error(exc) in ERROR_KINDS


def _wrapped(inner: BaseException) -> BaseException:
    try:
        try:
            raise inner
        except Exception as e:
            raise RuntimeError("the framework wrapped it") from e
    except RuntimeError as outer:
        return outer


@pytest.mark.parametrize(
    ("exc", "pause"),
    [
        (status_error(openai.RateLimitError, 429, headers={"retry-after": "30"}), 30.0),
        (status_error(openai.InternalServerError, 503, headers={"retry-after": "30"}), 30.0),
        (_wrapped(status_error(openai.InternalServerError, 503, headers={"retry-after": "30"})), 30.0),
        (_wrapped(status_error(openai.RateLimitError, 429, headers={"retry-after": "7"})), 7.0),
        (status_error(openai.InternalServerError, 500, headers={"retry-after": "30"}), None),
        (_wrapped(status_error(openai.InternalServerError, 500, headers={"retry-after": "30"})), None),
        (status_error(openai.BadRequestError, 400, headers={"retry-after": "30"}), None),
        (status_error(openai.RateLimitError, 429), None),
    ],
)
def test_a_pause_is_requested_by_a_429_or_a_503_only(exc: BaseException, pause: float | None) -> None:
    assert requested_pause(exc) == pause


# -- errors a provider reports with no HTTP status of their own (a stream's error event) ----------


class _AnthropicLike(Exception):
    """Anthropic's SDK raises an ``APIStatusError`` for a stream's ``event: error``, with
    the stream's own response (HTTP 200) and the whole event as its body."""

    def __init__(self, etype: str) -> None:
        super().__init__(etype)
        self.status_code = 200
        self.body = {"type": "error", "error": {"type": etype, "message": "..."}}


def _stream_error(body: dict) -> openai.APIError:
    """What the OpenAI SDK raises for an SSE ``data: {"error": {...}}`` (no status code)."""
    return openai.APIError(body.get("message", "An error occurred during streaming"), REQ, body=body)


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (_stream_error({"message": "The server had an error", "type": "server_error", "code": None}), "server"),
        (_stream_error({"message": "boom", "type": None, "code": "internal_error"}), "server"),
        (_stream_error({"message": "Overloaded", "type": "overloaded_error", "code": "overloaded"}), "server"),
        (_stream_error({"message": "slow down", "type": "requests", "code": "rate_limit_exceeded"}), "rate_limit"),
        (_stream_error({"message": "slow down", "type": "rate_limit_error"}), "rate_limit"),
        (_stream_error({"message": "unavailable", "type": "service_unavailable_error"}), "server"),
        (_AnthropicLike("overloaded_error"), "server"),
        (_AnthropicLike("api_error"), "server"),
        (_AnthropicLike("rate_limit_error"), "rate_limit"),
        (_AnthropicLike("invalid_request_error"), "other"),
        (_stream_error({"message": "bad", "type": "invalid_request_error", "code": "invalid_value"}), "other"),
        (_stream_error({"message": "An error occurred during streaming"}), "other"),
    ],
    ids=lambda v: (getattr(v, "type", None) or getattr(v, "code", None) or str(v)) if isinstance(v, BaseException) else v,
)
def test_a_provider_error_without_a_status_is_classified_by_its_type_or_code(exc, kind) -> None:
    # the same fault as an HTTP 500 / 429 / 529, reported in a stream that had said 200
    assert classify_error(exc) == kind


def test_an_http_status_outranks_the_error_type() -> None:
    # a 400 whose body happens to say server_error is still the caller's request at fault
    exc = status_error(openai.BadRequestError, 400, body={"type": "server_error", "message": "x"})
    assert classify_error(exc) == "other"
