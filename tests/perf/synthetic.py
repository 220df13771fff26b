"""A synthetic gold corpus and predictions around it, for the speed script (not a test)."""

from __future__ import annotations

import random
from pathlib import Path

from benchmark.gold import Gold
from benchmark.schema import Cluster, Document, EntityMention, Quote, Sentence, TextSpan

LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
LABELS = ("PER", "ORG", "GPE", "LOC", "FAC", "NORP", "EVENT")
TYPES = ("direct", "indirect", "mixed")


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(LETTERS) for _ in range(rng.randint(2, 7)))


def corpus(n_sentences: int = 50_000, per_doc: int = 100, seed: int = 7) -> Gold:
    """About 20 tokens, 2.5 entity mentions and 0.2 quotes a sentence (1M tokens at 50,000)."""
    rng = random.Random(seed)
    docs = []
    for d in range(max(1, n_sentences // per_doc)):
        parts: list[str] = []
        pos = 0
        sentences, ents, quotes = [], [], []
        clusters = [Cluster(id=f"c{k}", name=f"n{k}", name_en=f"n{k}", label=LABELS[k % 7], aliases=[])
                    for k in range(20)]

        def emit(s: str) -> tuple[int, int]:
            nonlocal pos
            start = pos
            parts.append(s)
            pos += len(s)
            return start, pos

        for _ in range(per_doc):
            s_start = pos
            n_tok = 0
            quote_here = rng.random() < 0.2
            while n_tok < 19:
                if rng.random() < 0.13:
                    k = rng.randrange(20)
                    w = " ".join(_word(rng) for _ in range(rng.randint(1, 2)))
                    a, b = emit(w)
                    ents.append((a, b, k, w))
                    n_tok += w.count(" ") + 1
                else:
                    emit(_word(rng))
                    n_tok += 1
                emit(" ")
            if quote_here:
                cue = emit("قال")
                emit(" ")
                qa, qb = emit(" ".join(_word(rng) for _ in range(6)))
                quotes.append((qa, qb, cue, rng.choice(TYPES), rng.randrange(20)))
                emit(" ")
            emit(".")
            sentences.append(Sentence(start=s_start, end=pos))
            emit("\n")
        text = "".join(parts)
        entities = [EntityMention(id=f"e{i}", start=a, end=b, text=w, label=clusters[k].label, cluster=f"c{k}")
                    for i, (a, b, k, w) in enumerate(ents)]
        qs = [Quote(id=f"q{i}", start=a, end=b, text=text[a:b], type=t,
                    cue=TextSpan(start=c[0], end=c[1], text=text[c[0]:c[1]]), speaker=f"c{k}",
                    speaker_mention=None, speaker_kind="implicit")
              for i, (a, b, c, t, k) in enumerate(quotes)]
        docs.append(Document(id=f"syn{d:05d}", title="", text=text, language="ar", source="synthetic",
                             sentences=sentences, entities=entities, clusters=clusters, quotes=qs))
    return Gold(documents=tuple(docs), version="synthetic", sha256="0" * 64, path=Path("."))


def predictions(gold: Gold, seed: int = 11) -> list[dict]:
    """Predictions around the gold: most kept, some shifted, relabelled, dropped or spurious."""
    rng = random.Random(seed)
    out = []
    for doc in gold.documents:
        ents = []
        for m in doc.entities:
            r = rng.random()
            if r < 0.75:
                ents.append({"start": m.start, "end": m.end, "label": m.label.value})
            elif r < 0.85:
                ents.append({"start": m.start, "end": max(m.start + 1, m.end - 2), "label": m.label.value})
            elif r < 0.92:
                ents.append({"start": m.start, "end": m.end, "label": rng.choice(LABELS)})
        for _ in range(len(doc.entities) // 20):
            s = rng.randrange(len(doc.text) - 5)
            ents.append({"start": s, "end": s + 4, "label": rng.choice(LABELS)})
        quotes = []
        for q in doc.quotes:
            if rng.random() < 0.85:
                quotes.append({"start": q.start + rng.choice([0, 0, 2]), "end": q.end, "type": rng.choice(TYPES),
                               "cue": {"start": q.cue.start, "end": q.cue.end},
                               "speaker": {"cluster": q.speaker if rng.random() < 0.7 else "c0"}})
        out.append({"document_id": doc.id, "entities": ents, "quotes": quotes})
    return out
