"""The leaderboard's Markdown and HTML, from scored entries. Submitted text is always escaped."""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any
from urllib.parse import quote

from ..gold import Gold
from .submission import Track
from .view import gold_view

TRACK_TITLES = {Track.end_to_end: "End to end", Track.gold_quotes: "Given gold quotes"}


@dataclass(frozen=True)
class Column:
    """One figure of a track's table: ``kind`` "f1" is an F1 with its interval, "share" a
    plain proportion, "speaker" a speaker kind's share of gold quotes attributed right."""

    path: str  # where the figure is in a result
    header: str
    kind: str = "f1"

    def cell(self, result: dict[str, Any]) -> tuple[float, str]:
        """The sort value and the text of this column's cell."""
        node = figure(result, self.path)
        if self.kind == "f1":
            return node["f1"], _cell(node)
        if self.kind == "share":
            return node, f"{node:.3f}"
        return node["recall"], f"{node['recall']:.3f} ({node['correct']}/{node['gold']})"


# Only what varies between the entries of a track: given the gold quotes, every quote figure
# is 1 and no entity is predicted, so that track shows attribution alone, in detail.
TRACK_COLUMNS = {
    Track.end_to_end: (Column("quotes.overlap", "Quotes overlap F1"), Column("quotes.exact", "Quotes exact F1"),
                       Column("attribution.end_to_end", "Attribution F1"),
                       Column("entities.strict", "Entities strict F1")),
    Track.gold_quotes: (Column("attribution.end_to_end", "Attribution F1"),
                        Column("attribution.accuracy_on_matched", "Accuracy on matched", "share"),
                        *(Column(f"attribution.per_speaker_kind.{k}", f"{k.capitalize()} speakers (right/gold)",
                                 "speaker") for k in ("named", "nominal", "implicit"))),
}


def figure(result: dict[str, Any], path: str) -> dict[str, Any]:
    node: Any = result
    for part in path.split("."):
        node = node[part]
    return node


def _md(text: str) -> str:
    """Escape submitted text for a Markdown table cell: every run of white space (line breaks
    included) becomes one space, HTML is escaped, and each Markdown-significant character,
    the pipe and the backslash among them, gets a backslash."""
    text = re.sub(r"([\\`*_\[\]{}()#+!|~])", r"\\\1", " ".join(text.split()))
    return html.escape(text, quote=True)  # after: the "#" of "&#x27;" is no Markdown


# what stays as it is in a URL: RFC 3986's unreserved and reserved characters but the quote
# (it ends an HTML attribute) and the brackets (Markdown parsers encode them), and the
# percent of an escape already there
_URL_SAFE = ":/?#@!$&()*+,;=%-._~"


def url(value: str) -> str:
    """A submitted URL percent-encoded, so that no character of it can end a Markdown link
    or table cell, or an HTML attribute (``|`` → ``%7C``, non-ASCII as UTF-8, a ``%`` that
    starts no escape → ``%25``)."""
    return quote(re.sub(r"%(?![0-9A-Fa-f]{2})", "%25", value), safe=_URL_SAFE)


def _md_link(text: str, href: str) -> str:
    # inside <...> a destination may hold parentheses; & is written as an entity so that
    # no "&name;" in the URL is read as a character reference
    return f"[{text}](<{url(href).replace('&', '&amp;')}>)"


def _cell(fig: dict[str, Any]) -> str:
    ci = fig.get("ci", {}).get("f1")
    return f"{fig['f1']:.3f} [{ci[0]:.3f}, {ci[1]:.3f}]" if ci else f"{fig['f1']:.3f}"


def render_tables(entries: list, heading_level: int = 2, ranks: bool = True) -> str:
    """A Markdown table per track: rank (≈ when not significantly below the entry above),
    system, and the track's figures (F1s with their 95% intervals). Without ``ranks`` the
    rows keep the leaderboard's order and the rank column is left out (for a selection of
    entries, whose ranks and ≈ marks refer to neighbours not shown)."""
    lines = []
    for track in Track:
        group = sorted((e for e in entries if e.meta.track is track), key=lambda e: e.rank)
        if not group:
            continue
        cols = TRACK_COLUMNS[track]
        first = ["Rank", "System"] if ranks else ["System"]
        lines += [f"{'#' * heading_level} {TRACK_TITLES[track]} (`{track.value}`)", "",
                  "| " + " | ".join(first + [c.header for c in cols]) + " |",
                  "|" + "---|" * (len(first) + len(cols))]
        for e in group:
            name = _md(e.meta.name)
            if e.meta.url:
                name = _md_link(name, e.meta.url)
            if e.meta.baseline:
                name += " (baseline)"
            cells = ([f"{e.rank} ≈" if e.tied_with_above else str(e.rank)] if ranks else []) + [name]
            lines.append("| " + " | ".join(cells + [c.cell(e.result)[1] for c in cols]) + " |")
        lines.append("")
    return "\n".join(lines)


