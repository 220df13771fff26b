"""What the page's error view shows: each system's alignment as the scorer made it (read off
``benchmark.scoring.Scoring``, never a matching of its own), and the counts its summary prints."""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..gold import Gold
from ..schema import PredSpeaker
from ..scoring import Scoring


def gold_view(gold: Gold) -> list[dict[str, Any]]:
    """The gold of every document as plain lists for the page."""
    out = []
    for doc in gold.documents:
        names = {c.id: c.name for c in doc.clusters}
        out.append({
            "id": doc.id, "text": doc.text, "sentences": [s.start for s in doc.sentences],
            "entities": [[m.start, m.end, m.label.value] for m in doc.entities],
            "quotes": [[q.start, q.end, q.type.value, q.cue.start, q.cue.end, names[q.speaker]] for q in doc.quotes],
        })
    return out


def _entity_status(outcome: str, same_span: bool) -> str:
    # strict scheme: COR right; INC is a wrong label on the gold span, else wrong boundaries
    return {"COR": "right", "SPU": "spurious"}.get(outcome) or ("label" if same_span else "boundary")


def _speaker(given: PredSpeaker | None, name: str | None, text: str) -> dict[str, str | None] | None:
    """A predicted speaker as the page shows it: what the system gave (a cluster id, the
    document's text at its span, or its text, in the order the scorer resolves them) and the
    name of the gold speaker it resolved to (None: to no one), or None when no speaker is given."""
    if given is None:
        return None
    shown = given.cluster if given.cluster is not None else (
        text[given.start:given.end] if given.start is not None else given.text)
    return {"given": shown, "name": name}


def document_view(al: Any, doc: Any) -> dict[str, Any]:
    """One document of one system: every predicted span with its outcome (in input order;
    ``start`` None for a text the document does not hold), each gold item's outcome, and
    the summary counts."""
    names = {c.id: c.name for c in doc.clusters}
    strict = al.entities.schemes["strict"]
    entities = []
    for j, e in enumerate(al.prediction.entities):
        i = strict.pred_gold[j]
        same = i is not None and (doc.entities[i].start, doc.entities[i].end) == (e.start, e.end)
        entities.append({"start": e.start, "end": e.end, "text": e.text, "label": e.label,
                         "status": _entity_status(strict.pred[j], same), "gold": i})
    q = al.quotes
    quotes = []
    for j, pq in enumerate(al.prediction.quotes):
        cue = pq.cue
        cluster = q.clusters[j]
        quotes.append({
            "start": pq.start, "end": pq.end, "text": pq.text, "type": pq.type,
            "match": q.matching.pred[j], "gold": q.matching.pred_gold[j],
            "cue": None if cue is None else {"start": cue.start, "end": cue.end, "text": cue.text},
            "cue_status": q.cue.pred[j],
            "speaker": _speaker(pq.speaker, names.get(cluster) if cluster else None, doc.text),
            "speaker_status": q.speaker.pred[j],
        })
    gold_entities = ["right" if o == "COR" else ("missed" if o == "MIS" else "wrong") for o in strict.gold]
    gold_quotes = [{"match": m, "cue": c, "speaker": s}
                   for m, c, s in zip(q.matching.gold, q.cue.gold, q.speaker.gold)]
    view = {"id": doc.id, "entities": entities, "quotes": quotes, "gold_entities": gold_entities,
            "gold_quotes": gold_quotes, "ungrounded": al.prediction.ungrounded()}
    view["summary"] = summary(view)
    return view


def summary(view: dict[str, Any]) -> dict[str, dict[str, int]]:
    """The error view's counts of one document, from its outcomes (what the page prints)."""
    ents = Counter(e["status"] for e in view["entities"])
    quotes = Counter(x["match"] for x in view["quotes"])
    matched = [x for x in view["quotes"] if x["gold"] is not None]
    return {
        "quotes": {"exact": quotes["exact"], "overlap": quotes["overlap"], "false_alarm": quotes["false_alarm"],
                   "missed": sum(g["match"] == "missed" for g in view["gold_quotes"]),
                   "predicted": len(view["quotes"]), "gold": len(view["gold_quotes"])},
        "speakers": {"right": sum(x["speaker_status"] == "correct" for x in matched),
                     "wrong": sum(x["speaker_status"] != "correct" for x in matched)},
        "cues": {"right": sum(x["cue_status"] == "right" for x in view["quotes"]),
                 "wrong": sum(x["cue_status"] == "wrong" for x in view["quotes"]),
                 "missing": sum(g["cue"] == "missing" for g in view["gold_quotes"])},
        "entities": {"right": ents["right"], "label": ents["label"], "boundary": ents["boundary"],
                     "spurious": ents["spurious"], "missed": view["gold_entities"].count("missed")},
        "ungrounded": {"spans": len(view["ungrounded"])},
    }


def system_view(scoring: Scoring) -> list[dict[str, Any]]:
    """Every gold document's view of one system, in gold order."""
    return [document_view(al, doc) for al, doc in zip(scoring.documents, scoring.gold.documents)]


def totals(views: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """The summary counts of a system over all its documents."""
    out: dict[str, dict[str, int]] = {}
    for v in views:
        for group, counts in v["summary"].items():
            for k, n in counts.items():
                out.setdefault(group, {}).setdefault(k, 0)
                out[group][k] += n
    return out
