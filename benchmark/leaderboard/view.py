"""What the page's error-analysis view shows: each system's spans with their match status."""

from __future__ import annotations

from typing import Any

from ..gold import Gold
from ..metrics import gold_index
from ..predictions import GroundingLog, Predictions, ground_document
from ..spans import greedy_overlap_matching
from ..text import Segment


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


def system_view(preds: Predictions, gold: Gold) -> list[dict[str, Any]]:
    """Per document: predicted entities and quotes with a status (hit, partial, label,
    false-alarm), the gold items missed, and whether each matched quote's speaker is right."""
    out = []
    log = GroundingLog()
    for doc in gold.documents:
        ents, quotes = ground_document(preds.documents.for_scoring(doc.id), doc, log)
        gold_ents = {(m.start, m.end): m.label.value for m in doc.entities}
        strict = {(e.span.start, e.span.end) for e in ents if e.span.ok and gold_ents.get((e.span.start, e.span.end)) == e.label}
        v_ents = []
        for e in ents:
            if not e.span.ok:
                continue
            key = (e.span.start, e.span.end)
            status = "hit" if key in strict else ("label" if key in gold_ents else "false-alarm")
            v_ents.append([e.span.start, e.span.end, e.label, status])
        missed_ents = [i for i, m in enumerate(doc.entities) if (m.start, m.end) not in strict]

        grounded = [q for q in quotes if q.span.ok]
        pairs = greedy_overlap_matching(list(doc.quotes), [Segment(q.span.start, q.span.end) for q in grounded])
        match = {j: i for i, j in pairs}
        index = gold_index(doc).speakers
        names = {c.id: c.name for c in doc.clusters}
        v_quotes = []
        for j, q in enumerate(grounded):
            cluster = index.resolve(q.speaker)
            cue = [q.cue.start, q.cue.end] if q.cue is not None and q.cue.ok else None
            if j in match:
                g = doc.quotes[match[j]]
                status = "hit" if (g.start, g.end) == (q.span.start, q.span.end) else "partial"
                speaker_ok = cluster == g.speaker
            else:
                status, speaker_ok = "false-alarm", None
            v_quotes.append([q.span.start, q.span.end, q.type, cue, names.get(cluster) if cluster else None,
                             status, speaker_ok])
        matched_gold = {i for i, _ in pairs}
        out.append({"id": doc.id, "entities": v_ents, "quotes": v_quotes,
                    "missed_entities": missed_ents,
                    "missed_quotes": [i for i in range(len(doc.quotes)) if i not in matched_gold],
                    "ungrounded": len(log.failures)})
    return out
