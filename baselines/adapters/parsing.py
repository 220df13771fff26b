"""Shared pieces of the adapters: tolerant JSON parsing of model replies, label mapping,
and turning a reply into prediction items (grounded by :mod:`benchmark.grounding`).

Nothing here imports a heavy library: the CLI and the core install stay light.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

from benchmark.errors import IsnadError
from benchmark.grounding import ground_document
from benchmark.safeio import loads, read_text
from benchmark.schema import LABELS, QUOTE_TYPES, PredictionDocument

# --- tolerant JSON ------------------------------------------------------------------------


class ReplyParseError(ValueError):
    """A model reply holds no JSON object or list that can be read."""


MAX_LABEL_MAP_BYTES = 1024 * 1024
_FENCE = re.compile(r"```[ \t]*(?:json|JSON|javascript)?[ \t]*\n?(.*?)```", re.S)


def _strip_trailing_commas(s: str) -> str:
    """``s`` with every comma that directly precedes ``}`` or ``]`` removed (outside strings)."""
    out: list[str] = []
    in_str = esc = False
    i, n = 0, len(s)
    while i < n:
        ch = s[i]
        if in_str:
            out.append(ch)
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
            out.append(ch)
        elif ch == ",":
            j = i + 1
            while j < n and s[j] in " \t\r\n":
                j += 1
            if j < n and s[j] in "}]":
                i += 1
                continue
            out.append(ch)
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def _decode_first(s: str) -> Any:
    """The first JSON object or list that decodes at some ``{`` or ``[`` of ``s``."""
    decoder = json.JSONDecoder()
    found: list[Any] = []
    for m in re.finditer(r"[\[{]", s):
        try:
            value, _ = decoder.raw_decode(s, m.start())
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            return value
        if isinstance(value, list) and not found:
            found.append(value)
            # a list of no objects (a citation "[1]" in prose): an object further on is preferred
            if any(isinstance(x, dict) for x in value):
                return value
    if found:
        return found[0]
    raise ReplyParseError("no JSON object or list in the reply")


def parse_json_reply(reply: str) -> Any:
    """A JSON object or list read tolerantly from a model's reply: the whole reply, else a
    ```json fenced block, else the first object or list inside prose; trailing commas are
    accepted. Raises :class:`ReplyParseError` when there is none.

    >>> parse_json_reply('Here you go:\\n```json\\n{"quotes": [1, 2,],}\\n```')
    {'quotes': [1, 2]}
    >>> parse_json_reply('The answer is [{"text": "x"}] as asked.')
    [{'text': 'x'}]
    """
    if not isinstance(reply, str) or not reply.strip():
        raise ReplyParseError("empty reply")
    candidates = [reply.strip()] + [m.group(1).strip() for m in _FENCE.finditer(reply)]
    for c in candidates:
        for variant in (c, _strip_trailing_commas(c)):
            try:
                value = json.loads(variant)
            except json.JSONDecodeError:
                continue
            if isinstance(value, (dict, list)):
                return value
    for c in candidates[1:] + candidates[:1]:
        try:
            return _decode_first(_strip_trailing_commas(c))
        except ReplyParseError:
            continue
    raise ReplyParseError("no JSON object or list in the reply")


# --- labels -------------------------------------------------------------------------------

#: Entity types of common NER label sets → this benchmark's labels (None: dropped).
DEFAULT_LABEL_MAP: dict[str, str | None] = {
    "PER": "PER", "PERS": "PER", "PERSON": "PER", "PEOPLE": "PER",
    "ORG": "ORG", "ORGANIZATION": "ORG", "ORGANISATION": "ORG", "ORGS": "ORG",
    "GPE": "GPE", "COUNTRY": "GPE", "CITY": "GPE",
    "LOC": "LOC", "LOCATION": "LOC",
    "FAC": "FAC", "FACILITY": "FAC",
    "NORP": "NORP", "NATIONALITY": "NORP",
    "EVENT": "EVENT", "EVT": "EVENT",
    "MISC": None,
    # quote spans (a model that also tags quotes)
    "QUOTE": "QUOTE", "QUOTATION": "QUOTE", "Q": "QUOTE",
    "DIRECT": "QUOTE:direct", "INDIRECT": "QUOTE:indirect", "MIXED": "QUOTE:mixed",
}

_PREFIX = re.compile(r"^(?:([BIESLU])[-_])?(.+?)(?:[-_]([BIESLU]))?$")


def split_bio(raw: str) -> tuple[str, str]:
    """``(prefix, type)`` of a tag: ``B-PERS`` → ``("B", "PERS")``, ``O`` → ``("O", "")``,
    ``PERSON`` → ``("I", "PERSON")`` (no prefix: inside), ``LOC-B`` → ``("B", "LOC")``."""
    raw = raw.strip()
    if raw.upper() in ("O", "OUTSIDE", ""):
        return "O", ""
    m = _PREFIX.match(raw)
    if m is None:  # pragma: no cover - the pattern matches any non-empty string
        return "I", raw
    pre, typ, post = m.group(1), m.group(2), m.group(3)
    prefix = (pre or post or "I").upper()
    return {"L": "E", "U": "S"}.get(prefix, prefix), typ


def _normalized_target(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise IsnadError(f"label map value {value!r} is not a string or null", field=where)
    v = value.strip()
    if v.upper() in ("", "O", "NONE", "DROP", "NULL"):
        return None
    if v.upper() in LABELS:
        return v.upper()
    if v.lower() in QUOTE_TYPES:
        return f"QUOTE:{v.lower()}"
    if v.upper() == "QUOTE" or v.upper().startswith("QUOTE:") and v.split(":", 1)[1].lower() in QUOTE_TYPES:
        return v.upper() if v.upper() == "QUOTE" else f"QUOTE:{v.split(':', 1)[1].lower()}"
    raise IsnadError(f"label map value {value!r} is none of {', '.join(LABELS)}, "
                     f"{', '.join(QUOTE_TYPES)}, QUOTE or null", field=where)


def load_label_map(spec: str | Path | dict | None) -> dict[str, str | None]:
    """The label map given as a dict, a JSON object string or a JSON file path, merged over
    :data:`DEFAULT_LABEL_MAP` (keys compared case-insensitively, with or without B-/I-)."""
    merged = {k.upper(): v for k, v in DEFAULT_LABEL_MAP.items()}
    if spec is None or spec == "":
        return merged
    if isinstance(spec, dict):
        user = spec
    else:
        raw = str(spec).strip()
        if not raw.startswith("{"):
            try:
                raw = read_text(Path(raw).expanduser(), MAX_LABEL_MAP_BYTES, "a label map")
            except IsnadError as exc:
                raise IsnadError(f"cannot read the label map {exc.file}: {exc.message}", field="--label-map") from None
        try:
            user = loads(raw)
        except json.JSONDecodeError as exc:
            raise IsnadError(f"the label map is not JSON: {exc.msg} (column {exc.colno})",
                             field="--label-map") from None
        except (ValueError, RecursionError) as exc:
            raise IsnadError(f"the label map is not JSON: {str(exc)[:200]}", field="--label-map") from None
        if not isinstance(user, dict):
            raise IsnadError("the label map must be a JSON object {\"MODEL_LABEL\": \"PER\", ...}",
                             field="--label-map")
    for k, v in user.items():
        merged[str(k).strip().upper()] = _normalized_target(v, f"--label-map[{k!r}]")
    return merged


class LabelMapper:
    """Maps a model's raw tags to ``(prefix, target)``; ``target`` is a benchmark label,
    ``QUOTE`` / ``QUOTE:<type>``, or None (outside, or dropped: counted in ``dropped``)."""

    def __init__(self, label_map: str | Path | dict | None = None) -> None:
        self.table = load_label_map(label_map)
        self.dropped: Counter[str] = Counter()

    def target(self, raw: str) -> tuple[str, str | None]:
        prefix, typ = split_bio(raw)
        if prefix == "O":
            return "O", None
        key = raw.strip().upper()
        if key in self.table:
            return prefix, self.table[key]
        if typ.upper() in self.table:
            return prefix, self.table[typ.upper()]
        return prefix, "?"  # unknown: dropped by the caller, which counts it

    def map(self, raw: str) -> tuple[str, str | None]:
        """``(prefix, target)``; a tag that maps to nothing is counted as dropped."""
        prefix, target = self.target(raw)
        if prefix != "O" and target in (None, "?"):
            self.dropped[raw] += 1
            return prefix, None
        return prefix, target


# --- grounding of text spans ----------------------------------------------------------------

def strip_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """``[start, end)`` without surrounding whitespace and punctuation (None when nothing is left)."""
    while start < end and not (text[start].isalnum() or _is_mark(text[start])):
        start += 1
    while end > start and not (text[end - 1].isalnum() or _is_mark(text[end - 1])):
        end -= 1
    return (start, end) if end > start else None


def _is_mark(ch: str) -> bool:
    return "\u0610" <= ch <= "\u061a" or "\u064b" <= ch <= "\u065f" or ch in "\u0670\u0640"


# --- a model's JSON reply → prediction items ------------------------------------------------

_QUOTE_TEXT_KEYS = ("text", "quote", "content", "span")
_ENTITY_TEXT_KEYS = ("text", "mention", "name", "span")


def _text_of(value: Any, keys: tuple[str, ...] = ("text", "name", "mention", "span")) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        for k in keys:
            if isinstance(value.get(k), str) and value[k].strip():
                return value[k].strip()
    return None


def _occurrence(value: Any) -> int | None:
    if isinstance(value, dict):
        occ = value.get("occurrence")
        if isinstance(occ, int) and not isinstance(occ, bool) and occ >= 0:
            return occ
    return None


def split_reply(obj: Any) -> tuple[list[Any], list[Any]]:
    """``(entities, quotes)`` items of a reply: ``{"entities": [...], "quotes": [...]}``, or a
    list of such objects, or a flat list whose items with a ``label`` are entities and the
    others quotes."""
    entities: list[Any] = []
    quotes: list[Any] = []
    if isinstance(obj, dict):
        lower = {str(k).lower(): v for k, v in obj.items()}
        if not any(k in lower for k in ("entities", "quotes", "quotations", "mentions")):
            if any(k in lower for k in ("label", "type", *_QUOTE_TEXT_KEYS)):
                return split_reply([obj])
        for k in ("entities", "mentions"):
            if isinstance(lower.get(k), list):
                entities += lower[k]
        for k in ("quotes", "quotations"):
            if isinstance(lower.get(k), list):
                quotes += lower[k]
        return entities, quotes
    if isinstance(obj, list):
        for item in obj:
            if isinstance(item, dict) and any(str(k).lower() in ("entities", "quotes") for k in item):
                e, q = split_reply(item)
                entities += e
                quotes += q
            elif isinstance(item, dict) and "label" in {str(k).lower() for k in item}:
                entities.append(item)
            else:
                quotes.append(item)
    return entities, quotes


def _get(d: dict, *keys: str) -> Any:
    lower = {str(k).lower(): v for k, v in d.items()}
    for k in keys:
        if k in lower:
            return lower[k]
    return None


def _quote_type(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    v = value.strip().lower()
    for t in QUOTE_TYPES:
        if v == t or v.startswith(t):
            return t
    return {"partial": "mixed", "reported": "indirect", "paraphrase": "indirect", "verbatim": "direct"}.get(v)


def reply_items(obj: Any, passage: str, offset: int, mapper: LabelMapper, warnings: list[str],
                where: str = "") -> tuple[list[dict], list[dict]]:
    """Entities and quotes of a parsed reply, their texts grounded in ``passage`` (at document
    offset ``offset``) by the scorer's own grounding (:mod:`benchmark.grounding`).

    A span the passage does not hold is kept as a text-only span (``{"text": ...}``), so
    the scorer, which grounds texts against the whole document, counts it (as a false
    positive when it fails there too); each is named in ``warnings``. Items that are not
    spans at all (no text, unknown label) are dropped with a warning."""
    raw_entities, raw_quotes = split_reply(obj)
    entities: list[dict] = []
    for k, item in enumerate(raw_entities):
        text = _text_of(item, _ENTITY_TEXT_KEYS)
        label_raw = _get(item, "label", "type", "entity_type", "category") if isinstance(item, dict) else None
        if text is None or not isinstance(label_raw, str):
            warnings.append(f"{where}entities[{k}]: dropped (no text or no label): {str(item)[:80]!r}")
            continue
        _, label = mapper.map(label_raw)
        if label is None or label not in LABELS:
            warnings.append(f"{where}entities[{k}]: dropped (label {label_raw!r} maps to no entity label)")
            continue
        entities.append({"text": text, "label": label, "occurrence": _occurrence(item)})
    quotes: list[dict] = []
    for k, item in enumerate(raw_quotes):
        text = _text_of(item, _QUOTE_TEXT_KEYS)
        if text is None:
            warnings.append(f"{where}quotes[{k}]: dropped (no text): {str(item)[:80]!r}")
            continue
        d = item if isinstance(item, dict) else {}
        cue_raw = _get(d, "cue", "cue_text", "verb", "reporting_verb")
        cue_text = _text_of(cue_raw)
        speaker = _text_of(_get(d, "speaker", "source", "speaker_text", "attributed_to"))
        quotes.append({"text": text, "occurrence": _occurrence(d), "type": _quote_type(_get(d, "type", "quote_type", "kind")),
                       "cue": None if cue_text is None else {"text": cue_text, "occurrence": _occurrence(cue_raw)},
                       "speaker": None if speaker is None else {"text": speaker}})
    pred = PredictionDocument.model_validate({"document_id": "passage", "entities": entities, "quotes": quotes})
    grounded = ground_document(passage, pred)

    def placed(span: Any, what: str) -> dict:
        if span.ok:
            return {"start": span.start + offset, "end": span.end + offset}
        warnings.append(f"{where}{what}: not found in the text, kept as a text span: {span.text[:60]!r}")
        return {"text": span.text}

    out_entities = [{**placed(e, f"entities[{k}]"), "label": e.label} for k, e in enumerate(grounded.entities)]
    out_quotes = []
    for k, (q, raw) in enumerate(zip(grounded.quotes, quotes)):
        out = placed(q, f"quotes[{k}]")
        if q.type is not None:
            out["type"] = q.type
        if q.cue is not None:
            out["cue"] = placed(q.cue, f"quotes[{k}].cue")
        if raw["speaker"] is not None:
            out["speaker"] = raw["speaker"]  # a name: the scorer resolves it against the entities
        out_quotes.append(out)
    return out_entities, out_quotes


def drop_overlapping_quotes(quotes: list[dict], warnings: list[str], where: str = "") -> list[dict]:
    """Grounded quotes that overlap an earlier-listed grounded quote are dropped (with a warning)."""
    kept: list[dict] = []
    for q in quotes:
        if "start" in q and any("start" in p and q["start"] < p["end"] and p["start"] < q["end"] for p in kept):
            warnings.append(f"{where}quote {q['start']}..{q['end']} overlaps another: dropped")
            continue
        kept.append(q)
    return kept
