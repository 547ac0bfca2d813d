"""The HTML digest in a real browser: headless Chromium renders it, we look at the result.

Chromium is driven over the DevTools protocol on a pipe (--remote-debugging-pipe:
commands on fd 3, answers on fd 4, NUL-separated JSON), so no port and no
websocket library are needed.  The test checks that every section rendered
with a visible size, that nothing was fetched from the network, that the
console stayed free of errors (CSP violations included), that a phone-sized
viewport does not scroll sideways, and that the screenshot is not blank.

The main checks run on the digest of the demo data (the real `newsmon demo`
crawl, shared with other tests through conftest's `demo_db`); the escaping
check runs on a hand-made database whose titles carry markup.  Skips, saying why, when Chromium is not installed
(.ci/run installs the Debian package `chromium`).
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import shutil
import struct
import subprocess
import time
import zlib
from pathlib import Path
from typing import Any

import pytest

from newsmon.data.alerts import EXAMPLE, load_watchlist
from newsmon.data.digest import build_digest, render_email, render_html
from digest_testdb import build_db

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium; .ci/run does)"),
]

SECTIONS = {"stories": "Top stories", "entities": "People & organisations", "new": "New this week",
            "figures": "Notable figures", "per-day": "Articles per day", "per-source": "Articles per source",
            "trends": "Top entities over time"}


class Chromium:
    """Headless Chromium with a DevTools session on one page, over a pipe."""

    def __init__(self, profile: Path, timeout: float = 30.0):
        self.timeout = timeout
        self.events: list[dict] = []
        self._next_id = 0
        self._buffer = b""
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def wire_fds() -> None:  # in the child: commands on fd 3, answers on fd 4
            high_r = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10)  # out of the way of 3 and 4 first
            high_w = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)
            os.dup2(high_r, 3)  # dup2 makes them inheritable; os.pipe's originals close on exec
            os.dup2(high_w, 4)

        profile.mkdir(parents=True, exist_ok=True)
        self._stderr = (profile / "stderr.log").open("wb")
        self.process = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-extensions", "--mute-audio", f"--user-data-dir={profile}", "--remote-debugging-pipe",
             "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self._stderr,
            preexec_fn=wire_fds, close_fds=False)
        self._stderr_path = profile / "stderr.log"
        os.close(to_browser_r)
        os.close(from_browser_w)
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session=True)

    def call(self, method: str, session: bool = False, **params: Any) -> dict:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def wait_for(self, method: str) -> dict:
        deadline = time.monotonic() + self.timeout
        seen = len(self.events)
        while time.monotonic() < deadline:
            for event in self.events[seen:]:
                if event.get("method") == method:
                    return event
            seen = len(self.events)
            self._read()
        raise TimeoutError(method)

    def _read(self) -> dict:
        while b"\0" not in self._buffer:
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe: "
                                   + self._stderr_path.read_text(errors="replace")[-2000:])
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message = json.loads(raw)
        if "method" in message:
            self.events.append(message)
        return message

    def open(self, url: str, width: int, height: int, mobile: bool = False) -> None:
        self.call("Emulation.setDeviceMetricsOverride", session=True, width=width, height=height,
                  deviceScaleFactor=1, mobile=mobile)
        self.call("Page.navigate", session=True, url=url)
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", session=True, expression=expression, returnByValue=True)
        return result["result"].get("value")

    def screenshot(self, path: Path) -> Path:
        data = self.call("Page.captureScreenshot", session=True, format="png")["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def problems(self) -> list[str]:
        """Console errors and warnings, uncaught exceptions, error log entries, failed loads."""
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning", "assert"):
                found.append(f"console.{params['type']}: {params.get('args')}")
            elif method == "Runtime.exceptionThrown":
                found.append(f"exception: {params.get('exceptionDetails', {}).get('text')}")
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") in ("error", "warning"):
                found.append(f"log: {params['entry'].get('text')}")
            elif method == "Network.loadingFailed":
                found.append(f"load failed: {params.get('errorText')}")
        return found

    def requested_urls(self) -> list[str]:
        return [e["params"]["request"]["url"] for e in self.events if e.get("method") == "Network.requestWillBeSent"]

    def close(self) -> None:
        try:
            self.call("Browser.close")
        except (RuntimeError, OSError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for fd in (self._to_browser, self._from_browser):
            os.close(fd)
        self._stderr.close()


def png_stats(path: Path) -> tuple[int, int, float]:
    """(width, height, share of non-zero bytes in the filtered scanlines).

    Every PNG filter turns a uniform image into (almost) all zero bytes, so a
    blank page scores ~0 and a page with text and charts clearly more.
    """
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width, height = 8, b"", 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    return width, height, 1 - raw.count(0) / len(raw)


@pytest.fixture
def browser(tmp_path):
    chromium = Chromium(tmp_path / "profile")
    yield chromium
    chromium.close()


@pytest.fixture(scope="module")
def digest_file(demo_db, tmp_path_factory) -> Path:
    """The HTML digest of the demo data (the real `newsmon demo` crawl, see conftest)."""
    page = tmp_path_factory.mktemp("browser") / "digest.html"
    page.write_text(render_html(build_digest(demo_db)), encoding="utf-8")
    return page


@pytest.fixture(scope="module")
def digest_files(demo_db, tmp_path_factory) -> dict[str, Path]:
    """The demo data's digest with the example watchlist, as the page and as the email."""
    folder = tmp_path_factory.mktemp("watched")
    d = build_digest(demo_db, watchlist=load_watchlist(EXAMPLE))
    files = {"html": folder / "digest.html", "email": folder / "email.html"}
    files["html"].write_text(render_html(d), encoding="utf-8")
    files["email"].write_text(render_email(d), encoding="utf-8")
    return files


