"""The helper that runs documentation code blocks (tests/docs_blocks.py)."""

from __future__ import annotations

import pytest

from tests.docs_blocks import python_blocks, run_block

PAGE = """# Page

```python
x = 1
```

Some text.

<!-- continues -->
```python
y = x + 1
```

```bash
echo not python
```

```python
z = 3
```
"""


def test_blocks_are_found_with_their_lines_and_markers(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(PAGE, encoding="utf-8")
    found = python_blocks(page)
    assert [(b.line, b.continues, b.code) for b in found] == [
        (3, False, "x = 1\n"),
        (10, True, "y = x + 1\n"),
        (18, False, "z = 3\n"),
    ]
    assert found[1].id == "page.md:10"


def test_a_continuing_block_runs_after_the_one_before_it(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(PAGE, encoding="utf-8")
    found = python_blocks(page)
    assert run_block(found[1], found)["y"] == 2
    assert "x" not in run_block(found[2], found)  # a block without the marker starts fresh


def test_a_failing_block_names_the_markdown_line(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("text\n\n```python\nok = 1\nundefined_name\n```\n", encoding="utf-8")
    [block] = python_blocks(page)
    with pytest.raises(NameError) as info:
        run_block(block, [block])
    assert info.traceback[-1].lineno + 1 == 5  # pytest's lineno is 0-based
