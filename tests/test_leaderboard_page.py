"""The generated page in headless Chromium, at a phone's width (400 px) and a desktop's
(1400 px): nothing overflows the viewport (tables scroll in their own box, the chart
scales, the legends wrap), no console errors, every entry listed, the view follows the
selected system, the article runs right to left.

Full-page screenshots of both widths land in $ISNAD_SCREENSHOTS (default: a folder under
pytest's temporary directory), for CI to keep as artifacts and for a person to look at."""

from __future__ import annotations

import json
import os
import shutil
import struct
import zlib
from pathlib import Path

import pytest

from benchmark import load_gold
from benchmark.leaderboard import SubmissionMeta, submit
from benchmark.leaderboard.render import TRACK_COLUMNS
from benchmark.leaderboard.submission import read_meta
from benchmark.predictions import predictions_from_gold

from browser_support import CHROMIUM, Browser

if CHROMIUM is None:
    if os.environ.get("CI"):
        pytest.fail("chromium is not installed: .ci/run must install it", pytrace=False)
    pytest.skip("chromium not installed", allow_module_level=True)

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "llm_errors.jsonl"
WIDTHS = (400, 1400)
LLM = "llm-errors"  # the slug of the hand-made LLM-style submission


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = os.environ.get("ISNAD_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def board(tmp_path_factory) -> Path:
    """A copy of the stored leaderboard with the hand-made LLM-style file submitted to it."""
    root = tmp_path_factory.mktemp("repo")
    shutil.copytree(ROOT / "leaderboard", root / "leaderboard")
    submit(root, FIXTURE, SubmissionMeta(name="LLM errors", date="2026-12-01",
                                         description="A hand-made LLM-style answer with one error of each kind."))
    return root / "leaderboard" / "index.html"


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    """A fresh leaderboard of two systems: a perfect one and one missing every other quote."""
    root = tmp_path_factory.mktemp("small")
    gold = load_gold()
    perfect = predictions_from_gold(gold)
    half = predictions_from_gold(gold)
    half[0]["quotes"] = half[0]["quotes"][1::2]
    for name, docs in (("Perfect", perfect), ("Half", half)):
        f = root / f"{name}.jsonl"
        f.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
        submit(root, f, SubmissionMeta(name=name, date="2026-12-01"))
    return root / "leaderboard" / "index.html"


@pytest.fixture(scope="module")
def browser():
    with Browser() as b:
        yield b


# the layout's promises, measured in the page
LAYOUT = """(() => {
  const doc = document.documentElement;
  const rect = (el) => el.getBoundingClientRect();
  const overlaps = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
  const legends = Array.from(document.querySelectorAll(".legend, #legend")).map((box) =>
    Array.from(box.children).map(rect));
  return {
    scrollWidth: doc.scrollWidth, innerWidth: innerWidth,
    wide: Array.from(document.body.querySelectorAll("*")).filter((el) => rect(el).right > innerWidth + 0.5
      && !el.closest(".scroll")).map((el) => el.tagName + "." + el.className),
    tablesInBoxes: Array.from(document.querySelectorAll("table")).every((t) =>
      t.parentElement.classList.contains("scroll") && getComputedStyle(t.parentElement).overflowX === "auto"),
    charts: Array.from(document.querySelectorAll("svg.chart")).map((s) => rect(s).width),
    legendOverlaps: legends.map((items) => items.some((a, i) => items.some((b, j) => i < j && overlaps(a, b)))),
    whiskers: Array.from(document.querySelectorAll("svg.chart path")).map((p) => parseFloat(getComputedStyle(p).strokeWidth)),
  };
})()"""


@pytest.mark.parametrize("width", WIDTHS)
def test_page_fits_the_screen_and_is_saved_as_a_screenshot(board, browser, shots, width):
    browser.open(f"{board.as_uri()}#system={LLM}", width)
    assert browser.console_errors() == []
    m = browser.evaluate(LAYOUT)
    assert m["scrollWidth"] <= m["innerWidth"] == width, m["wide"]
    assert m["wide"] == []
    assert m["tablesInBoxes"]
    assert m["charts"] and all(0 < w <= width for w in m["charts"])
    assert not any(m["legendOverlaps"])
    # every interval of the chart drawn, and thick enough to see
    assert len(m["whiskers"]) == _intervals(board.parent) and min(m["whiskers"]) >= 2
    shot = browser.screenshot(shots / f"leaderboard-{width}px.png")
    assert _png_distinct_rows(shot) > 100  # text, tables and highlights, not one flat colour


def test_page_lists_entries_and_follows_the_selected_system(small, browser):
    rendered = {}
    for slug in ("perfect", "half"):
        browser.open(f"{small.as_uri()}#system={slug}", 1400)
        assert browser.console_errors() == []
        assert browser.evaluate("document.getElementById('article').dir") == "rtl"
        assert browser.evaluate("document.querySelectorAll('tr[data-slug=\"perfect\"]').length") == 1
        assert browser.evaluate("document.querySelectorAll('tr[data-slug=\"half\"]').length") == 1
        rendered[slug] = (browser.evaluate("document.body.dataset.rendered"),
                          browser.evaluate("document.getElementById('article').innerHTML"))
    assert rendered["perfect"][0].startswith("perfect:") and rendered["half"][0].startswith("half:")
    # the perfect system shows no miss; the half one misses gold quotes
    assert "q-gold" in rendered["perfect"][1] and "q-miss" not in rendered["perfect"][1]
    assert "q-miss" in rendered["half"][1]


def _intervals(lb: Path) -> int:
    """How many F1 intervals the charts draw: one per entry and F1 column of its track."""
    n = 0
    for folder in (lb / "submissions").iterdir():
        meta = read_meta(folder / "submission.yaml")
        n += sum(1 for c in TRACK_COLUMNS[meta.track] if c.kind == "f1")
    return n


def _png_distinct_rows(path: Path) -> int:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    channels = {2: 3, 6: 4}[colour]
    stride = width * channels + 1
    rows = {raw[i * stride + 1:(i + 1) * stride] for i in range(height)}
    return len(rows)
