"""The generated Markdown tables, parsed back by a Markdown parser (markdown-it-py, GFM
tables): every row has the table's cells, the system cell reads as the submitted name and
links to the submitted URL, whatever characters the name and the URL hold."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from benchmark import load_gold
from benchmark.leaderboard import SubmissionMeta, check, submit
from benchmark.leaderboard.board import Entry
from benchmark.leaderboard.names import text_problem
from benchmark.leaderboard.render import TRACK_COLUMNS, render_markdown, render_tables, url
from benchmark.leaderboard.submission import Track
from benchmark.predictions import predictions_from_gold

REPO = Path(__file__).resolve().parent.parent
RESULT = json.loads((REPO / "leaderboard/results/null.json").read_text(encoding="utf-8"))
CELLS = 2 + len(TRACK_COLUMNS[Track.end_to_end])  # rank, system, the track's figures


def tables(markdown: str) -> list[list[dict]]:
    """Each table's body rows; a cell is its plain text and the href of its link (if any)."""
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    out, rows, row, in_body = [], None, None, False
    for tok in tokens:
        if tok.type == "table_open":
            rows = []
        elif tok.type == "table_close":
            out.append(rows)
        elif tok.type == "tbody_open":
            in_body = True
        elif tok.type == "tbody_close":
            in_body = False
        elif tok.type == "tr_open" and in_body:
            row = []
        elif tok.type == "tr_close" and in_body:
            rows.append(row)
        elif tok.type == "inline" and in_body and row is not None:
            kids = tok.children or []
            text = "".join(c.content for c in kids if c.type in ("text", "code_inline", "softbreak"))
            hrefs = [c.attrs["href"] for c in kids if c.type == "link_open"]
            row.append({"text": text, "href": hrefs[0] if hrefs else None, "links": len(hrefs)})
    return out


def entry(name: str, link: str | None = None, baseline: bool = False) -> Entry:
    meta = SubmissionMeta(name=name, url=link, date="2026-12-01", baseline=baseline)
    return Entry(slug="x", meta=meta, sha256="", result=RESULT, scoring=None, view={}, rank=1)


NASTY = [
    "a | b", "a \\| b", "\\", "a\\", "\\|", "||", "`code | x`", "*bold* _it_", "[link](http://evil.org)",
    "<b>html</b>", "&amp; &lt;", "# heading", "x\ny", "x\r\ny", "tab\there", "line\u2029break",
    "~~s~~", "a ≈ b", "ع|ب", "![img](x)", "<http://auto.link>", "1. list", "- item", "> quote",
]


@pytest.mark.parametrize("name", [n for n in NASTY if text_problem(n) is None])
def test_a_nasty_name_is_one_cell_that_reads_as_itself(name):
    for link in (None, "https://example.org/a|b\\c`d"):
        rows = tables(render_tables([entry(name, link)]))[0]
        assert len(rows) == 1 and len(rows[0]) == CELLS, rows
        assert rows[0][1]["text"] == " ".join(name.split())
        if link:
            assert rows[0][1]["links"] == 1 and unquote(rows[0][1]["href"]) == link


def test_names_with_line_breaks_are_refused():
    for name in ("x\ny", "x\r\ny", "line\u2029break", "a\u2028b"):
        with pytest.raises(ValueError):
            SubmissionMeta(name=name, date="2026-12-01")


URL_CHARS = st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp"), blacklist_characters="<>\"'")
NAME_CHARS = st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Co", "Cn", "Zl", "Zp"))


@settings(max_examples=150, deadline=None)
@given(name=st.text(NAME_CHARS, min_size=1, max_size=40).filter(lambda s: s.strip()),
       path=st.text(URL_CHARS, max_size=30), baseline=st.booleans())
def test_any_name_and_url_parse_back(name, path, baseline):
    link = f"https://example.org/{path}"
    rows = tables(render_tables([entry(name, link, baseline), entry("second")]))[0]
    assert [len(r) for r in rows] == [CELLS, CELLS]
    cell = rows[0][1]
    assert cell["text"] == " ".join(name.split()) + (" (baseline)" if baseline else "")
    assert cell["links"] == 1 and cell["href"] == url(link)
    assert unquote(cell["href"]) == unquote(url(link)) and "|" not in cell["href"]
    assert [c["text"] for c in rows[0][2:]] == [c["text"] for c in rows[1][2:]]  # the figures untouched


def test_a_crafted_url_adds_no_cell_to_either_readme(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    (root / "README.md").write_text("# x\n\n<!-- generated:leaderboard -->\n<!-- /generated:leaderboard -->\n",
                                    encoding="utf-8")
    gold = load_gold()
    pred = tmp_path / "p.jsonl"
    pred.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in predictions_from_gold(gold)),
                    encoding="utf-8")
    evil = "https://x.org/|%201.000%20|%201.000%20|%201.000%20|%201.000%20|"
    submit(root, pred, SubmissionMeta(name="Crafted", url=evil, date="2026-12-01"))
    rows = tables((root / "leaderboard/README.md").read_text(encoding="utf-8"))[0]
    assert [len(r) for r in rows] == [CELLS]
    assert rows[0][1]["text"] == "Crafted" and unquote(rows[0][1]["href"]) == unquote(evil)
    assert "Crafted" not in (root / "README.md").read_text(encoding="utf-8")  # the front page lists baselines only
    assert check(root) == []


def test_the_committed_readmes_parse_back():
    """Both committed tables: each stored submission (the front page: each baseline) one row
    of its track's cells, under its name."""
    from benchmark.leaderboard.submission import read_meta

    metas = [read_meta(p) for p in sorted((REPO / "leaderboard/submissions").glob("*/submission.yaml"))]
    for readme, ranks, shown_metas in ((REPO / "leaderboard/README.md", True, metas),
                                       (REPO / "README.md", False, [m for m in metas if m.baseline])):
        text = readme.read_text(encoding="utf-8")
        if not ranks:  # the front page's other tables are not the leaderboard's
            text = text.split("<!-- generated:leaderboard -->")[1].split("<!-- /generated:leaderboard -->")[0]
        shown = []
        for track, rows in zip([t for t in Track if any(m.track is t for m in shown_metas)], tables(text)):
            assert all(len(r) == int(ranks) + 1 + len(TRACK_COLUMNS[track]) for r in rows), (readme, track)
            shown += [r[int(ranks)]["text"] for r in rows]
        assert sorted(shown) == sorted(m.name + (" (baseline)" if m.baseline else "") for m in shown_metas), readme


@pytest.mark.parametrize("description", ["Rules written after reading the article | 1.000", "two\nlines *and* [a](b)"])
def test_each_description_is_listed_under_the_tables_as_written(description):
    """The caveats of a score live in an entry's description: the README lists each one, a
    description that holds Markdown reads back as its plain text, and no table gains a cell."""
    meta = SubmissionMeta(name="Tagger", description=description, date="2026-12-01")
    e = Entry(slug="tagger", meta=meta, sha256="", result=RESULT, scoring=None, view={}, rank=1)
    md = render_markdown([e], load_gold())
    assert [len(r) for t in tables(md) for r in t] == [CELLS]
    inline = [t for t in MarkdownIt("commonmark").parse(md.split("## The systems", 1)[1]) if t.type == "inline"]
    assert len(inline) == 1
    kinds = {c.type for c in inline[0].children} - {"text", "strong_open", "strong_close"}
    assert not kinds, kinds  # no emphasis, link or break made of the description
    assert "".join(c.content for c in inline[0].children) == "Tagger: " + " ".join(description.split())
