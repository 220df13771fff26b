"""The shortcuts scoring takes, against the plain definitions they replace."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from benchmark.metrics import gold_index, iob2_chunks, projected_chunks, sentence_tags
from benchmark.schema import Document
from benchmark.text import Segment, span_tokens, tokenize
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


# --- the entity columns of a big call (numpy, all documents at once) against the per-document path

_LONG = st.tuples(st.integers(0, 290), st.integers(1, 300), st.sampled_from(["PER", "GPE", "ORG", "LOC"])).map(
    lambda t: (t[0], min(300, t[0] + t[1]), t[2]))
_NEAR = st.tuples(st.integers(0, 60), st.integers(1, 8), st.sampled_from(["PER", "GPE", "ORG", "LOC"])).map(
    lambda t: (t[0], t[0] + t[1], t[2]))
_SPANS = st.one_of(_NEAR, _NEAR, _NEAR, _LONG)
# sentence starts, and the characters left between sentences (none, or a few)
_DOCS = st.lists(st.tuples(st.lists(_SPANS, max_size=10, unique_by=lambda x: (x[0], x[1])),
                           st.lists(_SPANS, max_size=14),
                           st.lists(st.sampled_from(["PER", "ORG"]), max_size=2),
                           st.sampled_from([[0], [0, 30], [0, 5, 40, 200], [10, 50], [0, 3, 4, 6, 9]]),
                           st.sampled_from([0, 0, 2])),
                 min_size=1, max_size=6)
# words, Arabic ones with marks, punctuation, quotation marks and runs of spaces
_TEXT = ("ab cd, «ef» g.h  ijَّk :l-m" * 20)[:300]


@settings(max_examples=300, deadline=None)
@given(_DOCS, st.integers(0, 5))
def test_entity_columns_of_a_big_call_equal_the_per_document_path(docs, rotate):
    """The numpy path (many documents at once: lone spans, isolated pairs in closed form,
    competing spans through the strategies, gold spans that overlap, ones too long for a
    1 % overlap, ungrounded predictions, spans between sentences or across them, several
    spans on one token) adds exactly the per-document columns, seqeval's included."""
    from benchmark import vectorized
    from benchmark.metrics import Stats, entity_stats
    from benchmark.predictions import EntityColumns

    batch, base = [], 0
    for k, (true, pred, lost, starts, gap) in enumerate(docs):
        text = _TEXT[rotate:] + _TEXT[:rotate]
        bounds = [(s, max(s + 1, e - gap)) for s, e in zip(starts, starts[1:] + [300])]
        doc = Document(id=f"d{k}", title="", text=text, language="en", source="t",
                       sentences=[{"start": s, "end": e} for s, e in bounds],
                       entities=[{"id": f"e{i}", "start": s, "end": e, "text": text[s:e], "label": lab, "cluster": "c"}
                                 for i, (s, e, lab) in enumerate(true)],
                       clusters=[], quotes=[])
        g = gold_index(doc)
        cols = EntityColumns([s for s, _, _ in pred], [e for _, e, _ in pred], [lab for _, _, lab in pred], lost)
        batch.append((base, g, cols))  # predictions in input order: both paths sort them
        base += len(bounds)
    assert vectorized.applies(batch)
    slow, fast = Stats(base), Stats(base)
    entity_stats(slow, batch)
    vectorized.entity_stats(fast, batch)
    # a column with no entry is one absent (every total and resample of it is 0)
    got = {k: fast.values(k) for k in fast.keys() if any(fast.values(k))}
    assert got == {k: slow.values(k) for k in slow.keys() if any(slow.values(k))}
    assert all(type(v) is int for c in got.values() for v in c)
    totals, want = fast.totals(), slow.totals()
    assert totals == {k: v for k, v in want.items() if k in totals} and not any(v for k, v in want.items() if k not in totals)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=CHARS + "\U0001f600\U0001d7d9", min_size=1, max_size=40), st.data())
