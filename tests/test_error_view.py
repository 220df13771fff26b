"""The page's error view is the scorer's alignment: its summary counts equal the report's,
for every stored submission (in the committed page too) and for the hand-made LLM-style file
with one error of each kind."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from benchmark import load_gold
from benchmark.leaderboard.board import entries
from benchmark.leaderboard.view import system_view, totals
from benchmark.predictions import predictions_from_gold
from benchmark.report import build_report
from benchmark.scoring import align

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "llm_errors.jsonl"


def assert_summary_is_the_report(summary: dict, result: dict) -> None:
    q, o = summary["quotes"], result["quotes"]["counts"]
    assert (q["exact"], q["exact"] + q["overlap"]) == (o["exact"]["matched"], o["overlap"]["matched"])
    assert (q["predicted"], q["gold"]) == (o["overlap"]["predicted"], o["overlap"]["gold"])
    assert q["false_alarm"] == o["overlap"]["predicted"] - o["overlap"]["matched"]
    assert q["missed"] == o["overlap"]["gold"] - o["overlap"]["matched"]
    s, a = summary["speakers"], result["attribution"]["counts"]
    assert (s["right"], s["right"] + s["wrong"]) == (a["correct"], a["matched"])
    c, linked = summary["cues"], result["cues"]["counts"]["linked"]
    assert (c["right"], c["right"] + c["wrong"]) == (linked["matched"], linked["predicted"])
    assert c["missing"] <= linked["gold"] - linked["matched"]
    e, strict = summary["entities"], result["entities"]["counts"]["strict"]
    assert (e["right"], e["label"] + e["boundary"], e["spurious"], e["missed"]) == \
        (strict["COR"], strict["INC"], strict["SPU"], strict["MIS"])
    assert summary["ungrounded"]["spans"] == result["grounding"]["failed"]


@pytest.fixture(scope="module")
def stored():
    return entries(ROOT / "leaderboard", load_gold())


def test_every_stored_submission_summary_equals_its_report(stored):
    assert len(stored) >= 8
    for e in stored:
        assert_summary_is_the_report(totals(e.view), e.result)


def test_the_committed_page_shows_the_reports_counts():
    html = (ROOT / "leaderboard" / "index.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r'<script type="application/json" id="data">(.*?)</script>', html, re.S).group(1))
    slugs = sorted(p.name for p in (ROOT / "leaderboard" / "submissions").iterdir() if p.is_dir())
    assert sorted(s["slug"] for s in data["systems"]) == slugs
    for s in data["systems"]:
        result = json.loads((ROOT / "leaderboard" / "results" / f"{s['slug']}.json").read_text(encoding="utf-8"))
        assert_summary_is_the_report(totals(s["documents"]), result)


def test_each_error_of_the_hand_made_file_is_in_the_view():
    gold = load_gold()
    scoring = align(FIXTURE, gold)
    view = system_view(scoring)[0]
    assert_summary_is_the_report(view["summary"], build_report(scoring, 0, 1).to_dict())
    doc = gold.documents[0]
    quotes = {q["text"]: q for q in view["quotes"]}
    made_up = quotes["على المجتمع الدولي أن يتحرك فورا لوقف المجزرة"]
    assert made_up["start"] is None and made_up["match"] == "false_alarm"
    assert {"field": "quotes[4]", "text": made_up["text"]} in [{k: u[k] for k in ("field", "text")} for u in view["ungrounded"]]
    boundary = quotes["روسيا في ختام الاجتماع بمحاولة وقف القصف في حلب"]
    assert boundary["match"] == "overlap" and boundary["speaker_status"] == "correct"
    wrong_speaker = quotes["ضرورة إيجاد حل سياسي في سوريا بدلا من الحل العسكري"]
    assert wrong_speaker["match"] == "exact" and wrong_speaker["speaker_status"] == "wrong"
    assert wrong_speaker["speaker"] == {"given": "جون كيري", "name": "جون كيري"}
    unresolved = quotes["النظام السوري بارتكاب جرائم حرب وجرائم ضد الإنسانية"]  # a name the article does not hold
    assert unresolved["speaker"] == {"given": "بان كي مون", "name": None}
    assert unresolved["match"] == "exact" and unresolved["speaker_status"] == "wrong"
    # the made-up quote's cue is in the article: drawn there, and counted wrong (no gold quote to link)
    assert made_up["cue"] == {"start": 445, "end": 448, "text": "قال"} and doc.text[445:448] == "قال"
    assert made_up["cue_status"] == "wrong"
    assert doc.cluster(doc.quotes[wrong_speaker["gold"]].speaker).name == "محمد بن عبد الرحمن آل ثاني"
    wrong_cue = quotes["سكان شرق حلب يعيشون تحت تهديد يومي بالموت ولا يرون أي مستقبل"]
    assert wrong_cue["cue_status"] == "wrong" and wrong_cue["cue"]["text"] == "وزير الخارجية الألماني"
    ents = view["entities"]
    assert [e["status"] for e in ents if e["text"] == "جون كيري"] == ["right", "spurious"]  # listed twice
    assert [(e["label"], e["status"]) for e in ents if e["text"] == "روسيا"] == [("ORG", "label")]
    assert [e["status"] for e in ents if e["text"] == "واشنطن"] == ["spurious"] and ents[-1]["start"] is None


@pytest.mark.parametrize("form", ["cluster", "span", "text"])
def test_a_speaker_shows_what_the_system_gave_and_whom_it_resolved_to(form):
    gold = load_gold()
    preds = predictions_from_gold(gold, speaker=form)
    views = system_view(align(preds, gold))
    for doc, pred, view in zip(gold.documents, preds, views):
        for gq, pq, shown in zip(doc.quotes, pred["quotes"], view["quotes"]):
            spk = pq["speaker"]
            given = spk.get("cluster") or spk.get("text") or doc.text[spk["start"]:spk["end"]]
            assert shown["speaker"] == {"given": given, "name": doc.cluster(gq.speaker).name}
