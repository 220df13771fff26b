"""The shortcuts scoring takes, against the plain definitions they replace."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from benchmark.metrics import gold_index, iob2_chunks, projected_chunks, sentence_tags
from benchmark.schema import Document
from benchmark.text import span_tokens, tokenize
from scoring_support import DOC, GOLD, N, random_spans, gold_entities

# letters, digits, the underscore (not a word character), Arabic marks and tatweel, punctuation,
# quotation marks and several kinds of whitespace
CHARS = "ab1_ \n\t.,«»جو\u064e\u0651\u0640\u00a0:"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=CHARS, min_size=1, max_size=30), st.data())
def test_span_tokens_is_filtering_the_tokens(text, data):
    n = len(text)
    lo = data.draw(st.integers(0, n - 1))
    hi = data.draw(st.integers(lo + 1, n))
    toks = [(t.start, t.end) for t in tokenize(text, lo, hi)]
    after = data.draw(st.sampled_from([0] + [b for _, b in toks]))
    s = data.draw(st.integers(0, n - 1))
    e = data.draw(st.integers(s + 1, n))
    want = [(a, b) for a, b in toks if a < e and s < b and a >= after]
    assert span_tokens(text, s, e, lo, hi, after) == ((want[0][0], want[-1][1]) if want else None)


def _reference_chunks(doc: Document, spans: list[tuple[int, int, str]]) -> set:
    """Chunks of the IOB2 tags (the seqeval input), keyed by token offsets."""
    out = set()
    for k, tags in enumerate(sentence_tags(doc, spans)):
        sent = doc.sentences[k]
        toks = [(t.start, t.end) for t in tokenize(doc.text, sent.start, sent.end)]
        out |= {(k, lab, toks[a][0], toks[b][1]) for lab, a, b in iob2_chunks(tags)}
    return out


@settings(max_examples=150, deadline=None)
@given(random_spans(gold_entities()))
def test_projected_chunks_equal_the_chunks_of_the_projected_tags(spans):
    g = gold_index(DOC)
    spans = sorted(spans)
    items = [g.item(s) for s, _, _ in spans]
    got = projected_chunks(DOC.text, g.bounds, spans, items)
    assert len(got) == len(set(got))
    assert set(got) == _reference_chunks(DOC, spans)
    # with the gold's runs (what scoring passes), and with runs recorded from other spans
    assert projected_chunks(DOC.text, g.bounds, spans, items, runs=g.runs) == got
    runs: dict = {}
    projected_chunks(DOC.text, g.bounds, spans[::2], items[::2], record=runs)
    assert projected_chunks(DOC.text, g.bounds, spans, items, runs=runs) == got


def test_gold_index_items_are_sentence_indices():
    g = gold_index(DOC)
    for offset in range(0, len(DOC.text), 7):
        assert g.item(offset) == DOC.sentence_index(offset)
    assert gold_index(DOC) is g


SMALL = st.tuples(st.integers(0, 40), st.integers(1, 8), st.sampled_from(["PER", "GPE", "ORG"])).map(
    lambda t: (t[0], t[0] + t[1], t[2]))


@settings(max_examples=300, deadline=None)
@given(st.lists(SMALL, max_size=10, unique_by=lambda x: (x[0], x[1])), st.lists(SMALL, max_size=12))
def test_entity_columns_equal_the_strategies_run_one_by_one(true, pred):
    """The closed form for isolated pairs and the shared passes give what running nervaluate's
    strategy per scheme and per label gives."""
    from benchmark.metrics import ENTITY_SCHEMES, Stats, _entity_stats, nervaluate_outcomes

    text = "x" * 60
    doc = Document(id="d", title="", text=text, language="en", source="t", sentences=[{"start": 0, "end": 60}],
                   entities=[{"id": f"e{i}", "start": s, "end": e, "text": text[s:e], "label": lab, "cluster": "c"}
                             for i, (s, e, lab) in enumerate(true)],
                   clusters=[], quotes=[])
    g = gold_index(doc)
    pred = sorted(pred)
    stats = Stats(1)
    _entity_stats(stats, 0, g, pred, [0] * len(pred), [])
    totals = stats.totals()
    for scheme in ENTITY_SCHEMES:
        want = [k for k, _, _ in nervaluate_outcomes(scheme, g.true, pred)]
        for lab in ("PER", "GPE", "ORG"):
            t = [x for x in g.true if x[2] == lab]
            want_lab = [k for k, _, _ in nervaluate_outcomes(scheme, t, [x for x in pred if x[2] == lab])]
            for kind in ("cor", "inc", "par", "mis", "spu"):
                assert totals.get(f"ent.{lab}.{scheme}.{kind}", 0) == want_lab.count(kind), (scheme, lab, kind)
        for kind in ("cor", "inc", "par", "mis", "spu"):
            assert totals.get(f"ent.{scheme}.{kind}", 0) == want.count(kind), (scheme, kind)


# --- the reader's fast check against the models ------------------------------------------------

_NUMBERS = st.one_of(st.integers(-2, 12), st.sampled_from([N - 1, N, N + 1, True, 1.0, "3", None]))
_VALID = st.integers(0, N - 1).flatmap(lambda s: st.integers(s + 1, min(N, s + 30)).map(lambda e: {"start": s, "end": e}))
_OFFSETS = st.one_of(_VALID, _VALID, _VALID, st.fixed_dictionaries({"start": _NUMBERS, "end": _NUMBERS}))
_SPEAKERS = st.one_of(st.none(), st.just({"cluster": DOC.clusters[0].id}), st.fixed_dictionaries({"cluster": st.sampled_from(
    [c.id for c in DOC.clusters[:2]] + ["", "nope", 3])}), _OFFSETS, st.fixed_dictionaries({"text": st.sampled_from(["", "x", 1])}),
    st.fixed_dictionaries({"cluster": st.just(DOC.clusters[0].id), "text": st.just("x")}))
_ENTITIES = st.one_of(
    st.builds(lambda o, lab: {**o, "label": lab}, _OFFSETS, st.sampled_from(["PER", "GPE", "ORG", "per", 1])),
    st.builds(lambda o, lab: {**o, "label": lab}, _VALID, st.sampled_from(["PER", "GPE", "LOC"])),
    st.builds(lambda o: {**o, "label": "PER", "text": "x"}, _OFFSETS),
    st.builds(lambda o: o, _OFFSETS), st.sampled_from([None, [], "PER"]))
_QUOTES = st.one_of(
    st.builds(lambda o, extra: {**o, **extra}, _OFFSETS, st.fixed_dictionaries({}, optional={
        "type": st.sampled_from([None, "direct", "mixed", "indirect", "Direct", 2]),
        "cue": st.one_of(st.none(), _OFFSETS, st.just({"text": "x"}), st.just([])),
        "speaker": _SPEAKERS, "occurrence": st.just(0)})),
    st.sampled_from([None, 1]))
_LINES = st.one_of(
    st.fixed_dictionaries({"document_id": st.just(DOC.id), "entities": st.lists(_ENTITIES, max_size=4),
                           "quotes": st.lists(_QUOTES, max_size=3)}),
    st.fixed_dictionaries({"document_id": st.sampled_from([DOC.id, "", "nope", 7])}, optional={
        "entities": st.one_of(st.lists(_ENTITIES, max_size=2), st.none(), st.just(())),
        "quotes": st.lists(_QUOTES, max_size=2), "extra": st.just(1)}))


def _read(lines: list, fast: bool):
    """("ok", grounded spans per document, the documents as models) or ("error", message, field)."""
    import benchmark.predictions as P
    from benchmark.errors import IsnadError

    checked = P._checked_document
    P._checked_document = checked if fast else (lambda obj, by_id: None)
    try:
        preds = P.read_predictions(lines, GOLD)
    except IsnadError as exc:
        return "error", str(exc), exc.field
    finally:
        P._checked_document = checked
    log = P.GroundingLog()
    grounded = {i: P.ground_document(preds.documents.for_scoring(i), DOC, log) for i in preds.documents}
    return "ok", grounded, dict(preds.documents), log.to_dict()


@settings(max_examples=400, deadline=None)
@given(st.lists(_LINES, min_size=1, max_size=2))
def test_the_fast_check_reads_as_the_models_do(lines):
    """The reader's fast check for the common form gives the same outcome as validating every
    line with the models: the same grounded spans and documents, or the same first error."""
    assert _read(lines, True) == _read(lines, False)


# --- the entity schemes of a big call (numpy, all documents at once) against the per-document path

_LONG = st.tuples(st.integers(0, 290), st.integers(1, 300), st.sampled_from(["PER", "GPE", "ORG", "LOC"])).map(
    lambda t: (t[0], min(300, t[0] + t[1]), t[2]))
_NEAR = st.tuples(st.integers(0, 60), st.integers(1, 8), st.sampled_from(["PER", "GPE", "ORG", "LOC"])).map(
    lambda t: (t[0], t[0] + t[1], t[2]))
_SPANS = st.one_of(_NEAR, _NEAR, _NEAR, _LONG)
_DOCS = st.lists(st.tuples(st.lists(_SPANS, max_size=10, unique_by=lambda x: (x[0], x[1])),
                           st.lists(_SPANS, max_size=14),
                           st.lists(st.sampled_from(["PER", "ORG"]), max_size=2),
                           st.sampled_from([[0], [0, 30], [0, 5, 40, 200], [10, 50]])),
                 min_size=1, max_size=6)


@settings(max_examples=300, deadline=None)
@given(_DOCS)
def test_entity_columns_of_a_big_call_equal_the_per_document_path(docs):
    """The numpy path (many documents at once: lone spans, isolated pairs in closed form,
    competing spans through the strategies, gold spans that overlap, ones too long for a
    1 % overlap, ungrounded predictions) adds exactly the per-document columns."""
    from benchmark.metrics import Stats, _entity_stats, _entity_stats_numpy

    batch, base = [], 0
    for k, (true, pred, lost, starts) in enumerate(docs):
        text = "x" * 300
        bounds = list(zip(starts, starts[1:] + [300]))
        doc = Document(id=f"d{k}", title="", text=text, language="en", source="t",
                       sentences=[{"start": s, "end": e} for s, e in bounds],
                       entities=[{"id": f"e{i}", "start": s, "end": e, "text": text[s:e], "label": lab, "cluster": "c"}
                                 for i, (s, e, lab) in enumerate(true)],
                       clusters=[], quotes=[])
        g = gold_index(doc)
        pred = sorted(pred)
        batch.append((base, g, pred, [g.item(s) for s, _, _ in pred], lost))
        base += len(bounds)
    slow, fast = Stats(base), Stats(base)
    for b in batch:
        _entity_stats(slow, *b)
    _entity_stats_numpy(fast, batch)
    # a column with no entry is one absent (every total and resample of it is 0)
    got = {k: fast.values(k) for k in fast.keys() if any(fast.values(k))}
    assert got == {k: slow.values(k) for k in slow.keys() if any(slow.values(k))}
    assert all(type(v) is int for c in got.values() for v in c)
    totals, want = fast.totals(), slow.totals()
    assert totals == {k: v for k, v in want.items() if k in totals} and not any(v for k, v in want.items() if k not in totals)
