"""The generated page in headless Chromium, at a phone's width (400 px) and a desktop's
(1400 px): nothing overflows the viewport (tables scroll in their own box, the chart
scales, the legends wrap), no console errors, every entry listed, the view follows the
selected system, the article runs right to left.

Full-page screenshots of both widths land in $ISNAD_SCREENSHOTS (default: a folder under
pytest's temporary directory), for CI to keep as artifacts and for a person to look at."""

from __future__ import annotations

import json
import os
import re
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


# what the error view shows of the hand-made file, read from the page
ERRORS = """(() => {
  const kinds = {};
  for (const d of document.querySelectorAll("#ungrounded details, #errors details")) {
    kinds[d.dataset.kind] = {open: d.open, items: Array.from(d.querySelectorAll("li")).map((li) => li.textContent)};
  }
  const counts = {};
  for (const b of document.querySelectorAll("#summary [data-count]")) { counts[b.dataset.count] = Number(b.textContent); }
  const spans = Array.from(document.querySelectorAll("#article span"));
  const classes = spans.map((s) => s.className);
  const drawn = spans.map((s) => ({cls: s.className, text: s.textContent, title: s.title}));
  return {kinds: kinds, counts: counts, classes: classes, drawn: drawn,
          summary: document.getElementById("summary").textContent};
})()"""


@pytest.mark.parametrize("width", WIDTHS)
def test_the_error_view_shows_every_error_of_the_hand_made_file(board, browser, width):
    from benchmark.leaderboard.view import totals

    browser.open(f"{board.as_uri()}#system={LLM}", width)
    shown = browser.evaluate(ERRORS)
    k = shown["kinds"]
    assert k["ungrounded"]["items"] == ["entities[6]: «واشنطن»", "quotes[4]: «على المجتمع الدولي أن يتحرك فورا لوقف المجزرة»"]
    assert k["wrong-speaker"]["items"] == [
        "«النظام السوري بارتكاب جرائم حرب وجرائم ضد الإنسانية» attributed to «بان كي مون» (resolved to no gold "
        "speaker); gold: «جون كيري»",
        "«ضرورة إيجاد حل سياسي في سوريا بدلا من الحل العسكري» attributed to «جون كيري»; gold: «محمد بن عبد الرحمن آل ثاني»"]
    assert len(k["boundary"]["items"]) == 1 and k["boundary"]["items"][0].startswith(
        "predicted «روسيا في ختام الاجتماع بمحاولة وقف القصف في حلب», gold «روسيا في ختام الاجتماع")
    assert k["cue"]["items"] == ["cue «وزير الخارجية الألماني» for «سكان شرق حلب يعيشون تحت تهديد يومي بالموت ولا "
                                 "يرون أي مستقبل»; gold cue «قال»",
                                 "cue «قال» for «على المجتمع الدولي أن يتحرك فورا لوقف المجزرة», a false alarm (no gold quote)"]
    assert k["wrong-label"]["items"] == ["«روسيا» ORG; gold GPE"]
    assert k["spurious"]["items"] == ["«جون كيري» PER (listed again: the first is scored, this one is spurious)"]
    assert len(k["missed-quote"]["items"]) == 15 and "false-alarm" not in k  # the only false alarm is made up
    assert all(k[x]["open"] for x in ("ungrounded", "wrong-speaker", "boundary", "cue", "wrong-label", "spurious"))
    # drawn on the article too
    for cls in ("q-exact", "q-overlap", "spk-wrong", "cue-wrong", "e-label", "e-right e-spurious", "q-miss", "e-miss"):
        assert any(cls in c for c in shown["classes"]), cls
    # the made-up quote's cue, in the article though its quote is not, drawn as the wrong cue it is scored
    made_up_cue = [d for d in shown["drawn"] if "cue-wrong" in d["cls"] and "not found in the article" in d["title"]]
    assert "".join(d["text"] for d in made_up_cue) == "قال"
    # one false alarm, one gold cue not given...: each count with the words for its number
    assert re.search(r"\b1 false alarm,", shown["summary"]) and "1 false alarms" not in shown["summary"]
    assert re.search(r"\b15 gold cues not given", shown["summary"])
    assert re.search(r"\b2 spans \(listed", shown["summary"])
    # the summary prints the report's counts
    view = json.loads(re.search(r'id="data">(.*?)</script>', board.read_text(encoding="utf-8"), re.S).group(1))
    mine = next(s for s in view["systems"] if s["slug"] == LLM)
    expected = {f"{g}.{n}": v for g, counts in totals(mine["documents"]).items() for n, v in counts.items()
                if f"{g}.{n}" in shown["counts"]}
    assert shown["counts"] == expected and len(expected) >= 15
    result = json.loads((board.parent / "results" / f"{LLM}.json").read_text(encoding="utf-8"))
    assert shown["counts"]["quotes.false_alarm"] == 1 == result["quotes"]["counts"]["overlap"]["predicted"] - \
        result["quotes"]["counts"]["overlap"]["matched"]
    assert shown["counts"]["entities.spurious"] == 2 == result["entities"]["counts"]["strict"]["SPU"]


# where the page isolates Arabic inside English (and English on the right-to-left article)
BIDI = r"""(() => {
  const arabic = /[\u0600-\u06FF]/;
  const loose = [], split = [], titles = [];
  for (const li of document.querySelectorAll("#ungrounded li, #errors li, #summary")) {
    const walk = document.createTreeWalker(li, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      if (!arabic.test(n.data)) { continue; }
      const run = n.parentElement.closest("bdi");
      if (!run || (li.id !== "summary" && run.dir !== "rtl")) { loose.push(n.data); continue; }
      if (run.getClientRects().length !== 1) { split.push(n.data); }  // broken into pieces across lines
    }
  }
  for (const el of document.querySelectorAll("#article [title]")) { titles.push(el.title); }
  return {loose: loose, split: split, titles: titles,
          options: Array.from(document.querySelectorAll("#system option")).map((o) => o.textContent)};
})()"""


@pytest.mark.parametrize("width", WIDTHS)
def test_arabic_in_english_lines_reads_in_order(board, browser, width):
    """Each Arabic run in the lists is isolated and laid out as one right-to-left box (its
    wrapped lines never interleave with the English around it); in the tooltips on the
    right-to-left article the English reads left to right and each Arabic name is isolated."""
    browser.open(f"{board.as_uri()}#system={LLM}", width)
    shown = browser.evaluate(BIDI)
    assert shown["loose"] == []
    assert shown["split"] == []
    assert len(shown["titles"]) > 50
    for title in shown["titles"]:
        assert title.startswith("\u2066") and title.endswith("\u2069"), title  # LRI … PDI
        assert not re.search("[\u0600-\u06ff]", re.sub("\u2068[^\u2066-\u2069]*\u2069", "", title[1:-1])), title
    assert all(o.startswith("\u2068") for o in shown["options"])


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