def test_the_tokens_of_a_big_call_are_the_tokenizers(text, data):
    """Tokens found from a class per character (astral ones too: an emoji, a mathematical
    digit) are ``token_spans`` of every sentence, adjacent sentences and gaps included."""
    import numpy as np

    from benchmark.text import token_spans
    from benchmark.vectorized import _tokens

    cuts = sorted(set(data.draw(st.lists(st.integers(0, len(text)), max_size=6)) + [0, len(text)]))
    bounds = [(a, b) for a, b in zip(cuts, cuts[1:]) if data.draw(st.booleans())]
    bounds = [(a, max(a + 1, b - data.draw(st.sampled_from([0, 0, 1])))) for a, b in bounds]
    starts = np.array([a for a, _ in bounds], dtype=np.int64)
    ends = np.array([b for _, b in bounds], dtype=np.int64)
    tok_s, tok_e = _tokens(text, starts, ends)
    assert list(zip(tok_s.tolist(), tok_e.tolist())) == [t for a, b in bounds for t in token_spans(text, a, b)]


def test_the_numpy_path_applies_only_where_global_coordinates_hold():
    """Overlapping or unordered sentences, or items that do not follow on, keep a call on
    the per-document path."""
    from benchmark import vectorized
    from benchmark.predictions import EntityColumns

    def index(bounds):
        return gold_index(Document(id="d", title="", text="x" * 50, language="en", source="t",
                                   sentences=[{"start": s, "end": e} for s, e in bounds],
                                   entities=[], clusters=[], quotes=[]))

    none = EntityColumns([], [], [], [])
    assert vectorized.applies([(0, index([(0, 10), (10, 50)]), none), (2, index([(0, 50)]), none)])
    assert not vectorized.applies([(0, index([(0, 20), (10, 50)]), none)])
    assert not vectorized.applies([(0, index([(10, 50), (0, 5)]), none)])
    assert not vectorized.applies([(0, index([(0, 50)]), none), (2, index([(0, 50)]), none)])


# --- quotes, cues and attribution: the shortcuts of the per-document path against plain definitions

_QSPAN = st.integers(0, 60).flatmap(lambda s: st.integers(s + 1, s + 25).map(lambda e: Segment(s, e)))


@settings(max_examples=400, deadline=None)
@given(st.lists(_QSPAN, max_size=8), st.lists(_QSPAN, max_size=8))
def test_overlapping_pairs_are_every_pair_that_shares_a_character(gold, pred):
    """The sweep (predictions presorted, a running maximum of ends) finds each overlapping
    pair once and no other."""
    from benchmark.spans import overlapping_pairs, overlaps

    got = overlapping_pairs(gold, pred)
    assert len(got) == len(set(got))
    assert sorted(got) == [(i, j) for i, g in enumerate(gold) for j, p in enumerate(pred) if overlaps(g, p)]


def _plain_pair_stats(st, prefix, pairs, g_item, p_item, g_cat=None, p_cat=None):
    from benchmark.metrics import _ColumnsOf

    tp, ng, np_ = (st.column(f"{prefix}.{k}") for k in ("tp", "ng", "np"))
    matched_p = {j: i for i, j in pairs}
    p_item = [g_item[matched_p[j]] if j in matched_p else it for j, it in enumerate(p_item)]
    for i, _ in pairs:
        tp[g_item[i]] += 1
    for it in g_item:
        ng[it] += 1
    for it in p_item:
        np_[it] += 1
    if g_cat is None:
        return
    head, _, metric = prefix.partition(".")
    tp_c, ng_c, np_c = (_ColumnsOf(st, f"{head}.%s.{metric}.{k}") for k in ("tp", "ng", "np"))
    for i, _ in pairs:
        tp_c[g_cat[i]][g_item[i]] += 1
    for i, it in enumerate(g_item):
        ng_c[g_cat[i]][it] += 1
    for j, it in enumerate(p_item):
        cat = g_cat[matched_p[j]] if j in matched_p else (p_cat[j] if p_cat else None)
        if cat is not None:
            np_c[cat][it] += 1