# words (letters and digits) whose rendering spans more than one line box: a word broken inside
BROKEN_WORDS = """(() => {
  const broken = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    if (!node.parentElement || node.parentElement.closest('svg, title, style')) continue;
    for (const m of node.data.matchAll(/[\\p{L}\\p{N}]{2,}/gu)) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
      if (lines.size > 1) broken.push(m[0]);
    }
  }
  return broken;
})()"""

# the rendered height of the smallest label of the charts on screen
SMALLEST_CHART_LABEL = """(() => {
  const heights = [...document.querySelectorAll('svg.chart')]
    .filter(svg => svg.getBoundingClientRect().width > 0)
    .flatMap(svg => [...svg.querySelectorAll('text')].map(t => t.getBoundingClientRect().height));
  return heights.length ? Math.min(...heights) : null;
})()"""


@pytest.fixture(scope="module")
def hostile_digest_file(tmp_path_factory) -> Path:
    """The digest of a hand-built database whose titles and texts carry markup."""
    folder = tmp_path_factory.mktemp("hostile")
    page = folder / "digest.html"
    page.write_text(render_html(build_digest(build_db(folder / "news.duckdb"))), encoding="utf-8")
    return page


def test_digest_renders_every_section_without_errors_or_fetches(browser, digest_file, tmp_path):
    browser.open(digest_file.as_uri(), 1200, 2000)
    headings = browser.evaluate(
        "Object.fromEntries([...document.querySelectorAll('section')].map(s => "
        "[s.id, {h: s.querySelector('h2').textContent, height: s.getBoundingClientRect().height}]))")
    for section_id, heading in SECTIONS.items():
        assert headings[section_id]["h"] == heading
        assert headings[section_id]["height"] > 40, section_id
    assert browser.evaluate("document.querySelectorAll('svg.chart').length") == 2
    assert browser.evaluate("document.querySelectorAll('#stories li').length") > 0
    assert browser.evaluate("document.querySelectorAll('script').length") == 0

    shot = browser.screenshot(tmp_path / "digest.png")
    width, height, ink = png_stats(shot)
    assert (width, height) == (1200, 2000)
    assert ink > 0.005, f"screenshot looks blank ({ink:.4f} non-zero)"

    assert browser.problems() == []
    assert [u for u in browser.requested_urls() if not u.startswith(("file:", "data:", "about:"))] == []


def test_hostile_strings_show_as_text_in_the_browser(browser, hostile_digest_file):
    browser.open(hostile_digest_file.as_uri(), 1200, 2000)
    text = browser.evaluate("document.body.innerText")
    assert "<script>alert(1)</script> Regulators" in text
    assert "<i>Evil</i> Corp" in text
    assert browser.evaluate("document.querySelectorAll('main i, main b, main img').length") == 0
    assert browser.problems() == []


