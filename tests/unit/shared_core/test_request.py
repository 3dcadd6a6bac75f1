"""What is classified: the last user turn, bounded history, text only, head + tail."""

from __future__ import annotations

import pytest

from shared_core.config import ExtractionConfig
from shared_core.errors import InputError
from shared_core.request import content_text, extract, head_tail


def test_last_user_turn_plus_bounded_history():
    msgs = [
        {"role": "system", "content": "You are a RAG bot. Context: " + "lorem ipsum " * 2000},
        {"role": "user", "content": "first question"},
        {"role": "assistant", "content": "first answer"},
        {"role": "user", "content": "What is 2+2?"},
    ]
    req = extract(msgs)
    assert req.text.endswith("What is 2+2?")
    assert "first answer" in req.text and "lorem" not in req.text
    assert req.input_tokens > 5000  # eligibility still sees the whole request
    assert extract(msgs, ExtractionConfig(history_turns=0)).text == "What is 2+2?"
    assert "lorem" in extract(msgs, ExtractionConfig(include_system=True)).text


def test_ask_start_marks_where_the_last_user_message_begins():
    msgs = [
        {"role": "system", "content": "You are a support bot for Brightside."},
        {"role": "user", "content": "my order is late"},
        {"role": "assistant", "content": "Sorry to hear that! What is the order number?"},
        {"role": "user", "content": "A-5582, thanks"},
    ]
    req = extract(msgs, ExtractionConfig(include_system=True))
    assert req.ask == "A-5582, thanks"
    assert req.text[: req.ask_start].startswith("You are a support bot")
    assert req.text[: req.ask_start].endswith("What is the order number?\n")
    # a lone user message is all ask
    lone = extract([{"role": "user", "content": "What is 2+2?"}])
    assert (lone.ask_start, lone.ask) == (0, "What is 2+2?")
    assert extract("hello there").ask_start == 0


def test_ask_of_a_long_last_message_is_its_bounded_text():
    msgs = [
        {"role": "user", "content": "earlier turn"},
        {"role": "assistant", "content": "earlier answer"},
        {"role": "user", "content": "word " * 5000},
    ]
    req = extract(msgs)
    # the ask fills the classified text; no room was left for the history
    assert req.ask_start == 0 and "earlier" not in req.text
    assert req.ask == req.text


def test_multimodal_content_keeps_text_and_notes_attachments():
    content = [
        {"type": "text", "text": "Describe"},
        {"type": "image_url", "image_url": {"url": "https://x/y.png"}},
        {"type": "input_audio", "input_audio": {"data": "..."}},
        {"type": "text", "text": "briefly"},
    ]
    req = extract([{"role": "user", "content": content}])
    assert req.text == "Describe\nbriefly"
    assert req.attachments == ("image", "audio") and req.needs_vision


def test_long_input_is_cut_head_and_tail():
    text = "START " + "x" * 1_000_000 + " END"
    req = extract(text)
    assert len(req.text) <= 4000 + 3
    assert req.text.startswith("START") and req.text.endswith("END")
    assert head_tail("short", 100) == "short"


def test_string_and_single_dict_inputs():
    assert extract("hello").text == "hello"
    assert extract({"role": "user", "content": "hi"}).text == "hi"


@pytest.mark.parametrize("bad", [None, [], 42])
def test_unroutable_inputs_are_input_errors(bad):
    with pytest.raises(InputError):
        extract(bad)


def test_invisible_characters_and_nesting():
    req = extract("he\u200bllo\x00 wor\u202eld")
    assert req.text == "hello world"
    deep = "leaf"
    for _ in range(100):
        deep = [deep]
    assert content_text(deep) == ""  # beyond the nesting bound: ignored, not recursed
    assert content_text([[["ok"]]]) == "ok"


@pytest.mark.parametrize("bad", [-1, 10_000, 2.5, "3", True])
def test_an_ask_start_outside_the_text_is_refused(bad):
    """A garbage ``ask_start`` would silently classify an empty or wrong slice of the text."""
    from shared_core.request import Request

    with pytest.raises(InputError, match="ask_start"):
        Request(text="convert 3 inches to cm", ask_start=bad)
    assert Request(text="convert 3 inches to cm", ask_start=8).ask == "3 inches to cm"