_QTYPES = [None, "direct", "indirect", "mixed"]


@st.composite
def _pred_quotes(draw):
    from benchmark.predictions import PQuote, PSpan, _cluster_speaker
    from scoring_support import shifted

    clusters = [c.id for c in DOC.clusters] or ["c"]
    out = []
    anchors = [(q.start, q.end, q.cue) for q in DOC.quotes]
    for _ in range(draw(st.integers(0, 6))):  # spurious ones, often overlapping several
        s = draw(st.integers(0, N - 2))
        anchors.append((s, draw(st.integers(s + 1, min(N, s + 400))), None))
    for s, e, cue in anchors:
        if draw(st.integers(0, 4)) == 0:
            continue
        for _ in range(draw(st.sampled_from([1, 1, 1, 2]))):  # sometimes twice (competing)
            span = PSpan(*draw(shifted(s, e, 40))) if draw(st.integers(0, 9)) else PSpan(None, None, "x")
            c = None
            kind = draw(st.integers(0, 3))
            if kind == 1 and cue is not None:
                c = PSpan(*draw(shifted(cue.start, cue.end, 3)))
            elif kind == 2:
                c = PSpan(None, None, "y")
            elif kind == 3:
                a = draw(st.integers(0, N - 2))
                c = PSpan(a, draw(st.integers(a + 1, min(N, a + 8))))
            sp = draw(st.sampled_from([None, "gold", "other"]))
            speaker = (None if sp is None else
                       _cluster_speaker(draw(st.sampled_from(clusters))) if sp == "gold" else _cluster_speaker("zz"))
            out.append(PQuote(span, draw(st.sampled_from(_QTYPES)), c, speaker))
    return draw(st.permutations(out))


def _columns(stats):
    return [(k, sorted((i, type(v).__name__, v) for i, v in c.items())) for k, c in stats.cols.items()]


_CATS = st.sampled_from(["direct", "indirect", "mixed"])


@st.composite
def _matchings(draw):
    """Gold and predicted items and categories, and a one-to-one matching between them."""
    n_g, n_p = draw(st.integers(0, 6)), draw(st.integers(0, 6))
    g_item = draw(st.lists(st.integers(0, 4), min_size=n_g, max_size=n_g))
    p_item = draw(st.lists(st.integers(0, 4), min_size=n_p, max_size=n_p))
    g_cat = draw(st.lists(_CATS, min_size=n_g, max_size=n_g))
    p_cat = draw(st.lists(st.one_of(st.none(), _CATS), min_size=n_p, max_size=n_p))
    js = draw(st.permutations(range(n_p)))
    pairs = [(i, j) for i, j in zip(draw(st.permutations(range(n_g))), js) if draw(st.booleans())]
    return pairs, g_item, p_item, g_cat, p_cat


@settings(max_examples=300, deadline=None)
@given(st.lists(_matchings(), min_size=1, max_size=3), st.booleans())
def test_pair_columns_equal_the_plain_definition(matchings, with_categories):
    """``_pair_stats`` (columns looked up once per Stats and prefix, matched predictions moved
    to their gold's item in place) adds what the plain definition adds, call after call."""
    from benchmark.metrics import Stats, _pair_stats

    slow, fast = Stats(5), Stats(5)
    for pairs, g_item, p_item, g_cat, p_cat in matchings:
        for prefix in ("q.exact", "q.overlap"):
            cats = (g_cat, p_cat) if with_categories else ()
            _plain_pair_stats(slow, prefix, pairs, g_item, p_item, *cats)
            before = list(p_item)
            _pair_stats(fast, prefix, pairs, g_item, p_item, *cats)
            assert p_item == before  # the caller's list is left alone
    assert _columns(fast) == _columns(slow)


