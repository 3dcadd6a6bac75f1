"""A real headless Chromium for tests: what a page draws, read back from its DOM, and screenshots.

Debian's ``chromium`` package (``.ci/run`` installs it). :func:`probe` loads a copy of a page
with a small script appended that measures, after layout, every ``svg[data-chart]`` and its
``[data-mark]`` elements and counts the resources the page fetched; ``--dump-dom`` prints
the DOM after the scripts ran, and the measurement is read back from it. Regenerate the
docs' screenshot with::

    python -m tests.browser report.html docs/img/report.png
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

FLAGS = [
    "--headless",
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
]

PROBE = """<script>(function () {
  var charts = Array.from(document.querySelectorAll("svg[data-chart]")).map(function (svg) {
    var r = svg.getBoundingClientRect();
    var marks = Array.from(svg.querySelectorAll("[data-mark]")).filter(function (m) {
      var b = m.getBoundingClientRect();
      return b.width > 0 || b.height > 0;
    });
    return {name: svg.dataset.chart, width: r.width, height: r.height,
            drawn: marks.length, kinds: marks.map(function (m) { return m.dataset.mark; })};
  });
  var tables = Array.from(document.querySelectorAll("table[data-table]")).map(function (t) {
    return {name: t.dataset.table, rows: t.tBodies[0].rows.length,
            width: t.getBoundingClientRect().width};
  });
  var out = {charts: charts, tables: tables,
             resources: performance.getEntriesByType("resource").map(function (e) { return e.name; }),
             height: document.documentElement.scrollHeight,
             overflow: document.documentElement.scrollWidth > window.innerWidth};
  var pre = document.createElement("pre");
  pre.id = "probe-result";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();</script>"""


def chromium_path() -> str | None:
    """The Chromium binary, or ``None`` when it is not installed."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def _run(binary: str, args: list[str], timeout: float = 90) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        return subprocess.run(
            [binary, *FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )


def probe(page: Path, binary: str, width: int = 1280, height: int = 900) -> dict[str, Any]:
    """Load ``page`` in Chromium and return what it laid out (see :data:`PROBE`)."""
    html = page.read_text(encoding="utf-8")
    if "</body>" not in html:
        raise ValueError(f"{page}: no </body> to append the probe to")
    probed = page.with_name(page.stem + ".probe.html")
    probed.write_text(html.replace("</body>", PROBE + "</body>", 1), encoding="utf-8")
    try:
        proc = _run(binary, [f"--window-size={width},{height}", "--dump-dom", probed.as_uri()])
    finally:
        probed.unlink(missing_ok=True)
    m = re.search(r'<pre id="probe-result">(.*?)</pre>', proc.stdout, re.S)
    if proc.returncode != 0 or not m:
        raise RuntimeError(
            f"chromium --dump-dom failed (exit {proc.returncode}): {proc.stderr[-2000:]}"
        )
    text = m.group(1).replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">")
    return json.loads(text.replace("&amp;", "&"))


def screenshot(page: Path, png: Path, binary: str, width: int = 1280) -> Path:
    """A PNG of the whole page at ``width`` CSS pixels (its height measured first)."""
    height = int(probe(page, binary, width)["height"])
    png.parent.mkdir(parents=True, exist_ok=True)
    proc = _run(
        binary, [f"--window-size={width},{height}", f"--screenshot={png}", page.as_uri()]
    )
    if proc.returncode != 0 or not png.is_file():
        raise RuntimeError(f"chromium --screenshot failed (exit {proc.returncode}): {proc.stderr[-2000:]}")
    return png


if __name__ == "__main__":  # python -m tests.browser PAGE.html OUT.png
    binary = chromium_path()
    if binary is None:
        sys.exit("chromium is not installed (apt-get install chromium)")
    src, dst = Path(sys.argv[1]).resolve(), Path(sys.argv[2])
    print(screenshot(src, dst, binary, int(os.environ.get("WIDTH", "1280"))))