def test_phone_width_does_not_scroll_sideways(browser, digest_file):
    browser.open(digest_file.as_uri(), 390, 844, mobile=True)
    overflow = browser.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0


@pytest.mark.parametrize("variant", ["html", "email"])
def test_on_a_phone_no_word_is_broken_and_chart_labels_stay_readable(browser, digest_files, variant, tmp_path):
    """390 px wide: tables of figures and names once broke words letter by letter, and the
    trend chart's labels shrank to about 4 px; the email variant must hold up the same way."""
    browser.open(digest_files[variant].as_uri(), 390, 844, mobile=True)
    assert browser.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    assert browser.evaluate(BROKEN_WORDS) == []
    smallest = browser.evaluate(SMALLEST_CHART_LABEL)
    if variant == "html":
        assert smallest is not None and smallest >= 10, f"chart labels {smallest:.1f} px high"
    else:
        assert smallest is None  # no SVG in mail: the charts are HTML
    height = browser.evaluate("document.documentElement.scrollHeight")
    browser.call("Emulation.setDeviceMetricsOverride", session=True, width=390, height=min(height, 8000),
                 deviceScaleFactor=1, mobile=True)
    _, _, ink = png_stats(browser.screenshot(tmp_path / f"phone-{variant}.png"))
    assert ink > 0.005
    assert browser.problems() == []


def test_the_watch_part_and_summaries_come_first(browser, digest_files):
    browser.open(digest_files["html"].as_uri(), 1200, 2000)
    order = browser.evaluate("[...document.querySelectorAll('main > section')].map(s => s.id)")
    assert order[:3] == ["alerts", "watched", "stories"]
    assert browser.evaluate("document.querySelectorAll('#stories .summary').length") >= 5
    assert "The Lanternfield Post" in browser.evaluate("document.querySelector('#per-source').innerText")
    assert "newsmon-demo" not in browser.evaluate("document.querySelector('main').innerText")


def test_the_email_variant_has_inline_styles_only(digest_files):
    """Mail clients drop <style>, SVG and CSS variables: the email has none, and no class."""
    from html.parser import HTMLParser

    class Parse(HTMLParser):
        def __init__(self):
            super().__init__()
            self.tags, self.attrs = set(), []

        def handle_starttag(self, tag, attrs):
            self.tags.add(tag)
            self.attrs += attrs

    page = Parse()
    page.feed(digest_files["email"].read_text(encoding="utf-8"))
    assert not page.tags & {"style", "svg", "script", "img", "link", "iframe"}
    assert not [name for name, _ in page.attrs if name == "class"]
    styles = [value for name, value in page.attrs if name == "style"]
    assert styles and not any("var(" in v for v in styles)
    assert {"table", "a", "h2"} <= page.tags


def test_the_checks_catch_a_broken_page(browser, tmp_path):
    """The same checks on a page with a console error and a blank body must fail."""
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><html><body><script>console.error('boom')</script></body></html>")
    browser.open(bad.as_uri(), 1200, 2000)
    assert any("boom" in p for p in browser.problems())
    _, _, ink = png_stats(browser.screenshot(tmp_path / "bad.png"))
    assert ink < 0.001
    squeezed = tmp_path / "squeezed.html"  # the old figures table: a narrow column, overflow-wrap: anywhere
    squeezed.write_text('<!DOCTYPE html><html><body style="width:300px"><table><tr><td>USD 11.3 billion</td>'
                        '<td style="overflow-wrap:anywhere">revenue Streamly</td><td>The company reported revenue '
                        'of $11.3bn for the third quarter, up 14% from a year earlier.</td></tr></table>'
                        '<svg class="chart" viewBox="0 0 640 240" width="100%"><text x="5" y="20" '
                        'font-size="11">W47</text></svg></body></html>')
    browser.open(squeezed.as_uri(), 390, 844, mobile=True)
    assert browser.evaluate(BROKEN_WORDS)
    assert browser.evaluate(SMALLEST_CHART_LABEL) < 10
