"""The result of a scoring run: a plain nested dict with a signature, and its rendering."""

from __future__ import annotations

import copy
import json
from typing import TYPE_CHECKING, Any

from .grounding import NORMALIZATION
from .schema import LABELS, QUOTE_TYPES

if TYPE_CHECKING:
    from .scoring import Scoring
    from .stats import Tally

MATCHING = "best-first-jaccard"


def signature(package_version: str, gold_version: str, gold_sha256: str, resamples: int, seed: int | None) -> str:
    """What produced a report, sacrebleu-style, from explicit fields.

    >>> signature("0.1.0", "1.0.0", "ab12cd34ef", 1000, 12345)
    'isnad:0.1.0|gold:1.0.0+ab12cd34|match:best-first-jaccard|norm:ar-v1|boot:1000|seed:12345'
    """
    boot = f"boot:{resamples}|seed:{seed}" if resamples else "boot:0"
    return (f"isnad:{package_version}|gold:{gold_version}+{gold_sha256[:8]}|match:{MATCHING}"
            f"|norm:{NORMALIZATION}|{boot}")


def _fig(t: "Tally") -> dict[str, float]:
    return dict(zip(("precision", "recall", "f1"), map(float, t.prf())))


def _counts(t: "Tally") -> dict[str, int]:
    return {"matched": int(t.hit_r), "predicted": int(t.predicted), "gold": int(t.gold)}


def build_report(scoring: "Scoring", bootstrap: int, seed: int) -> "Report":
    """The report of a scoring run, with ``bootstrap`` resamples of ``seed`` (0: no intervals)."""
    from . import __version__
    from .bootstrap import intervals

    st, g = scoring.stats, scoring.gold
    ent, quo, att = st.entities, st.quotes, st.attribution
    entities: dict[str, Any] = {s: _fig(t) for s, t in ent.schemes.items()}
    entities["seqeval"] = _fig(ent.seqeval)
    entities["per_label"] = {lab: {s: _fig(t) for s, t in ent.per_label[lab].items()} for lab in LABELS if lab in ent.per_label}
    entities["counts"] = {s: {**vars(c), "ACT": c.COR + c.INC + c.PAR + c.SPU, "POS": c.COR + c.INC + c.PAR + c.MIS}
                          for s, c in ent.counts.items()}
    entities["counts"]["seqeval"] = {"correct": int(ent.seqeval.hit_r), "predicted": ent.seqeval.predicted,
                                     "gold": ent.seqeval.gold}
    quotes: dict[str, Any] = {m: _fig(t) for m, t in quo.metrics.items()}
    quotes["per_type"] = {t: {**{m: _fig(x) for m, x in quo.per_type[t].items()}, "gold": quo.per_type[t]["overlap"].gold}
                          for t in QUOTE_TYPES}
    quotes["counts"] = {m: _counts(quo.metrics[m]) for m in ("exact", "exact_typed", "overlap")}
    cues: dict[str, Any] = {m: _fig(t) for m, t in st.cues.items()}
    cues["counts"] = {m: _counts(t) for m, t in st.cues.items()}
    e2e, kinds = att.end_to_end, att.per_kind.values()
    matched = sum(k.predicted for k in kinds)
    attribution = {"end_to_end": _fig(e2e), "accuracy_on_matched": e2e.hit_r / matched if matched else 0.0,
                   "counts": {"correct": int(e2e.hit_r), "matched": matched, "predicted": e2e.predicted,
                              "gold": e2e.gold, "unresolved": att.unresolved},
                   "per_speaker_kind": {k: {"recall": t.prf()[1], "accuracy_on_matched": t.prf()[0], "correct": int(t.hit_r),
                                            "matched": t.predicted, "gold": t.gold} for k, t in att.per_kind.items()}}
    data = {"signature": signature(__version__, g.version, g.sha256, bootstrap, seed), "entities": entities,
            "quotes": quotes, "cues": cues, "attribution": attribution, "grounding": scoring.grounding}
    if bootstrap:
        for name, ci in intervals(scoring.items, bootstrap, seed).items():
            layer, metric = name.split(".")
            data[layer][metric]["ci"] = ci
    data["warnings"] = list(scoring.warnings)
    return Report(data)


class Report:
    """Scores of one predictions file. ``to_dict()`` is the ``isnad score --json`` object:
    top-level keys signature, entities, quotes, cues, attribution, grounding (and warnings)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    @property
    def signature(self) -> str:
        return self._data["signature"]

    @property
    def warnings(self) -> list[str]:
        return list(self._data.get("warnings", []))

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def get(self, path: str) -> Any:
        """A value by dotted path, e.g. ``report.get("entities.strict.f1")``."""
        node: Any = self._data
        for part in path.split("."):
            node = node[part]
        return node

    def to_dict(self) -> dict[str, Any]:
        return copy.deepcopy(self._data)

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(self._data, ensure_ascii=False, indent=indent)

    def __repr__(self) -> str:
        return f"Report({self.signature!r})"

    def render(self, console: Any = None) -> None:
        """Print readable tables with rich."""
        from rich.table import Table

        from .console import console as terminal

        console = console or terminal()
        d = self._data
        e, q, a, g = d["entities"], d["quotes"], d["attribution"], d["grounding"]

        def table(title: str, columns: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
            t = Table(title=title, title_justify="left")
            for c in columns:
                t.add_column(c, justify="left" if c in ("metric", "kind") else "right")
            for r in rows:
                t.add_row(*r)
            console.print(t)

        def figures(title: str, figs: list[tuple[str, dict]]) -> None:
            table(title, ("metric", "P", "R", "F1", "F1 95% CI"),
                  [(name, *(f"{fig[k]:.3f}" for k in ("precision", "recall", "f1")),
                    "[{:.3f}, {:.3f}]".format(*fig["ci"]["f1"]) if "ci" in fig else "") for name, fig in figs])

        figures("Entities", [(k, e[k]) for k in ("strict", "exact", "partial", "type", "seqeval")] +
                [(f"  {lab} strict", figs["strict"]) for lab, figs in e["per_label"].items()])
        figures("Quotes", [(k, q[k]) for k in ("exact", "exact_typed", "overlap", "proportional")] +
                [(f"  {t} overlap", figs["overlap"]) for t, figs in q["per_type"].items()] +
                [(f"cue {k}", d["cues"][k]) for k in ("exact", "overlap", "linked")])
        figures("Attribution", [("end_to_end", a["end_to_end"])])
        table("Attribution by speaker kind", ("kind", "recall", "accuracy on matched", "correct", "matched", "gold"),
              [(k, f"{v['recall']:.3f}", f"{v['accuracy_on_matched']:.3f}", str(v["correct"]), str(v["matched"]),
                str(v["gold"])) for k, v in a["per_speaker_kind"].items()])
        console.print(f"accuracy on matched quotes: {a['accuracy_on_matched']:.3f} "
                      f"({a['counts']['correct']}/{a['counts']['matched']}); "
                      f"unresolved speakers: {a['counts']['unresolved']}")
        console.print(f"grounding: {g['text_spans']} text-only spans, {g['exact']} exact, "
                      f"{g['normalized']} normalized, {g['failed']} failed (scored as false positives)")
        for ex in g["examples"]:
            console.print(f"  ungrounded {ex['document_id']} {ex['field']}: {ex['text']!r}", markup=False)
        console.print(d["signature"], markup=False)
