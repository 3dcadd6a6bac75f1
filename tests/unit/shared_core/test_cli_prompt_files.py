"""Prompt files as people have them (found by a CLI probe): text characters that
``str.splitlines`` takes for line ends, a JSON list piped on stdin, lone surrogates from JSON
escapes, a best model priced at $0."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from shared_core.cli._common import parse_prompts
from shared_core.cli.main import main

from .test_cli import config, lines  # noqa: F401  (the 4-tier fake-classifier config fixture)


@pytest.mark.parametrize("inside", ["\u2028", "\u2029", "\x85", "\x0c", "\x1c"])
def test_a_jsonl_string_may_hold_what_splitlines_calls_a_line_end(inside: str) -> None:
    text = json.dumps({"prompt": f"hello{inside}there"}, ensure_ascii=False) + "\r\n" + json.dumps({"prompt": "b"}) + "\n"
    items = parse_prompts(text, "p.jsonl", "jsonl")
    assert [i.text for i in items] == [f"hello{inside}there", "b"]


def test_a_text_file_has_one_prompt_per_newline_only() -> None:
    items = parse_prompts("a\x0cb\r\nc\n\n", "p.txt", "txt")
    assert [i.text for i in items] == ["a\x0cb", "c"]


def test_a_json_list_piped_on_stdin_is_read_as_a_list(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]  # noqa: F811
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO('[{"prompt": "hello"}, {"prompt": "prove it"}]'))
    assert main(["route", "--json", "-c", str(config)]) == 0
    assert [d["tier"] for d in lines(capsys.readouterr().out)] == ["simple", "frontier"]
    monkeypatch.setattr(sys, "stdin", io.StringIO("[INST] hello [/INST]\n"))  # text that starts with [
    assert main(["route", "--json", "-c", str(config)]) == 0
    assert [d["tier"] for d in lines(capsys.readouterr().out)] == ["simple"]


def test_a_lone_surrogate_in_a_prompt_file_is_shown_escaped(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]  # noqa: F811
) -> None:
    p = tmp_path / "s.jsonl"
    p.write_text('{"prompt": "hello \\ud800 x"}\n')
    assert main(["route", "-c", str(config), "--file", str(p)]) == 0
    out = capsys.readouterr().out
    assert "hello \\ud800 x" in out
    out.encode("utf-8")  # printable


def test_a_chart_name_says_where_it_was_written_or_why_not(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]  # noqa: F811
) -> None:
    pytest.importorskip("matplotlib")
    p = tmp_path / "p.txt"
    p.write_text("hello\nprove it\n")
    out = tmp_path / "curves"
    assert main(["simulate", str(p), "-c", str(config), "--plot", str(out)]) == 0
    assert f"chart written to {out}.png" in capsys.readouterr().out.replace("\n", "")
    assert (tmp_path / "curves.png").read_bytes().startswith(b"\x89PNG")
    (tmp_path / "adir").mkdir()
    for bad, why in ((tmp_path / "adir", "is a folder"), (tmp_path / "chart.txt", "cannot write a chart as '.txt'")):
        assert main(["simulate", str(p), "-c", str(config), "--plot", str(bad)]) == 2
        assert why in capsys.readouterr().err


def test_decisions_written_where_they_cannot_be_is_one_line_not_a_traceback(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]  # noqa: F811
) -> None:
    p = tmp_path / "p.txt"
    p.write_text("hello\n")
    (tmp_path / "adir").mkdir()
    (tmp_path / "afile").write_text("x")
    for bad in (tmp_path / "adir", tmp_path / "afile" / "sub" / "d.jsonl"):
        assert main(["simulate", str(p), "-c", str(config), "--decisions", str(bad)]) == 2
        err = capsys.readouterr().err
        assert "cannot write the decisions" in err and "Traceback" not in err


def test_files_saved_with_a_byte_order_mark_are_read(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]  # noqa: F811
) -> None:
    """Windows editors save UTF-8 with a BOM: JSONL, JSON and TOML files were refused for it,
    and a .txt file's first prompt began with it."""
    from shared_core import RouterConfig

    for name, body in (("p.jsonl", '{"prompt": "hello"}\n'), ("p.json", '[{"prompt": "hello"}]'), ("p.txt", "hello\n")):
        p = tmp_path / name
        p.write_bytes(b"\xef\xbb\xbf" + body.encode())
        assert main(["route", "--json", "-c", str(config), "--file", str(p)]) == 0
        [d] = lines(capsys.readouterr().out)
        assert d["tier"] == "simple"
    toml = tmp_path / "c.toml"
    toml.write_bytes(b"\xef\xbb\xbf" + b'[[tiers]]\nname = "a"\nmodel = "gpt-4o-mini"\n')
    assert [t.name for t in RouterConfig.from_file(toml).tiers] == ["a"]
