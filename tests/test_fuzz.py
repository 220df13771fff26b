"""Property-based fuzzing of everything that takes input from a stranger.

* the prediction reader, on arbitrary JSON values and bytes per line and on objects with
  the right keys and wrong types: it either reads or raises IsnadError (one line);
* the grounding of text spans: grounded offsets always lie in the document, an exact
  substring always grounds to an occurrence of itself (to the very one its occurrence
  number names), a normalized match covers exactly the normalized query;
* every scorer, on arbitrary spans over the document: every figure in [0, 1], F1 the
  harmonic mean of P and R (0 when P + R = 0), P and R the ratios of the reported counts.
"""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from benchmark.errors import IsnadError
from benchmark.grounding import ground, normalize, normalize_with_map, occurrences
from benchmark.grounding import ground_document
from benchmark.predictions import read_predictions
from benchmark.schema import LABELS, QUOTE_TYPES, PredictionDocument
from benchmark.scoring import align, score
from benchmark.stats import HEADLINE
from scoring_support import DOC, GOLD, N, gold_entities, gold_quotes, random_spans

ID = DOC.id
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# scoring a document takes ~10 ms: fewer examples, and a failure is reported unshrunk (shrinking
# one can take minutes)
SLOW = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                phases=[Phase.explicit, Phase.reuse, Phase.generate])
TMP = Path(tempfile.mkdtemp(prefix="isnad-fuzz-"))

json_scalars = st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.integers() | \
    st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12)
json_values = st.recursive(json_scalars, lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=8), c,
                                                                                            max_size=4), max_leaves=10)


def _outcome(source):
    """("ok", Predictions) or ("error", IsnadError); anything else propagates (a failure)."""
    try:
        return "ok", read_predictions(source, GOLD)
    except IsnadError as exc:
        message = str(exc)
        assert "\n" not in message and "\r" not in message, message
        assert len(message) < 1000, message
        return "error", exc


def _write(name: str, data: bytes) -> Path:
    path = TMP / name
    path.write_bytes(data)
    return path


def _check_read(preds) -> None:
    """What the reader lets through is within the document."""
    for pred in preds.documents.values():
        assert pred.document_id == ID
        spans = [*pred.entities, *pred.quotes, *(q.cue for q in pred.quotes if q.cue is not None),
                 *(q.speaker for q in pred.quotes if q.speaker is not None)]
        for s in spans:
            if s.start is not None:
                assert 0 <= s.start < s.end <= N


# --- the reader ------------------------------------------------------------------------------


@FAST
@given(st.lists(json_values, max_size=4))
def test_reader_on_arbitrary_json_lines(values):
    kind, result = _outcome(_write("values.jsonl", "".join(json.dumps(v) + "\n" for v in values).encode()))
    if kind == "ok":
        _check_read(result)
    if values:  # a list of the same values: the same verdict (an empty file is refused, an empty list is not)
        assert _outcome(values)[0] == kind


@FAST
@given(st.lists(st.binary(max_size=40) | st.sampled_from([b"\xef\xbb\xbf", b"\r", b"\x00", b"[", b"{", b"\\ud800"]),
                max_size=8), st.booleans())
def test_reader_on_arbitrary_bytes(chunks, with_doc):
    head = b'{"document_id": "%s"}\n' % ID.encode() if with_doc else b""
    kind, result = _outcome(_write("bytes.jsonl", head + b"".join(chunks)))
    if kind == "ok":
        _check_read(result)


offsets = st.integers(-3, N + 3) | st.integers() | json_scalars
texts = st.text(max_size=10) | st.sampled_from(["", " ", "باريس", "جون كيري", "«حلب»", DOC.text[100:130]]) | json_scalars
span_keys = {"start": offsets, "end": offsets, "text": texts, "occurrence": offsets}
loose_span = st.fixed_dictionaries({}, optional=span_keys)
loose_entity = st.fixed_dictionaries({}, optional={**span_keys, "label": st.sampled_from(LABELS) | json_scalars})
loose_speaker = json_values | st.fixed_dictionaries({}, optional={
    "cluster": st.sampled_from([c.id for c in DOC.clusters]) | json_scalars, "start": offsets, "end": offsets,
    "text": texts})
loose_quote = st.fixed_dictionaries({}, optional={
    **span_keys, "type": st.sampled_from(QUOTE_TYPES) | json_scalars, "cue": loose_span | json_values,
    "speaker": loose_speaker})
loose_document = st.fixed_dictionaries(
    {"document_id": st.just(ID) | json_scalars},
    optional={"entities": st.lists(loose_entity | json_values, max_size=4) | json_values,
              "quotes": st.lists(loose_quote | json_values, max_size=3) | json_values, "extra": json_values})


