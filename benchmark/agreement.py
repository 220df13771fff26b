"""Inter-annotator agreement between two compiled annotation passes of one document."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from itertools import combinations

from .schema import Document
from .spans import greedy_overlap_matching


def _f1(matched: int, n_a: int, n_b: int) -> float:
    # F1 with either pass as reference: symmetric, 2·matched / (|A| + |B|)
    return 2 * matched / (n_a + n_b) if n_a + n_b else 0.0


def cohen_kappa(a: list[str], b: list[str]) -> float:
    """Cohen's kappa of two parallel label lists (1.0 when both are constant and equal)."""
    n = len(a)
    if n == 0:
        return 0.0
    observed = sum(x == y for x, y in zip(a, b)) / n
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[k] * cb[k] for k in ca) / (n * n)
    return 1.0 if expected == 1 else (observed - expected) / (1 - expected)


@dataclass
class Agreement:
    """Per-layer agreement figures and the list of disagreements to adjudicate."""

    figures: dict[str, float]
    counts: dict[str, int]
    disagreements: list[str] = field(default_factory=list)


def cluster_map(a: Document, b: Document) -> dict[str, str]:
    """Map each cluster of ``b`` to the cluster of ``a`` sharing most exact mentions
    (ties to the id that sorts first; an id of ``a`` equal to ``b``'s when none shared)."""
    votes: dict[str, Counter] = {}
    a_by_span = {(m.start, m.end): m.cluster for m in a.entities}
    for m in b.entities:
        if (m.start, m.end) in a_by_span:
            votes.setdefault(m.cluster, Counter())[a_by_span[(m.start, m.end)]] += 1
    a_ids = {c.id for c in a.clusters}
    out = {}
    for c in b.clusters:
        if c.id in votes:
            out[c.id] = sorted(votes[c.id].items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        elif c.id in a_ids:
            out[c.id] = c.id
    return out


def compare(a: Document, b: Document) -> Agreement:
    """Agreement of pass ``b`` with pass ``a`` on every layer."""
    fig: dict[str, float] = {}
    dis: list[str] = []
    a_ent = {(m.start, m.end): m for m in a.entities}
    b_ent = {(m.start, m.end): m for m in b.entities}
    same_span = sorted(set(a_ent) & set(b_ent))
    fig["entities.span_f1"] = _f1(len(same_span), len(a_ent), len(b_ent))
    strict = [s for s in same_span if a_ent[s].label == b_ent[s].label]
    fig["entities.strict_f1"] = _f1(len(strict), len(a_ent), len(b_ent))
    la = [a_ent[s].label.value for s in same_span]
    lb = [b_ent[s].label.value for s in same_span]
    fig["entities.label_accuracy"] = len(strict) / len(same_span) if same_span else 0.0
    fig["entities.label_kappa"] = cohen_kappa(la, lb)
    # coreference: pairwise "same cluster" links among mentions both passes marked
    links_a = {(x, y) for x, y in combinations(same_span, 2) if a_ent[x].cluster == a_ent[y].cluster}
    links_b = {(x, y) for x, y in combinations(same_span, 2) if b_ent[x].cluster == b_ent[y].cluster}
    fig["clusters.link_f1"] = _f1(len(links_a & links_b), len(links_a), len(links_b))
    for s in sorted(set(a_ent) ^ set(b_ent)):
        who, m = ("a", a_ent[s]) if s in a_ent else ("b", b_ent[s])
        dis.append(f"entity only in {who}: {m.text!r} {m.label.value} @{m.start}")
    for s in same_span:
        if a_ent[s].label != b_ent[s].label:
            dis.append(f"entity label: {a_ent[s].text!r} a={a_ent[s].label.value} b={b_ent[s].label.value}")

    qa, qb = a.quotes, b.quotes
    exact = {(q.start, q.end) for q in qa} & {(q.start, q.end) for q in qb}
    fig["quotes.exact_f1"] = _f1(len(exact), len(qa), len(qb))
    pairs = greedy_overlap_matching(qa, qb)
    fig["quotes.overlap_f1"] = _f1(len(pairs), len(qa), len(qb))
    fig["quotes.type_kappa"] = cohen_kappa([qa[i].type.value for i, _ in pairs], [qb[j].type.value for _, j in pairs])
    fig["quotes.type_accuracy"] = sum(qa[i].type == qb[j].type for i, j in pairs) / len(pairs) if pairs else 0.0
    cues_a = {(q.cue.start, q.cue.end) for q in qa}
    cues_b = {(q.cue.start, q.cue.end) for q in qb}
    fig["cues.exact_f1"] = _f1(len(cues_a & cues_b), len(cues_a), len(cues_b))
    cmap = cluster_map(a, b)
    spk = [(i, j) for i, j in pairs if cmap.get(qb[j].speaker) == qa[i].speaker]
    fig["speakers.accuracy_on_matched"] = len(spk) / len(pairs) if pairs else 0.0
    fig["speakers.kind_accuracy"] = (sum(qa[i].speaker_kind == qb[j].speaker_kind for i, j in pairs) / len(pairs)
                                     if pairs else 0.0)
    matched_a = {i for i, _ in pairs}
    matched_b = {j for _, j in pairs}
    for i, q in enumerate(qa):
        if i not in matched_a:
            dis.append(f"quote only in a: {q.text[:40]!r}")
    for j, q in enumerate(qb):
        if j not in matched_b:
            dis.append(f"quote only in b: {q.text[:40]!r}")
    for i, j in pairs:
        x, y = qa[i], qb[j]
        if (x.start, x.end) != (y.start, y.end):
            dis.append(f"quote span: a={x.text!r} b={y.text!r}")
        if x.type != y.type:
            dis.append(f"quote type: {x.text[:30]!r} a={x.type.value} b={y.type.value}")
        if (x.cue.start, x.cue.end) != (y.cue.start, y.cue.end):
            dis.append(f"cue: {x.text[:30]!r} a={x.cue.text!r} b={y.cue.text!r}")
        if cmap.get(y.speaker) != x.speaker:
            dis.append(f"speaker: {x.text[:30]!r} a={x.speaker} b={y.speaker}")
        if x.speaker_kind != y.speaker_kind:
            dis.append(f"speaker kind: {x.text[:30]!r} a={x.speaker_kind.value} b={y.speaker_kind.value}")
    counts = {"entities.a": len(a_ent), "entities.b": len(b_ent), "quotes.a": len(qa), "quotes.b": len(qb),
              "quotes.matched": len(pairs)}
    return Agreement(figures={k: round(v, 4) for k, v in fig.items()}, counts=counts, disagreements=dis)
