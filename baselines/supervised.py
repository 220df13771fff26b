"""The ``supervised`` baseline: a logistic-regression token tagger for entity and quote IOB
tags, trained on the gold's ``sentences`` config and scored by k-fold cross-validation.

The gold is a single article, so a score on it is only honest when every sentence is
predicted by a model that never saw it: :func:`cross_validated_predictions` trains one
model per fold (sentence ``i`` is in fold ``i % k``) and predicts each sentence with the
model of its fold. :meth:`SupervisedBaseline.predict` does this for a gold document and
uses a model trained on every gold sentence for any other text. Features are generic
(word, clitic-stripped form, affixes, quotation-mark state, distance to a reporting cue,
the generic tagger's label from the document's shared analysis, neighbours); speakers come
from the cue-rules linker.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from .analysis import Analysis, analyse
from .arabic import normalize, stems
from .base import Prediction, Speaker
from .cue_rules import attribute_with_linker
from .entities import Token
from .lexicon import complementizers, cues, word_set
from .quotes import PAIRS, QUOTE_MARKS

K_FOLDS = 5
_OPENERS = set(PAIRS)
_CLOSERS = {c for cs in PAIRS.values() for c in cs}


# -- features -----------------------------------------------------------------------
def _bucket(d: int | None) -> str:
    if d is None:
        return "none"
    return str(d) if d <= 3 else ("4-6" if d <= 6 else ("7-12" if d <= 12 else "far"))


def sentence_features(tokens: list[str], tagger_tags: list[str]) -> list[dict[str, Any]]:
    """One feature dict per token of a sentence."""
    cue_forms = cues()
    comp_words = {seq[-1] for seq in complementizers()}
    titles = word_set("titles.txt")
    given = word_set("given_names.txt")
    n = len(tokens)
    norms = [normalize(t) for t in tokens]
    conj = [[s for _, s in stems(t, prepositions=False)] for t in tokens]
    allst = [[s for _, s in stems(t)] for t in tokens]
    is_cue = [any(s in cue_forms for s in c) for c in conj]
    inside, state, opener = [], False, None
    for t in tokens:
        if state and opener and t in PAIRS[opener]:
            inside.append("close")
            state = False
        elif not state and t in _OPENERS:
            inside.append("open")
            state, opener = True, t
        else:
            inside.append("in" if state else "out")
    feats = []
    last_cue, seen_comp = None, False
    for i, tok in enumerate(tokens):
        if is_cue[i]:
            last_cue, seen_comp = i, False
        if norms[i] in comp_words and last_cue is not None:
            seen_comp = True
        stem = allst[i][-1]
        nxt_cue = next((j - i for j in range(i + 1, n) if is_cue[j]), None)
        f: dict[str, Any] = {
            "bias": 1.0, "w": norms[i], "stem": stem, "p2": stem[:2], "p3": stem[:3], "s2": stem[-2:],
            "s3": stem[-3:], "al": stem.startswith("ال"), "clitic": len(allst[i]) > 1,
            "punct": not tok[:1].isalpha(), "mark": tok in QUOTE_MARKS, "quote_state": inside[i],
            "cue": is_cue[i], "cue_before": _bucket(None if last_cue is None else i - last_cue),
            "cue_after": _bucket(nxt_cue), "comp_seen": seen_comp, "comp": norms[i] in comp_words,
            "title": any(s in titles for s in allst[i]), "given": any(s in given for s in allst[i]),
            "tagger": tagger_tags[i], "first": i == 0, "to_end": _bucket(n - 1 - i),
        }
        for d in (-2, -1, 1, 2):
            j = i + d
            if 0 <= j < n:
                f[f"w{d:+d}"] = norms[j]
                f[f"tagger{d:+d}"] = tagger_tags[j]
                f[f"cue{d:+d}"] = is_cue[j]
                f[f"state{d:+d}"] = inside[j]
            else:
                f[f"w{d:+d}"] = "<pad>"
        feats.append(f)
    return feats


def tagger_tags(doc: Analysis, starts: list[int], ends: list[int]) -> list[str]:
    """IOB tags of the analysis' entity mentions over the tokens ``[starts[i], ends[i])``
    (document offsets): a token overlapping a mention takes its label, B- on the first.

    >>> doc = analyse("وقال خوسيه دا كوستا في مدريد")
    >>> tagger_tags(doc, [0, 5, 11, 14, 20, 23], [4, 10, 13, 19, 22, 28])
    ['O', 'B-PER', 'I-PER', 'I-PER', 'O', 'B-GPE']
    """
    mentions = doc.mentions
    mention_starts = [m.start for m in mentions]
    tags, previous = [], None
    for a, b in zip(starts, ends):
        i = bisect_right(mention_starts, b - 1) - 1  # the last mention starting before the token ends
        m = mentions[i] if i >= 0 and mentions[i].end > a else None
        tags.append("O" if m is None else ("I-" if m is previous else "B-") + m.label)
        previous = m
    return tags


def row_features(row: dict, doc: Analysis) -> list[dict[str, Any]]:
    """Features of a ``sentences`` row, ``doc`` the analysis of its document."""
    return sentence_features(row["tokens"], tagger_tags(doc, row["token_starts"], row["token_ends"]))


def _tags(values: list, names: tuple[str, ...]) -> list[str]:
    return [names[v] if isinstance(v, int) else v for v in values]


# -- model --------------------------------------------------------------------------
@dataclass
class TokenTagger:
    """Two logistic-regression classifiers (entity tags, quote tags) over shared features.
    ``trained_on`` records the sentence ids it was fitted on."""

    trained_on: frozenset[str] = frozenset()
    _vec: Any = None
    _ner: Any = None
    _quote: Any = None

    @classmethod
    def fit(cls, rows: list[dict], docs: Mapping[str, Analysis]) -> "TokenTagger":
        """Fit on ``rows``; ``docs`` maps each row's ``document_id`` to its document's analysis."""
        from sklearn.feature_extraction import DictVectorizer

        from benchmark.dataset import NER_TAGS, QUOTE_TAGS

        X, y_ner, y_q = [], [], []
        for r in rows:
            X.extend(row_features(r, docs[r["document_id"]]))
            y_ner.extend(_tags(r["ner_tags"], NER_TAGS))
            y_q.extend(_tags(r["quote_tags"], QUOTE_TAGS))
        vec = DictVectorizer(sparse=True)
        Xm = _int32(vec.fit_transform(X))
        model = cls(trained_on=frozenset(r["id"] for r in rows), _vec=vec)
        model._ner = cls._fit_one(Xm, y_ner)
        model._quote = cls._fit_one(Xm, y_q)
        return model

    @staticmethod
    def _fit_one(X, y):
        from sklearn.linear_model import SGDClassifier

        labels = sorted(set(y))
        if len(labels) == 1:
            return labels[0]
        # logistic regression fitted by SGD: deterministic (fixed seed), well under a second
        return SGDClassifier(loss="log_loss", alpha=1e-4, max_iter=50, tol=None, random_state=0).fit(X, y)

    def tag(self, feats: list[dict]) -> tuple[list[str], list[str]]:
        if not feats:
            return [], []
        X = _int32(self._vec.transform(feats))
        ner = [self._ner] * len(feats) if isinstance(self._ner, str) else list(self._ner.predict(X))
        quo = [self._quote] * len(feats) if isinstance(self._quote, str) else list(self._quote.predict(X))
        return ner, quo


def _int32(X):
    X = X.tocsr()
    X.indices = X.indices.astype("int32")
    X.indptr = X.indptr.astype("int32")
    return X


def decode_iob(tags: list[str]) -> list[tuple[int, int, str]]:
    """Token spans ``(first, last_exclusive, type)`` of IOB2 tags (a stray I- starts a span).

    >>> decode_iob(["B-PER", "I-PER", "O", "I-ORG"])
    [(0, 2, 'PER'), (3, 4, 'ORG')]
    """
    out, cur = [], None
    for i, t in enumerate(tags + ["O"]):
        kind = t[2:] if t != "O" else None
        if cur is not None and (t == "O" or t.startswith("B-") or kind != cur[2]):
            out.append((cur[0], i, cur[2]))
            cur = None
        if kind is not None and cur is None:
            cur = [i, i + 1, kind]
    return out


def _entity_start(doc: Analysis, k: int) -> int:
    """Start of an entity whose first token is token ``k``: after proclitics only when the
    rest is a word the tagger or the text attests (a tagger mention starting there, or the
    rest standing alone elsewhere in the text), so no span cuts a word (وليد stays whole)."""
    tok = doc.tokens[k]
    m = doc.mention_at.get(k)
    if m is not None:
        return m.start
    bare = doc.bare_words
    for off, stem in tok.readings[1:]:
        if off and stem in bare:
            return tok.start + off
    return tok.start


def _predict_sentence(model: TokenTagger, doc: Analysis, starts: list[int],
                      ends: list[int]) -> tuple[list[dict], list[dict]]:
    """Entities and quotes of one sentence, its tokens ``[starts[i], ends[i])``."""
    text = doc.text
    tokens = [text[a:b] for a, b in zip(starts, ends)]
    ner, quo = model.tag(sentence_features(tokens, tagger_tags(doc, starts, ends)))
    ents, quotes = [], []
    for a, b, lab in decode_iob(ner):
        s = _entity_start(doc, doc.token_at(starts[a]))
        if s < ends[b - 1]:
            ents.append({"start": s, "end": ends[b - 1], "label": lab})
    for a, b, typ in decode_iob(quo):
        while a < b and tokens[a] in QUOTE_MARKS:
            a += 1
        while b > a and (tokens[b - 1] in QUOTE_MARKS and not any(t in _OPENERS for t in tokens[a:b - 1])
                         or tokens[b - 1] in (".", "،", ",", ":")):
            b -= 1
        if b > a:
            quotes.append({"start": starts[a], "end": ends[b - 1], "type": typ.lower()})
    return ents, quotes


def _finish(document_id: str, doc: Analysis, ents: list[dict], quotes: list[dict]) -> Prediction:
    """Add cues and speakers (cue-rules linker) to predicted quotes."""
    text = doc.text
    quotes = sorted(quotes, key=lambda q: q["start"])
    speakers = attribute_with_linker(doc, quotes)
    out = []
    for q, sp in zip(quotes, speakers):
        before = [c for c in doc.cues if c.end <= q["start"] and text[c.end:q["start"]].count(".") == 0]
        after = [c for c in doc.cues if c.start >= q["end"] and c.start - q["end"] <= 12]
        cue = before[-1] if before else (after[0] if after else None)
        out.append({"start": q["start"], "end": q["end"], "type": q["type"],
                    "cue": {"start": cue.start, "end": cue.end} if cue else None, "speaker": sp})
    return {"document_id": document_id, "entities": sorted(ents, key=lambda e: e["start"]), "quotes": out}


def predict_text(model: TokenTagger, document_id: str, text: str) -> Prediction:
    """Predict any text with one model, sentence by sentence (the analysis' sentences and tokens)."""
    doc = analyse(text)
    sentences: dict[int, list[Token]] = {}
    for t in doc.tokens:
        sentences.setdefault(t.sentence, []).append(t)
    ents, quotes = [], []
    for toks in sentences.values():
        e, q = _predict_sentence(model, doc, [t.start for t in toks], [t.end for t in toks])
        ents += e
        quotes += q
    return _finish(document_id, doc, ents, quotes)


# -- cross-validation ---------------------------------------------------------------
def fold_of(index: int, k: int = K_FOLDS) -> int:
    """The fold of the ``index``-th sentence (deterministic round robin)."""
    return index % k


@dataclass
class CrossValidation:
    """The cross-validated prediction of one document and, per sentence id, the model
    (its ``trained_on`` ids) that predicted it."""

    prediction: Prediction
    fold_of_sentence: dict[str, int] = field(default_factory=dict)
    trained_on: dict[int, frozenset[str]] = field(default_factory=dict)


def cross_validated_predictions(sentences_rows: list[dict], text: str, document_id: str,
                                k: int = K_FOLDS, training_rows: list[dict] | None = None,
                                texts: Mapping[str, str] | None = None) -> CrossValidation:
    """Predict ``document_id`` sentence by sentence with models that never saw the sentence.

    ``sentences_rows`` are this document's rows of the ``sentences`` config (in order);
    ``training_rows`` (default: the same rows) is the pool to train on; a row of this
    document is left out of the model of its own fold, rows of other documents are
    always used. ``texts`` maps the other documents of the pool to their text (features
    come from each document's analysis)."""
    rows = sorted(sentences_rows, key=lambda r: r["start"])
    pool = training_rows if training_rows is not None else rows
    fold = {r["id"]: fold_of(i, k) for i, r in enumerate(rows)}
    own = rows[0]["document_id"] if rows else document_id
    docs = document_analyses(pool, {**(texts or {}), own: text})
    doc = docs.get(own) or analyse(text)
    ents, quotes = [], []
    cv = CrossValidation(prediction={}, fold_of_sentence=fold)
    for f in range(min(k, len(rows))):
        train = [r for r in pool if fold.get(r["id"], -1) != f]
        test = [r for r in rows if fold[r["id"]] == f]
        model = TokenTagger.fit(train, docs)
        cv.trained_on[f] = model.trained_on
        for r in test:
            e, q = _predict_sentence(model, doc, r["token_starts"], r["token_ends"])
            ents += e
            quotes += q
    cv.prediction = _finish(document_id, doc, ents, quotes)
    return cv


# -- training data and the baseline -------------------------------------------------
def _sentences_file(path: str | Path | None) -> Path:
    if path is None:
        from benchmark.gold import bundled_gold_dir

        return bundled_gold_dir() / "data" / "sentences.jsonl"
    return Path(path)


def load_sentence_rows(path: str | Path | None = None) -> list[dict]:
    """Rows of the gold's ``sentences`` config (``gold/data/sentences.jsonl`` by default)."""
    from benchmark.gold import MAX_DOCUMENTS_BYTES
    from benchmark.safeio import read_jsonl

    return [row for _, row in read_jsonl(_sentences_file(path), MAX_DOCUMENTS_BYTES, "a gold sentences file",
                                         line_limit=MAX_DOCUMENTS_BYTES)]


def load_document_texts(path: str | Path | None = None) -> dict[str, str]:
    """Document id -> text, from the ``documents.jsonl`` beside the sentences file ``path``."""
    from benchmark.gold import read_documents

    return {d.id: d.text for d in read_documents(_sentences_file(path).with_name("documents.jsonl"))}


def document_analyses(rows: list[dict], texts: Mapping[str, str]) -> dict[str, Analysis]:
    """The analysis of each document the rows come from (built once, shared by every fold)."""
    out: dict[str, Analysis] = {}
    for r in rows:
        d = r["document_id"]
        if d not in out:
            if d not in texts:
                raise ValueError(f"training rows of document {d!r} come without its text")
            out[d] = analyse(texts[d])
    return out


@lru_cache(maxsize=2)
def _full_model(path: str | None) -> TokenTagger:
    rows = load_sentence_rows(path)
    return TokenTagger.fit(rows, document_analyses(rows, load_document_texts(path)))


class SupervisedBaseline:
    """Cross-validated token tagger (see module docstring)."""

    name = "supervised"
    description = ("Cross-validated (5-fold over gold sentences) logistic-regression token tagger "
                   "for entities and quotes; speakers by the cue-rules linker.")

    def __init__(self, sentences_path: str | Path | None = None, k: int = K_FOLDS) -> None:
        self.sentences_path = str(sentences_path) if sentences_path is not None else None
        self.k = k
        self._rows: list[dict] | None = None
        self._texts: dict[str, str] | None = None

    def rows(self) -> list[dict]:
        if self._rows is None:
            self._rows = load_sentence_rows(self.sentences_path)
        return self._rows

    def texts(self) -> dict[str, str]:
        """The training documents' texts (read once, as the rows are)."""
        if self._texts is None:
            self._texts = load_document_texts(self.sentences_path)
        return self._texts

    def _own_rows(self, text: str) -> list[dict] | None:
        """The training rows of the document whose text this is (None when not a training document)."""
        by_doc: dict[str, list[dict]] = {}
        for r in self.rows():
            by_doc.setdefault(r["document_id"], []).append(r)
        for rows in by_doc.values():
            if all(r["end"] <= len(text) and text[r["start"]:r["end"]] == r["text"] for r in rows):
                return rows
        return None

    def predict(self, document_id: str, text: str) -> Prediction:
        own = self._own_rows(text)
        if own is not None:
            return cross_validated_predictions(own, text, document_id, self.k, self.rows(), self.texts()).prediction
        return predict_text(_full_model(self.sentences_path), document_id, text)

    def attribute(self, document_id: str, text: str, quotes: list[dict]) -> list[Speaker]:
        return attribute_with_linker(analyse(text), quotes)
