"""What the page's error-analysis view shows: each system's spans with their match status."""

from __future__ import annotations

from typing import Any

from ..gold import Gold
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
            "clusters": names,
        })
    return out


def system_view(scoring: Scoring) -> list[dict[str, Any]]:
    """Per document: predicted entities and quotes with a status (hit, partial, label,
    false-alarm), the gold items missed, and whether each matched quote's speaker is right,
    all read off the scorer's alignment (strict entities, the quote matching)."""
    out = []
    for al, doc in zip(scoring.documents, scoring.gold.documents):
        strict = al.entities.schemes["strict"]
        v_ents = []
        for j, e in enumerate(al.prediction.entities):
            if not e.span.ok:
                continue
            i = strict.pred_gold[j]
            same_span = i is not None and (doc.entities[i].start, doc.entities[i].end) == (e.span.start, e.span.end)
            status = "hit" if strict.pred[j] == "COR" else ("label" if same_span else "false-alarm")
            v_ents.append([e.span.start, e.span.end, e.label, status])
        q = al.quotes
        names = {c.id: c.name for c in doc.clusters}
        v_quotes = []
        for j, pq in enumerate(al.prediction.quotes):
            if not pq.span.ok:
                continue
            cue = [pq.cue.start, pq.cue.end] if pq.cue is not None and pq.cue.ok else None
            status = {"exact": "hit", "overlap": "partial"}.get(q.matching.pred[j], "false-alarm")
            speaker_ok = q.speaker.pred[j] == "correct" if q.matching.pred_gold[j] is not None else None
            v_quotes.append([pq.span.start, pq.span.end, pq.type, cue, names.get(q.clusters[j] or ""),
                             status, speaker_ok])
        out.append({"id": doc.id, "entities": v_ents, "quotes": v_quotes,
                    "missed_entities": [i for i, o in enumerate(strict.gold) if o != "COR"],
                    "missed_quotes": [i for i, o in enumerate(q.matching.gold) if o == "missed"],
                    "ungrounded": len(al.prediction.ungrounded())})
    return out