def _typed_values(stats) -> dict:
    """Every column with a non-zero value: its per-item values with their types."""
    return {k: [(type(v).__name__, v) for v in stats.values(k)] for k in stats.keys() if any(stats.values(k))}


@settings(max_examples=200, deadline=None)
@given(st.lists(_pred_quotes(), min_size=1, max_size=4))
def test_quote_columns_of_a_big_call_equal_the_per_document_path(docs):
    """The numpy path for quotes (exact pairs by occurrence, overlapping pairs by a sweep,
    isolated pairs matched in closed form and competing ones by the greedy rule, the
    proportional scores, cues, speakers) adds the per-document columns, floats to the last bit."""
    from benchmark import vectorized
    from benchmark.metrics import Stats, quote_stats

    g = gold_index(DOC)
    n = len(DOC.sentences)
    batch = [(k * n, g, quotes) for k, quotes in enumerate(docs)]
    slow, fast = Stats(n * len(docs)), Stats(n * len(docs))
    quote_stats(slow, batch)
    vectorized.quote_stats(fast, batch)
    assert _typed_values(fast) == _typed_values(slow)
    totals, want = fast.totals(), slow.totals()
    assert totals == {k: v for k, v in want.items() if k in totals} and not any(v for k, v in want.items() if k not in totals)


def _even_document():
    """Gold quotes of one length (10) and different types, so that a prediction often
    covers two of them by equal shares (the tie rule of the proportional scores)."""
    from benchmark.schema import Cluster, Quote, TextSpan

    text = ("قال زيد إن الأمر صعب. " * 8)[:120]
    quotes = [Quote(id=f"q{i}", start=s, end=s + 10, text=text[s:s + 10], type=("direct", "indirect", "mixed")[i % 3],
                    cue=TextSpan(start=s + 10, end=s + 12, text=text[s + 10:s + 12]), speaker=f"c{i % 2}",
                    speaker_mention=None, speaker_kind=("named", "nominal", "implicit")[i % 3])
              for i, s in enumerate((0, 15, 30, 45, 60, 75))]
    clusters = [Cluster(id=f"c{k}", name=f"n{k}", name_en=f"n{k}", label="PER", aliases=[]) for k in range(2)]
    return Document(id="even", title="", text=text, language="ar", source="t",
                    sentences=[{"start": 0, "end": 58}, {"start": 60, "end": 120}], entities=[],
                    clusters=clusters, quotes=quotes)


_EVEN = _even_document()
_EVEN_SPAN = st.integers(0, 110).flatmap(lambda s: st.integers(s + 1, min(120, s + 40)).map(lambda e: (s, e)))


@st.composite
def _even_quotes(draw):
    from benchmark.predictions import PQuote, PSpan, _cluster_speaker

    out = []
    for _ in range(draw(st.integers(0, 8))):
        span = PSpan(*draw(_EVEN_SPAN)) if draw(st.integers(0, 7)) else PSpan(None, None, "x")
        cue = draw(st.one_of(st.none(), _EVEN_SPAN.map(lambda t: PSpan(*t)), st.just(PSpan(None, None, "y"))))
        spk = draw(st.sampled_from([None, "c0", "c1", "zz"]))
        out.append(PQuote(span, draw(st.sampled_from(_QTYPES)), cue, spk and _cluster_speaker(spk)))
    return out


@settings(max_examples=300, deadline=None)
@given(st.lists(_even_quotes(), min_size=1, max_size=3))
def test_quote_columns_of_a_big_call_break_ties_as_the_per_document_path(docs):
    """Equal proportional shares go to the first gold quote, whose type the prediction takes."""
    from benchmark import vectorized
    from benchmark.metrics import Stats, quote_stats

    g = gold_index(_EVEN)
    batch = [(2 * k, g, quotes) for k, quotes in enumerate(docs)]
    slow, fast = Stats(2 * len(docs)), Stats(2 * len(docs))
    quote_stats(slow, batch)
    vectorized.quote_stats(fast, batch)
    assert _typed_values(fast) == _typed_values(slow)
