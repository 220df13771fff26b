"""The ``hf:MODEL`` adapter: a transformers token-classification model behind the extractor
interface (``pip install "isnad-bench[hf]"``).

The model (a local folder, or a hub id already in the local cache: nothing is ever
downloaded) tags the subword tokens of each sentence. Subwords are aggregated to words
(:func:`benchmark.text.tokenize`): a word takes the tag of its first subword, so an
entity always covers whole words. Words are then grouped by their BIO/BIOES tags into
spans, the model's labels mapped to the benchmark's by a label map (defaults for the
common sets: PERS/PER/PERSON, LOC, ORG, GPE, MISC dropped...; see
:data:`~baselines.adapters.parsing.DEFAULT_LABEL_MAP`); unmappable labels are dropped and
counted in :attr:`HFTokenClassifier.dropped`. Spans are stripped of surrounding
whitespace and punctuation.

Quotes, cues and speakers come from the cue-rules baseline, unless the model also tags
quotes (labels QUOTE, DIRECT, INDIRECT, MIXED, with or without B-/I-): then the quotes
are the model's, and their cues and speakers come from the cue-rules linker.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

from benchmark.errors import IsnadError
from benchmark.text import split_sentences, tokenize

from ..base import Prediction, Speaker, most_overlapping
from .parsing import LabelMapper, load_label_map, strip_span

INSTALL_HINT = 'pip install torch==2.13.0 && pip install "isnad-bench[hf]"'


def _import_transformers() -> Any:
    # belt and braces: from_pretrained(local_files_only=True) already never downloads
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import torch  # noqa: F401
        import transformers
    except ImportError as exc:
        raise IsnadError(f"hf: extractors need the optional extra ({INSTALL_HINT}): {exc}") from None
    try:
        transformers.utils.logging.disable_progress_bar()
    except AttributeError:  # pragma: no cover - older releases
        pass
    return transformers


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


class HFTokenClassifier:
    """Entities from a token-classification model; quotes from the model or the cue rules."""

    kind = "hf"

    def __init__(self, model: str, *, label_map: str | Path | dict | None = None, batch_size: int = 16,
                 quotes: str = "auto", device: str = "cpu", max_length: int | None = None) -> None:
        if not model:
            raise IsnadError("hf: needs a model folder or hub id, e.g. hf:./my-ner-model")
        if quotes not in ("auto", "model", "rules"):
            raise IsnadError(f"quotes must be auto, model or rules, not {quotes!r}")
        transformers = _import_transformers()
        import torch

        self.model_id = model
        self.mapper = LabelMapper(label_map)
        self._label_map_given = load_label_map(label_map) if label_map else None
        try:
            self.tokenizer = transformers.AutoTokenizer.from_pretrained(model, local_files_only=True)
            self.model = transformers.AutoModelForTokenClassification.from_pretrained(model, local_files_only=True)
        except Exception as exc:  # noqa: BLE001 - OSError, ValueError, EnvironmentError... all one line
            raise IsnadError(f"cannot load the model {model!r} from local files (nothing is downloaded): "
                             f"{_first_line(exc)}") from None
        if not getattr(self.tokenizer, "is_fast", False):
            raise IsnadError(f"the tokenizer of {model!r} is not a fast tokenizer (character offsets are needed)")
        self.model.eval()
        self.device = torch.device(device)
        self.model.to(self.device)
        self.batch_size = max(1, batch_size)
        limit = max_length or getattr(self.tokenizer, "model_max_length", 512) or 512
        limit = min(int(limit), int(getattr(self.model.config, "max_position_embeddings", 512) or 512), 512)
        self.max_length = max(8, limit)
        self.id2label = {int(k): str(v) for k, v in self.model.config.id2label.items()}
        targets = {self.mapper.target(lab)[1] for lab in self.id2label.values()}
        self.tags_quotes = any(isinstance(t, str) and t.startswith("QUOTE") for t in targets)
        self.quote_source = ("model" if self.tags_quotes else "rules") if quotes == "auto" else quotes
        self.dropped: Counter[str] = self.mapper.dropped
        self.warnings: list[str] = []
        self.name = f"hf:{Path(model).name or model}"
        self.description = (f"Token classifier {model} for entities; quotes from "
                            f"{'the model' if self.quote_source == 'model' else 'the cue rules'}.")
        digest = hashlib.sha256(json.dumps(self._label_map_given or {}, sort_keys=True).encode()).hexdigest()[:8]
        self.signature_part = f"labels:{'default' if not label_map else digest}"

    def info(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "model": self.model_id, "quotes": self.quote_source,
                "labels": self.signature_part.split(":", 1)[1], "dropped_labels": dict(self.dropped)}

    # -- tagging -----------------------------------------------------------------------
    def token_tags(self, text: str) -> list[tuple[int, int, str]]:
        """``(start, end, raw label)`` of every subword token of every sentence of ``text``."""
        import torch

        windows: list[tuple[int, dict]] = []  # (sentence offset, encoding of one window)
        for sent in split_sentences(text):
            piece = text[sent.start:sent.end]
            enc = self.tokenizer(piece, return_offsets_mapping=True, truncation=True, max_length=self.max_length,
                                 stride=min(32, self.max_length // 4), return_overflowing_tokens=True)
            for w in range(len(enc["input_ids"])):
                windows.append((sent.start, {"input_ids": enc["input_ids"][w],
                                             "offsets": enc["offset_mapping"][w]}))
        out: dict[tuple[int, int], str] = {}
        pad = self.tokenizer.pad_token_id or 0
        for b in range(0, len(windows), self.batch_size):
            batch = windows[b:b + self.batch_size]
            width = max(len(w["input_ids"]) for _, w in batch)
            ids = torch.full((len(batch), width), pad, dtype=torch.long)
            mask = torch.zeros((len(batch), width), dtype=torch.long)
            for i, (_, w) in enumerate(batch):
                ids[i, :len(w["input_ids"])] = torch.tensor(w["input_ids"], dtype=torch.long)
                mask[i, :len(w["input_ids"])] = 1
            with torch.no_grad():
                logits = self.model(input_ids=ids.to(self.device), attention_mask=mask.to(self.device)).logits
            best = logits.argmax(-1).tolist()
            for i, (offset, w) in enumerate(batch):
                for k, (s, e) in enumerate(w["offsets"]):
                    if e <= s:
                        continue  # special or padding token
                    out.setdefault((offset + s, offset + e), self.id2label.get(best[i][k], "O"))
        return sorted((s, e, lab) for (s, e), lab in out.items())

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """``(start, end, target)`` spans: subwords aggregated to words, words grouped by BIO."""
        tags = self.token_tags(text)
        words = tokenize(text)
        # each word takes the tag of its first subword (tokens are sorted by start)
        word_tag: list[tuple[str, str | None]] = [("O", None)] * len(words)
        j = 0
        for wi, w in enumerate(words):
            while j < len(tags) and tags[j][1] <= w.start:
                j += 1
            if j < len(tags) and tags[j][0] < w.end:
                word_tag[wi] = self.mapper.map(tags[j][2])
        out: list[tuple[int, int, str]] = []
        cur: list[Any] | None = None  # [start, end, target, last word index]
        for wi, (w, (prefix, target)) in enumerate(zip(words, word_tag)):
            same_sentence_gap = cur is not None and wi == cur[3] + 1
            if target is None:
                if cur is not None:
                    out.append(tuple(cur[:3]))  # type: ignore[arg-type]
                    cur = None
                continue
            continues = (cur is not None and same_sentence_gap and cur[2] == target and prefix in ("I", "E")
                         and "\n" not in text[cur[1]:w.start])
            if continues:
                cur[1], cur[3] = w.end, wi  # type: ignore[index]
            else:
                if cur is not None:
                    out.append(tuple(cur[:3]))  # type: ignore[arg-type]
                cur = [w.start, w.end, target, wi]
            if prefix in ("E", "S"):
                out.append(tuple(cur[:3]))  # type: ignore[arg-type,index]
                cur = None
        if cur is not None:
            out.append(tuple(cur[:3]))  # type: ignore[arg-type]
        result = []
        for s, e, target in out:
            trimmed = strip_span(text, s, e)
            if trimmed is not None:
                result.append((trimmed[0], trimmed[1], target))
        return result

    # -- interface ---------------------------------------------------------------------
    def predict(self, document_id: str, text: str) -> Prediction:
        from ..analysis import analyse
        from ..cue_rules import CueRulesBaseline, attribute_with_linker, prediction

        spans = self.spans(text)
        entities = [{"start": s, "end": e, "label": t} for s, e, t in spans if not t.startswith("QUOTE")]
        doc = analyse(text)
        predicted = CueRulesBaseline().read(doc)
        if self.quote_source == "rules":
            quotes = prediction(document_id, doc, predicted)["quotes"]
        else:
            quotes = []
            for s, e, t in spans:
                if not t.startswith("QUOTE"):
                    continue
                qtype = t.split(":", 1)[1] if ":" in t else None
                best = most_overlapping({"start": s, "end": e}, predicted)
                if qtype is None:
                    marked = any(ch in text[max(0, s - 1):s + 1] for ch in "\"«“'")
                    qtype = "direct" if marked else (best["type"] if best else "indirect")
                cue = best.get("cue") if best else None
                quotes.append({"start": s, "end": e, "type": qtype, "cue": cue})
            for q, sp in zip(quotes, attribute_with_linker(doc, quotes, predicted)):
                q["speaker"] = sp
        return {"document_id": document_id, "entities": entities, "quotes": quotes}

    def attribute(self, document_id: str, text: str, quotes: list[dict]) -> list[Speaker]:
        from ..analysis import analyse
        from ..cue_rules import attribute_with_linker

        return attribute_with_linker(analyse(text), quotes)