def render_markdown(entries: list, gold: Gold) -> str:
    """``leaderboard/README.md``: a table per track, 95% intervals, significance marks."""
    lines = ["# isnad-bench leaderboard", "",
             "Generated by `isnad leaderboard build` from `submissions/`: do not edit by hand.",
             f"Gold {gold.version} (sha256 {gold.sha256[:12]}). F1 figures carry 95% bootstrap intervals "
             "over gold sentences (1,000 resamples, seed 12345); each track shows the figures that vary "
             "in it (given the gold quotes, the quote figures are 1 by construction: that track shows "
             "attribution, also by speaker kind as right/gold). Ranked by attribution F1; "
             "≈ marks an entry not significantly different from the one above it "
             "(paired bootstrap, p ≥ 0.05).", "", render_tables(entries)]
    if entries:
        lines += ["Signature: `" + entries[0].result["signature"] + "`", ""]
    # each entry's own description, where the caveats of a score are stated (the page shows
    # them under each name; the tables have no room for them)
    described = [e for track in Track for e in sorted(entries, key=lambda e: e.rank)
                 if e.meta.track is track and e.meta.description.strip()]
    if described:
        lines += ["## The systems", ""]
        lines += [f"- **{_md(e.meta.name)}**: {_md(e.meta.description)}" for e in described] + [""]
    return "\n".join(lines)


COLOURS = ("#1f77b4", "#e6700a", "#2ca02c", "#9467bd")


def _chart(track: Track, group: list) -> str:
    """An inline SVG of a track's F1s with their 95% intervals, deterministic and without
    script. It scales to its box (viewBox): each system's name sits above its bars so that
    the bars keep the width on a narrow screen; the value is printed beside each bar."""
    cols = [c for c in TRACK_COLUMNS[track] if c.kind == "f1"]
    bar, gap, name_h, left, width, right = 14, 12, 17, 4, 320, 48
    total = left + width + right
    height = 22 + len(group) * (name_h + len(cols) * bar + gap)
    out = [f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {total} {height}" '
           f'aria-label="{html.escape(TRACK_TITLES[track])}: F1 with 95% intervals" font-size="12" '
           f'font-family="sans-serif">']
    for k in range(0, 11, 2):
        x = left + width * k / 10
        anchor = "start" if k == 0 else ("end" if k == 10 else "middle")
        out.append(f'<line x1="{x:.1f}" y1="16" x2="{x:.1f}" y2="{height}" stroke="#ccc"/>'
                   f'<text x="{x:.1f}" y="12" text-anchor="{anchor}">{k / 10:.1f}</text>')
    y = 22
    for e in group:
        out.append(f'<text x="{left}" y="{y + name_h - 4}" font-weight="bold">{html.escape(e.meta.name[:60])}</text>')
        y += name_h
        for c, col in enumerate(cols):
            fig = figure(e.result, col.path)
            ci = fig.get("ci", {}).get("f1")
            text = f"{col.header} {_cell(fig)}"
            out.append(f'<rect x="{left}" y="{y}" width="{width * fig["f1"]:.1f}" height="{bar - 2}" '
                       f'fill="{COLOURS[c]}" fill-opacity="0.55"><title>{html.escape(e.meta.name)}: '
                       f'{html.escape(text)}</title></rect>')
            if ci:
                # the interval: a thick dark line with end caps, over the bar
                x0, x1, ym = left + width * ci[0], left + width * ci[1], y + (bar - 2) / 2
                out.append(f'<path d="M{x0:.1f} {ym:.1f}H{x1:.1f}M{x0:.1f} {y}v{bar - 2}M{x1:.1f} {y}v{bar - 2}" '
                           f'stroke="#111" stroke-width="2" fill="none"/>')
            out.append(f'<text x="{left + width + 8}" y="{y + bar - 4}">{fig["f1"]:.3f}</text>')
            y += bar
        y += gap
    out.append("</svg>")
    legend = "".join(f'<span class="item"><span class="key" style="background:{COLOURS[c]}"></span>'
                     f'{html.escape(col.header)}</span>' for c, col in enumerate(cols))
    return "".join(out) + f'<p class="legend">{legend}<span class="item"><span class="whisker"></span>'\
        '95% interval</span></p>'


def _script_json(data: Any) -> str:
    # safe inside <script type="application/json">: no "</script>", no HTML-significant characters
    text = json.dumps(data, ensure_ascii=False, sort_keys=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def render_html(entries: list, gold: Gold) -> str:
    """``leaderboard/index.html``: one self-contained page (no network)."""
    import jinja2
    from markupsafe import Markup

    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    template = env.from_string(resources.files("benchmark").joinpath("templates/leaderboard.html.j2")
                               .read_text(encoding="utf-8"))
    tracks = []
    for track in Track:
        group = sorted((e for e in entries if e.meta.track is track), key=lambda e: e.rank)
        if group:
            cols = TRACK_COLUMNS[track]
            tracks.append({"title": TRACK_TITLES[track], "id": track.value, "headers": [c.header for c in cols],
                           "chart": Markup(_chart(track, group)), "rows": [
                {"rank": e.rank, "tied": e.tied_with_above, "name": e.meta.name, "url": url(e.meta.url) if e.meta.url else None,
                 "slug": e.slug, "baseline": e.meta.baseline, "authors": ", ".join(e.meta.authors),
                 "description": e.meta.description, "cells": [c.cell(e.result) for c in cols]}
                for e in group]})
    data = {"gold": gold_view(gold),
            "systems": [{"slug": e.slug, "name": e.meta.name, "track": e.meta.track.value, "documents": e.view}
                        for e in sorted(entries, key=lambda e: (e.meta.track.value, e.rank))]}
    return template.render(tracks=tracks, data=Markup(_script_json(data)), gold_version=gold.version,
                           gold_sha=gold.sha256[:12], signature=entries[0].result["signature"] if entries else "")