@FAST
@given(st.lists(loose_document, min_size=1, max_size=2))
def test_reader_on_right_keys_and_wrong_types(docs):
    kind, result = _outcome(docs)
    if kind == "ok":
        _check_read(result)
        _check_report(score(result, GOLD, bootstrap=0).to_dict())
    as_file = _outcome(_write("loose.jsonl", "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs).encode()))
    try:
        json.dumps(docs, allow_nan=False)
    except ValueError:  # NaN or Infinity is no JSON: a file holding one is refused for it
        assert as_file[0] == "error" and as_file[1].message.endswith("is not JSON"), as_file
        return
    assert as_file[0] == kind
    if kind == "error":  # the same problem, named the same way (the file adds its name)
        assert (as_file[1].line, as_file[1].field, as_file[1].message) == (result.line, result.field, result.message)


# --- grounding -------------------------------------------------------------------------------

ALPHABET = "ابتكلمن" + "اأإآٱ" + "ىيةه" + "\u064b\u064e\u0650\u0651\u0652\u0670\u0640" + " \t\n\u00a0" + "\"«»'" + "ab."
doc_texts = st.text(alphabet=ALPHABET, min_size=1, max_size=50) | st.text(min_size=1, max_size=30)
_PERTURB = {"ا": "أ", "أ": "ا", "ي": "ى", "ه": "ة", " ": "  ", "ب": "بَ"}


def _in_bounds(g, text: str) -> None:
    if g.ok:
        assert 0 <= g.start < g.end <= len(text), (g, len(text))
    else:
        assert g.start is None and g.end is None and g.how == "failed"


@FAST
@given(doc_texts, st.data())
def test_an_exact_substring_grounds_to_its_occurrence(text, data):
    i = data.draw(st.integers(0, len(text) - 1))
    j = data.draw(st.integers(i + 1, len(text)))
    query = text[i:j]
    found = occurrences(text, query)
    k = found.index(i)
    assert ground(text, query, k) == ground(text, query, k)  # pure
    g = ground(text, query, k)
    assert (g.start, g.end, g.how) == (i, j, "exact")
    first = ground(text, query)
    assert first.how == "exact" and text[first.start:first.end] == query and first.start == found[0]
    _in_bounds(ground(text, query, len(found) + data.draw(st.integers(0, 3))), text)


@FAST
@given(doc_texts, st.data())
def test_perturbed_queries_ground_within_the_document(text, data):
    i = data.draw(st.integers(0, len(text) - 1))
    j = data.draw(st.integers(i + 1, len(text)))
    how = data.draw(st.sampled_from(["perturb", "quote", "random", "strip"]))
    query = text[i:j]
    if how == "perturb":
        query = "".join(_PERTURB.get(c, c) if data.draw(st.booleans()) else c for c in query)
    elif how == "quote":
        query = "«" + query + "»"
    elif how == "random":
        query = data.draw(st.text(alphabet=ALPHABET, min_size=1, max_size=12) | st.text(min_size=1, max_size=6))
    else:
        query = normalize(query) or query
    occurrence = data.draw(st.none() | st.integers(0, 3))
    g = ground(text, query, occurrence)
    _in_bounds(g, text)
    if g.how == "exact":
        assert text[g.start:g.end] == query
    elif g.how == "normalized":  # the span covers exactly the normalized query (and the marks after it)
        assert normalize_with_map(text[g.start:g.end])[0] == normalize(query)


@FAST
@given(st.lists(st.tuples(st.integers(0, N - 1), st.integers(1, 40), st.booleans()), max_size=6),
       st.lists(st.text(min_size=1, max_size=8), max_size=3))
def test_text_spans_of_the_document_ground_in_it(cuts, junk):
    """Through the reader: text-only spans (the document's own or arbitrary) ground inside it."""
    ents = [{"text": DOC.text[s:s + n], "label": "PER"} if keep else {"text": DOC.text[s:s + n] + "؟؟", "label": "ORG"}
            for s, n, keep in cuts if DOC.text[s:s + n].strip()]
    ents += [{"text": t, "label": "LOC"} for t in junk]
    pred = PredictionDocument.model_validate({"document_id": ID, "entities": ents})
    grounded = ground_document(DOC.text, pred).entities
    assert len(grounded) == len(ents)
    for e, src in zip(grounded, ents):
        assert e.how in ("exact", "normalized", "failed") and e.text == src["text"]
        if e.ok:
            assert 0 <= e.start < e.end <= N
        if e.how == "exact":
            assert DOC.text[e.start:e.end] == src["text"]
        elif e.how == "normalized":
            assert normalize_with_map(DOC.text[e.start:e.end])[0] == normalize(src["text"])
    placed = sorted((e.start, e.end) for e in grounded if e.ok)
    assert all(a[1] <= b[0] for a, b in zip(placed, placed[1:]))  # placed texts never overlap


# --- the scorers -----------------------------------------------------------------------------


def _figures(node, path=""):
    if isinstance(node, dict):
        if {"precision", "recall", "f1"} <= set(node) and not isinstance(node["f1"], list):  # not a "ci"
            yield path, node
        for k, v in node.items():
            yield from _figures(v, f"{path}.{k}" if path else k)


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def _check_report(d: dict, n_entities: int | None = None, n_quotes: int | None = None, n_cues: int | None = None) -> None:
    for path, fig in _figures(d):
        p, r, f = fig["precision"], fig["recall"], fig["f1"]
        for v in (p, r, f):
            assert isinstance(v, float) and 0.0 <= v <= 1.0, (path, fig)
        assert _close(f, 2 * p * r / (p + r) if p + r else 0.0), (path, fig)
        for lo, hi in fig.get("ci", {}).values():
            assert 0.0 <= lo <= hi <= 1.0, (path, fig["ci"])
    assert 0.0 <= d["attribution"]["accuracy_on_matched"] <= 1.0
    ratio = lambda a, b: a / b if b else 0.0  # noqa: E731
    for scheme, c in d["entities"]["counts"].items():
        if scheme == "seqeval":
            assert 0 <= c["correct"] <= min(c["predicted"], c["gold"])
            fig = d["entities"]["seqeval"]
            assert _close(fig["precision"], ratio(c["correct"], c["predicted"]))
            assert _close(fig["recall"], ratio(c["correct"], c["gold"]))
            continue
        assert c["ACT"] == c["COR"] + c["INC"] + c["PAR"] + c["SPU"], (scheme, c)
        assert c["POS"] == c["COR"] + c["INC"] + c["PAR"] + c["MIS"], (scheme, c)
        assert c["POS"] == len(DOC.entities), (scheme, c)
        if n_entities is not None:
            assert c["ACT"] == n_entities, (scheme, c)
        hits = c["COR"] + 0.5 * c["PAR"] if scheme == "partial" else c["COR"]
        fig = d["entities"][scheme]
        assert _close(fig["precision"], ratio(hits, c["ACT"])), (scheme, c, fig)
        assert _close(fig["recall"], ratio(hits, c["POS"])), (scheme, c, fig)
    for layer, metrics, n in (("quotes", ("exact", "exact_typed", "overlap"), n_quotes),
                              ("cues", ("exact", "overlap", "linked"), n_cues)):
        for m in metrics:
            c = d[layer]["counts"][m]
            assert 0 <= c["matched"] <= min(c["predicted"], c["gold"]), (layer, m, c)
            assert c["gold"] == len(DOC.quotes)
            if n is not None:
                assert c["predicted"] == n, (layer, m, c)
            fig = d[layer][m]
            assert _close(fig["precision"], ratio(c["matched"], c["predicted"])), (layer, m, c, fig)
            assert _close(fig["recall"], ratio(c["matched"], c["gold"])), (layer, m, c, fig)
    c = d["attribution"]["counts"]
    assert 0 <= c["correct"] <= c["matched"] <= min(c["predicted"], c["gold"]), c
    fig = d["attribution"]["end_to_end"]
    assert _close(fig["precision"], ratio(c["correct"], c["predicted"])), (c, fig)
    assert _close(fig["recall"], ratio(c["correct"], c["gold"])), (c, fig)
    assert _close(d["attribution"]["accuracy_on_matched"], ratio(c["correct"], c["matched"]))
    for t, row in d["quotes"]["per_type"].items():
        assert 0 <= row["gold"] <= len(DOC.quotes)
    assert sum(row["gold"] for row in d["quotes"]["per_type"].values()) == len(DOC.quotes)


anywhere = st.integers(0, N - 1).flatmap(lambda s: st.tuples(st.just(s), st.integers(s + 1, min(N, s + 80))))
CLUSTERS = [c.id for c in DOC.clusters]
NAMES = [c.name for c in DOC.clusters] + [a for c in DOC.clusters for a in c.aliases] + ["نكرة", "x"]


@st.composite
def speakers(draw):
    kind = draw(st.sampled_from(["none", "cluster", "span", "text"]))
    if kind == "none":
        return None
    if kind == "cluster":
        return {"cluster": draw(st.sampled_from(CLUSTERS))}
    if kind == "span":
        s, e = draw(anywhere)
        return {"start": s, "end": e}
    return {"text": draw(st.sampled_from(NAMES) | st.text(min_size=1, max_size=8))}


@st.composite
def text_or_offsets(draw, s: int, e: int) -> dict:
    if draw(st.integers(0, 4)):
        return {"start": s, "end": e}
    t = DOC.text[s:e]
    if not t.strip() or draw(st.integers(0, 3)) == 0:
        return {"text": draw(st.text(min_size=1, max_size=10))}  # mostly ungrounded: a false positive
    return {"text": t, "occurrence": occurrences(DOC.text, t).index(s)}


@st.composite
def predictions(draw):
    ents = draw(random_spans(gold_entities(), spurious=10))
    ents += [(s, e, draw(st.sampled_from(LABELS))) for s, e in draw(st.lists(anywhere, max_size=4))]
    entities = [{**draw(text_or_offsets(s, e)), "label": lab} for s, e, lab in ents]
    quotes = []
    for s, e, typ in draw(random_spans(gold_quotes(), labels=QUOTE_TYPES, spurious=4)):
        q = {**draw(text_or_offsets(s, e))}
        if draw(st.booleans()):
            q["type"] = typ
        if draw(st.integers(0, 3)):
            cs, ce = draw(st.sampled_from([(g.cue.start, g.cue.end) for g in DOC.quotes]) | anywhere)
            q["cue"] = draw(text_or_offsets(cs, ce))
        q["speaker"] = draw(speakers())
        quotes.append(q)
    return {"document_id": ID, "entities": entities, "quotes": quotes}


@SLOW
@given(predictions(), st.sampled_from([0, 0, 0, 20]))
def test_every_scorer_stays_in_bounds_and_consistent(pred, bootstrap):
    try:
        report = score([pred], GOLD, bootstrap=bootstrap, seed=1)
    except IsnadError:
        return
    d = report.to_dict()
    if bootstrap:
        assert all("ci" in d["entities"][s] for s in ("strict", "exact", "partial", "type"))
    _check_report(d, n_entities=len(pred["entities"]), n_quotes=len(pred["quotes"]),
                  n_cues=sum("cue" in q for q in pred["quotes"]))
    g = d["grounding"]
    assert g["text_spans"] == g["exact"] + g["normalized"] + g["failed"]
    # the bootstrap's per-sentence sums add up to the figures
    scoring = align([pred], GOLD)
    sums = scoring.items.values.sum(axis=0)
    for f, name in enumerate(HEADLINE):
        t = scoring.stats.figure(name)
        assert sums[f] == pytest.approx([t.hit_p, t.predicted, t.hit_r, t.gold]), name
        assert (scoring.items.values[:, f, 0] <= scoring.items.values[:, f, 1] + 1e-9).all(), name


@SLOW
@given(st.lists(st.tuples(anywhere, st.sampled_from(LABELS)), max_size=30),
       st.lists(st.tuples(anywhere, st.sampled_from(QUOTE_TYPES), anywhere, speakers()), max_size=12))
def test_dense_random_spans_anywhere(ents, quotes):
    """Overlapping, nested and duplicated spans anywhere in the document."""
    pred = {"document_id": ID, "entities": [{"start": s, "end": e, "label": lab} for (s, e), lab in ents],
            "quotes": [{"start": s, "end": e, "type": t, "cue": {"start": cs, "end": ce}, "speaker": spk}
                       for (s, e), t, (cs, ce), spk in quotes]}
    d = score([pred], GOLD, bootstrap=0).to_dict()
    _check_report(d, n_entities=len(ents), n_quotes=len(quotes), n_cues=len(quotes))


CUE_ACROSS_SENTENCES = [  # predicted cues starting in another sentence than the gold cue they match
    (264, 402, 257, 263), (499, 588, 445, 448), (596, 620, 590, 595), (688, 792, 624, 628), (800, 838, 796, 799),
    (911, 961, 903, 906), (1295, 1361, 1229, 1233), (1501, 1586, 2595, 2635), (2685, 2923, 3395, 3401),
    (3399, 3458, 3392, 3396), (3480, 3574, 3463, 3466)]


def test_cue_intervals_stay_in_bounds():
    # a matched pair's prediction is counted on its gold's bootstrap item, so no resample
    # holds more matches than predictions (it once did: an upper bound of 1.31)
    pred = {"document_id": ID, "quotes": [{"start": s, "end": e, "cue": {"start": cs, "end": ce}}
                                          for s, e, cs, ce in CUE_ACROSS_SENTENCES]}
    d = score([pred], GOLD, bootstrap=50, seed=1).to_dict()
    for m in ("exact", "overlap"):
        for lo, hi in d["cues"][m]["ci"].values():
            assert 0.0 <= lo <= hi <= 1.0, (m, d["cues"][m]["ci"])
