"""Agreement between two compiled annotations of one document, and the gold's agreement report.

Every figure here can show disagreement: labels are compared over all overlapping entity
spans, coreference over the union of both annotations' mentions with the standard metrics
(MUC, B3, CEAF-e and their mean, the CoNLL-2012 figure), aliases and speaker mentions as
well as quotes. The coreference metrics follow their definitions (Vilain et al. 1995; Bagga
and Baldwin 1998; Luo 2005) with the conventions of the reference implementation (Pradhan et
al. 2014): a key mention missing from the response counts against recall only, a response
mention missing from the key against precision only, and 0/0 is 0.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Hashable, Iterable

from .errors import IsnadError
from .schema import Document
from .spans import greedy_overlap_matching

PASSES_DIR = "gold/passes"
INTER_ANNOTATOR = "inter-annotator"
GOLD_VS_PASS = "gold vs pass"

Partition = list[frozenset]


# --- generic figures -------------------------------------------------------------------------

def _f1(matched: int, n_a: int, n_b: int) -> float:
    # F1 with either side as reference: symmetric, 2·matched / (|A| + |B|)
    return 2 * matched / (n_a + n_b) if n_a + n_b else 0.0


def _ratio(num: float, den: float) -> float:
    return num / den if den else 0.0


def cohen_kappa(a: list[Hashable], b: list[Hashable]) -> float:
    """Cohen's kappa of two parallel label lists (1.0 when both are constant and equal).

    >>> round(cohen_kappa(["x", "x", "y", "y"], ["x", "y", "y", "y"]), 3)
    0.5
    """
    n = len(a)
    if n == 0:
        return 0.0
    observed = sum(x == y for x, y in zip(a, b)) / n
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[k] * cb[k] for k in ca) / (n * n)
    return 1.0 if expected == 1 else (observed - expected) / (1 - expected)


@dataclass(frozen=True)
class PRF:
    """Recall, precision and F1 of a response against a key."""

    recall: float
    precision: float

    @property
    def f1(self) -> float:
        r, p = self.recall, self.precision
        return 2 * p * r / (p + r) if p + r else 0.0


# --- coreference metrics ---------------------------------------------------------------------

def _clusters(partition: Iterable[Iterable[Hashable]]) -> Partition:
    return [frozenset(c) for c in partition if c]


def _muc_side(key: Partition, response: Partition) -> tuple[int, int]:
    # Σ(|K| − |p(K)|) and Σ(|K| − 1); p(K) is K cut by the response clusters, a mention
    # the response lacks being a part of its own
    where = {m: i for i, r in enumerate(response) for m in r}
    num = den = 0
    for k in key:
        parts = {where.get(m, ("missing", m)) for m in k}
        num += len(k) - len(parts)
        den += len(k) - 1
    return num, den


def muc(key: Iterable[Iterable[Hashable]], response: Iterable[Iterable[Hashable]]) -> PRF:
    """MUC (Vilain et al. 1995): the links needed to join each cluster, as found in the other.

    >>> m = muc([{"A", "B", "C", "D"}], [{"A", "B"}, {"C", "D"}])   # Vilain et al.'s example
    >>> round(m.recall, 4), m.precision
    (0.6667, 1.0)
    """
    k, r = _clusters(key), _clusters(response)
    rn, rd = _muc_side(k, r)
    pn, pd = _muc_side(r, k)
    return PRF(_ratio(rn, rd), _ratio(pn, pd))


def _b3_side(key: Partition, response: Partition) -> float:
    # Σ_K Σ_R |K ∩ R|² / |K|, over Σ|K|: each mention of K scores |K ∩ R(m)| / |K|
    num = sum(len(k & r) ** 2 / len(k) for k in key for r in response)
    return _ratio(num, sum(len(k) for k in key))


def b_cubed(key: Iterable[Iterable[Hashable]], response: Iterable[Iterable[Hashable]]) -> PRF:
    """B3 (Bagga and Baldwin 1998), every mention weighted equally.

    >>> b = b_cubed([{"a"}, {"b", "c"}, {"d", "e", "f"}], [{"a"}, {"d", "e"}])
    >>> round(b.recall * 18), b.precision   # the reference scorer's TC-A-2: 7/18, 3/3
    (7, 1.0)
    """
    k, r = _clusters(key), _clusters(response)
    return PRF(_b3_side(k, r), _b3_side(r, k))


def ceaf_e(key: Iterable[Iterable[Hashable]], response: Iterable[Iterable[Hashable]]) -> PRF:
    """Entity-based CEAF (Luo 2005): the best one-to-one alignment of clusters under
    φ4(K, R) = 2|K ∩ R| / (|K| + |R|); recall divides by the key's clusters, precision by
    the response's.

    >>> c = ceaf_e([{"a"}, {"b", "c"}, {"d", "e", "f"}], [{"a"}, {"d", "e"}])
    >>> round(c.recall, 4), round(c.precision, 4)   # TC-A-2: 1.8/3, 1.8/2
    (0.6, 0.9)
    """
    k, r = _clusters(key), _clusters(response)
    if not k or not r:
        return PRF(0.0, 0.0)
    from scipy.optimize import linear_sum_assignment  # the Kuhn-Munkres step

    phi = [[2 * len(a & b) / (len(a) + len(b)) for b in r] for a in k]
    rows, cols = linear_sum_assignment(phi, maximize=True)
    total = sum(phi[i][j] for i, j in zip(rows, cols))
    return PRF(total / len(k), total / len(r))


def conll_f1(key: Iterable[Iterable[Hashable]], response: Iterable[Iterable[Hashable]]) -> float:
    """The CoNLL-2012 figure: the mean of the MUC, B3 and CEAF-e F1."""
    k, r = _clusters(key), _clusters(response)
    return (muc(k, r).f1 + b_cubed(k, r).f1 + ceaf_e(k, r).f1) / 3


# --- two annotations of one document ---------------------------------------------------------

@dataclass
class Agreement:
    """Per-layer figures, the counts behind them, and every difference to adjudicate."""

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


def coreference_mentions(doc: Document) -> dict[tuple[int, int], str]:
    """Every span the annotation links to a cluster: its entity mentions and its speaker
    mentions (a nominal speaker mention refers to the speaker's cluster)."""
    out = {(m.start, m.end): m.cluster for m in doc.entities}
    for q in doc.quotes:
        if q.speaker_mention is not None:
            out.setdefault((q.speaker_mention.start, q.speaker_mention.end), q.speaker)
    return out


def partition(links: dict[tuple[int, int], str], mentions: Iterable[tuple[int, int]]) -> Partition:
    """The clusters of ``mentions`` under ``links``; a mention without a link is a singleton."""
    groups: dict[object, set] = {}
    for m in mentions:
        groups.setdefault(links.get(m, ("singleton", m)), set()).add(m)
    return [frozenset(g) for g in groups.values()]


def _entities(a: Document, b: Document, fig: dict, counts: dict, dis: list[str]) -> None:
    a_ent = {(m.start, m.end): m for m in a.entities}
    b_ent = {(m.start, m.end): m for m in b.entities}
    same_span = set(a_ent) & set(b_ent)
    fig["entities.span_f1"] = _f1(len(same_span), len(a_ent), len(b_ent))
    fig["entities.strict_f1"] = _f1(sum(a_ent[s].label == b_ent[s].label for s in same_span), len(a_ent), len(b_ent))
    pairs = greedy_overlap_matching(a.entities, b.entities)
    fig["entities.overlap_f1"] = _f1(len(pairs), len(a_ent), len(b_ent))
    la = [a.entities[i].label.value for i, _ in pairs]
    lb = [b.entities[j].label.value for _, j in pairs]
    fig["entities.label_accuracy"] = _ratio(sum(x == y for x, y in zip(la, lb)), len(pairs))
    fig["entities.label_kappa"] = cohen_kappa(la, lb)
    counts.update({"entities.a": len(a_ent), "entities.b": len(b_ent), "entities.exact_pairs": len(same_span),
                   "entities.label_pairs": len(pairs)})
    paired = {(a.entities[i].start, a.entities[i].end): b.entities[j] for i, j in pairs}
    paired_b = {(m.start, m.end) for m in paired.values()}
    for s in sorted(set(a_ent) | set(b_ent)):
        if s in same_span:
            if a_ent[s].label != b_ent[s].label:
                dis.append(f"entity label: {a_ent[s].text!r} @{s[0]} a={a_ent[s].label.value} b={b_ent[s].label.value}")
        elif s in a_ent and s in paired:
            x, y = a_ent[s], paired[s]
            dis.append(f"entity span: a={x.text!r} {x.label.value} @{x.start} b={y.text!r} {y.label.value} @{y.start}")
        elif s in a_ent:
            dis.append(f"entity only in a: {a_ent[s].text!r} {a_ent[s].label.value} @{s[0]}")
        elif s not in paired_b:
            dis.append(f"entity only in b: {b_ent[s].text!r} {b_ent[s].label.value} @{s[0]}")


def _coreference(a: Document, b: Document, fig: dict, counts: dict) -> None:
    links_a, links_b = coreference_mentions(a), coreference_mentions(b)
    mentions = sorted(set(links_a) | set(links_b))
    key, response = partition(links_a, mentions), partition(links_b, mentions)
    scores = {"muc": muc(key, response), "b3": b_cubed(key, response), "ceaf_e": ceaf_e(key, response)}
    for name, s in scores.items():
        fig[f"coreference.{name}_f1"] = s.f1
    fig["coreference.conll_f1"] = sum(s.f1 for s in scores.values()) / 3
    counts.update({"coreference.mentions": len(mentions), "coreference.clusters.a": len(key),
                   "coreference.clusters.b": len(response)})


def _aliases(a: Document, b: Document, cmap: dict[str, str], fig: dict, counts: dict, dis: list[str]) -> None:
    items_a = {(c.id, alias) for c in a.clusters for alias in c.aliases}
    items_b = {(cmap.get(c.id, c.id), alias) for c in b.clusters for alias in c.aliases}
    fig["aliases.f1"] = _f1(len(items_a & items_b), len(items_a), len(items_b))
    counts.update({"aliases.a": len(items_a), "aliases.b": len(items_b)})
    for cid, alias in sorted(items_a - items_b):
        dis.append(f"alias only in a: {cid} {alias!r}")
    for cid, alias in sorted(items_b - items_a):
        dis.append(f"alias only in b: {cid} {alias!r}")


def _span(s) -> tuple[int, int] | None:
    return None if s is None else (s.start, s.end)


def _quotes(a: Document, b: Document, cmap: dict[str, str], fig: dict, counts: dict, dis: list[str]) -> None:
    qa, qb = a.quotes, b.quotes
    exact = {(q.start, q.end) for q in qa} & {(q.start, q.end) for q in qb}
    fig["quotes.exact_f1"] = _f1(len(exact), len(qa), len(qb))
    pairs = greedy_overlap_matching(qa, qb)
    fig["quotes.overlap_f1"] = _f1(len(pairs), len(qa), len(qb))
    fig["quotes.type_accuracy"] = _ratio(sum(qa[i].type == qb[j].type for i, j in pairs), len(pairs))
    fig["quotes.type_kappa"] = cohen_kappa([qa[i].type.value for i, _ in pairs], [qb[j].type.value for _, j in pairs])
    cues_a, cues_b = {_span(q.cue) for q in qa}, {_span(q.cue) for q in qb}
    fig["cues.exact_f1"] = _f1(len(cues_a & cues_b), len(cues_a), len(cues_b))
    spk_a = [qa[i].speaker for i, _ in pairs]
    spk_b = [cmap.get(qb[j].speaker, "b:" + qb[j].speaker) for _, j in pairs]
    fig["speakers.accuracy"] = _ratio(sum(x == y for x, y in zip(spk_a, spk_b)), len(pairs))
    fig["speakers.kappa"] = cohen_kappa(spk_a, spk_b)
    fig["speakers.kind_accuracy"] = _ratio(sum(qa[i].speaker_kind == qb[j].speaker_kind for i, j in pairs), len(pairs))
    fig["speakers.mention_accuracy"] = _ratio(
        sum(_span(qa[i].speaker_mention) == _span(qb[j].speaker_mention) for i, j in pairs), len(pairs))
    counts.update({"quotes.a": len(qa), "quotes.b": len(qb), "quotes.matched": len(pairs)})
    matched_a, matched_b = {i for i, _ in pairs}, {j for _, j in pairs}
    dis += [f"quote only in a: {q.text[:40]!r}" for i, q in enumerate(qa) if i not in matched_a]
    dis += [f"quote only in b: {q.text[:40]!r}" for j, q in enumerate(qb) if j not in matched_b]
    for i, j in sorted(pairs):
        x, y = qa[i], qb[j]
        head = f"{x.id} {x.text[:30]!r}"
        if _span(x) != _span(y):
            dis.append(f"quote span: {x.id} a={x.text!r} b={y.text!r}")
        if x.type != y.type:
            dis.append(f"quote type: {head} a={x.type.value} b={y.type.value}")
        if _span(x.cue) != _span(y.cue):
            dis.append(f"cue: {head} a={x.cue.text!r} @{x.cue.start} b={y.cue.text!r} @{y.cue.start}")
        if cmap.get(y.speaker) != x.speaker:
            dis.append(f"speaker: {head} a={x.speaker} b={y.speaker}")
        if x.speaker_kind != y.speaker_kind:
            dis.append(f"speaker kind: {head} a={x.speaker_kind.value} b={y.speaker_kind.value}")
        if _span(x.speaker_mention) != _span(y.speaker_mention):
            ma = x.speaker_mention.text if x.speaker_mention else None
            mb = y.speaker_mention.text if y.speaker_mention else None
            dis.append(f"speaker mention: {head} a={ma!r} @{_span(x.speaker_mention)} b={mb!r} @{_span(y.speaker_mention)}")


def compare(a: Document, b: Document) -> Agreement:
    """Agreement of ``b`` with ``a`` on every layer (``b``'s clusters mapped onto ``a``'s)."""
    fig: dict[str, float] = {}
    counts: dict[str, int] = {}
    dis: list[str] = []
    cmap = cluster_map(a, b)
    _entities(a, b, fig, counts, dis)
    _coreference(a, b, fig, counts)
    _aliases(a, b, cmap, fig, counts, dis)
    _quotes(a, b, cmap, fig, counts, dis)
    return Agreement(figures={k: round(v, 4) for k, v in fig.items()}, counts=counts, disagreements=dis)


# --- the gold's report -----------------------------------------------------------------------

def agreement_report(root: Path, docs: list[Document]) -> dict:
    """Agreement of the two annotation passes (inter-annotator), and the distance of the
    adjudicated gold from each pass (gold vs pass: not agreement between annotators)."""
    from .gold_source import compile_source, read_source

    passes = sorted((root / PASSES_DIR).glob("*.yaml"))
    if len(passes) < 2:
        raise IsnadError("agreement needs two annotation passes", file=str(root / PASSES_DIR))
    gold = docs[0]
    compiled = {}
    for path in passes:
        src, lines = read_source(path)
        compiled[src.annotator] = compile_source(src, gold.text, path=path, lines=lines, doc_id=gold.id)
    names = list(compiled)
    pairs = [(names[0], n, INTER_ANNOTATOR) for n in names[1:]] + [("gold", n, GOLD_VS_PASS) for n in names]
    out = []
    for a, b, kind in pairs:
        ag = compare(gold if a == "gold" else compiled[a], compiled[b])
        out.append({"a": a, "b": b, "kind": kind, "figures": ag.figures, "counts": ag.counts,
                    "disagreements": ag.disagreements})
    return {"document": gold.id, "pairs": out}


def agreement_tables(report: dict) -> str:
    """The card's Markdown: inter-annotator agreement, then the gold against each pass."""
    lines = []
    for kind, title in ((INTER_ANNOTATOR, "Inter-annotator agreement"),
                        (GOLD_VS_PASS, "Adjudicated gold against each pass (how far adjudication moved "
                                       "from each annotator; not inter-annotator agreement)")):
        pairs = [p for p in report["pairs"] if p["kind"] == kind]
        if not pairs:
            continue
        keys = list(pairs[0]["figures"])
        lines += [f"**{title}**", "", "| figure | " + " | ".join(f"{p['a']} vs {p['b']}" for p in pairs) + " |",
                  "|---|" + "---|" * len(pairs)]
        lines += [f"| {k} | " + " | ".join(f"{p['figures'][k]:.3f}" for p in pairs) + " |" for k in keys]
        lines += ["", "Counts: " + "; ".join(f"{p['a']} vs {p['b']}: " + ", ".join(f"{k}={v}" for k, v in p["counts"].items())
                                            for p in pairs), ""]
    inter = next((p for p in report["pairs"] if p["kind"] == INTER_ANNOTATOR), None)
    if inter is not None:
        lines += [f"{len(inter['disagreements'])} differences between the passes, every one in `agreement.json` "
                  "and adjudicated in GUIDELINES.md §5.", ""]
    return "\n".join(lines)
