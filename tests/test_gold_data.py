"""The compiled gold: the seed is pinned, every span is its slice, tags agree with spans."""

from __future__ import annotations

import hashlib
import json

import pytest

from benchmark import load_gold
from benchmark.dataset import CONFIGS, NER_TAGS, QUOTE_TAGS
from benchmark.goldbuild import check, validate_document
from benchmark.text import tokenize

SEED = "000_017b6ea0ad0b3e21"
SEED_SHA256 = "2746622b5d8474d48d0bb55032932b703f6bfd1ef239f57d58b48145dc3c6d74"


def test_seed_is_pinned(root):
    assert hashlib.sha256((root / "seeds" / f"{SEED}.txt").read_bytes()).hexdigest() == SEED_SHA256


def test_document_text_is_the_seed_exactly(root):
    doc = load_gold().document(SEED)
    assert doc.text == (root / "seeds" / f"{SEED}.txt").read_bytes().decode("utf-8")
    assert "الاحتماع" in doc.text and "أسوا" in doc.text  # typos kept


def test_gold_check_passes(root):
    assert check(root) == []


def test_every_span_is_its_slice():
    doc = load_gold().document(SEED)
    spans = list(doc.entities) + list(doc.quotes) + [q.cue for q in doc.quotes]
    spans += [q.speaker_mention for q in doc.quotes if q.speaker_mention]
    assert len(spans) > 100
    for s in spans:
        assert 0 <= s.start < s.end <= len(doc.text)
        assert doc.text[s.start:s.end] == s.text
    assert validate_document(doc) == []


def test_layers_are_consistent():
    doc = load_gold().document(SEED)
    clusters = {c.id: c for c in doc.clusters}
    for m in doc.entities:
        assert clusters[m.cluster].label == m.label
        assert m.text in clusters[m.cluster].aliases
    for q in doc.quotes:
        assert q.speaker in clusters
        assert (q.speaker_mention is None) == (q.speaker_kind.value == "implicit")
        if q.speaker_mention is not None:
            assert q.speaker_mention.text in clusters[q.speaker].aliases
    ordered = sorted(doc.quotes, key=lambda q: q.start)
    assert all(a.end <= b.start for a, b in zip(ordered, ordered[1:]))
    ents = sorted(doc.entities, key=lambda m: m.start)
    assert all(a.end <= b.start for a, b in zip(ents, ents[1:]))


def _rows(root, config):
    return [json.loads(line) for line in (root / "gold" / "data" / f"{config}.jsonl").read_text(encoding="utf-8").splitlines()]


def _expected_tags(tokens, spans):
    # independent restatement: walk spans, tag the tokens each overlaps, B- on the first
    tags = ["O"] * len(tokens)
    for start, end, tag in spans:
        hit = [k for k, (a, b) in enumerate(tokens) if a < end and start < b]
        assert hit, "every span covers at least one token"
        for n, k in enumerate(hit):
            assert tags[k] == "O", "gold spans never share a token"
            tags[k] = ("B-" if n == 0 else "I-") + tag
    return tags


def test_token_tags_agree_with_spans(root):
    doc = load_gold().document(SEED)
    rows = _rows(root, "sentences")
    assert len(rows) == len(doc.sentences) == 22
    n_b_ner = n_b_quote = 0
    for row, sent in zip(rows, doc.sentences):
        toks = list(zip(row["token_starts"], row["token_ends"]))
        assert [doc.text[a:b] for a, b in toks] == row["tokens"]
        assert toks == [(t.start, t.end) for t in tokenize(doc.text, sent.start, sent.end)]
        ents = [(m.start, m.end, m.label.value) for m in doc.entities if sent.start <= m.start < sent.end]
        quotes = [(q.start, q.end, q.type.value.upper()) for q in doc.quotes if sent.start <= q.start < sent.end]
        assert row["ner_tags"] == _expected_tags(toks, ents)
        assert row["quote_tags"] == _expected_tags(toks, quotes)
        assert set(row["ner_tags"]) <= set(NER_TAGS) and set(row["quote_tags"]) <= set(QUOTE_TAGS)
        n_b_ner += sum(t.startswith("B-") for t in row["ner_tags"])
        n_b_quote += sum(t.startswith("B-") for t in row["quote_tags"])
    assert n_b_ner == len(doc.entities) and n_b_quote == len(doc.quotes)


def test_flat_configs_match_documents(root):
    doc = load_gold().document(SEED)
    ents, quotes = _rows(root, "entities"), _rows(root, "quotes")
    assert [(r["start"], r["end"], r["label"], r["cluster"]) for r in ents] == \
        [(m.start, m.end, m.label.value, m.cluster) for m in doc.entities]
    for r, q in zip(quotes, doc.quotes, strict=True):
        assert (r["start"], r["end"], r["type"], r["speaker"]) == (q.start, q.end, q.type.value, q.speaker)
        assert doc.text[r["cue_start"]:r["cue_end"]] == r["cue_text"]
        assert r["text"] in r["context"]
        if r["speaker_mention_start"] is None:
            assert r["speaker_kind"] == "implicit"
        else:
            assert doc.text[r["speaker_mention_start"]:r["speaker_mention_end"]] == r["speaker_mention_text"]


@pytest.mark.parametrize("config", CONFIGS)
def test_every_config_has_rows(root, config):
    assert _rows(root, config)


@pytest.mark.parametrize("cluster,start,end", [
    # the surface forms the 1.0 aliases missed (issue 15), at their places in the article
    ("riyad-hijab", 2041, 2062), ("brita-hagi-hasan", 2080, 2117),
    ("barack-obama", 2794, 2800), ("aleppo", 3921, 3928),
])
def test_aliases_hold_every_description(cluster, start, end):
    doc = load_gold().document(SEED)
    assert doc.text[start:end] in doc.cluster(cluster).aliases


def test_every_alias_occurs_in_the_text():
    doc = load_gold().document(SEED)
    for c in doc.clusters:
        assert all(a in doc.text for a in c.aliases), c.id


def test_the_card_names_the_clusters_without_a_mention(root):
    """The card says which clusters have no mention at all (collective actors without a name,
    known by their aliases) and that none of them is a speaker: the data agrees."""
    import re

    bare, speaking = set(), set()
    for doc in load_gold().documents:
        mentioned = {m.cluster for m in doc.entities} | {q.speaker for q in doc.quotes if q.speaker_mention}
        bare |= {c.id for c in doc.clusters if c.id not in mentioned}
        speaking |= {q.speaker for q in doc.quotes}
    card = (root / "gold" / "README.md").read_text(encoding="utf-8")
    said = re.search(r"these two, (.*?), are the only clusters with no mention", card, re.S)
    assert said and set(re.findall(r"`([a-z0-9-]+)`", said.group(1))) == bare == {"syrian-regime", "syrian-opposition"}
    assert not bare & speaking
    assert all(c.aliases for doc in load_gold().documents for c in doc.clusters if c.id in bare)


def test_the_card_states_the_sentence_rule_the_splitter_applies(root):
    from benchmark.text import split_sentences

    card = (root / "gold" / "README.md").read_text(encoding="utf-8")
    rule = card.split("\nSentences: ", 1)[1].split("Tokens:", 1)[0]
    assert "followed by `,` and whitespace" in rule and "at every line break" in rule
    text = "Title\n\nA b., C d.\nE f. G h."  # the comma joint and the line break cut; a bare period does not
    assert [text[s.start:s.end] for s in split_sentences(text)] == ["Title", "A b.", "C d.", "E f. G h."]
