"""The `isnad` command line: a thin typer layer over the library's public functions."""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Callable

import typer

from .errors import IsnadError

app = typer.Typer(add_completion=False, no_args_is_help=True, help="isnad-bench: Arabic quotation attribution benchmark.")
gold_app = typer.Typer(no_args_is_help=True, help="Build and check the gold dataset.")
app.add_typer(gold_app, name="gold")

RootOption = typer.Option(Path("."), "--root", help="Repository checkout to act on.")


def reports_errors(fn: Callable) -> Callable:
    """Turn the project's IsnadError into one line on stderr and exit code 2."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except IsnadError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None

    return wrapper


@gold_app.command("build")
@reports_errors
def gold_build(root: Path = RootOption) -> None:
    """Compile gold/source and the annotation passes into gold/data, the card and agreement."""
    from .goldbuild import build

    changed = build(root)
    typer.echo("\n".join(f"wrote {p}" for p in changed) if changed else "gold is up to date")


@gold_app.command("check")
@reports_errors
def gold_check(root: Path = RootOption) -> None:
    """Exit 1 naming each problem when the gold data is stale or inconsistent."""
    from .goldbuild import check

    problems = check(root)
    for p in problems:
        typer.echo(p, err=True)
    if problems:
        raise typer.Exit(1)
    typer.echo("gold is consistent and up to date")


@gold_app.command("find")
@reports_errors
def gold_find(snippet: str, root: Path = RootOption, width: int = 25) -> None:
    """List every occurrence of SNIPPET in the seed with its index and context (for anchors)."""
    from .anchors import occurrences
    from .goldbuild import compile_gold

    for doc in compile_gold(root)[0]:
        for k, i in enumerate(occurrences(doc.text, snippet)):
            left, right = doc.text[max(0, i - width):i], doc.text[i + len(snippet):i + len(snippet) + width]
            typer.echo(f"{doc.id} occurrence {k} @{i}: …{left}[{snippet}]{right}…")


@gold_app.command("agreement")
@reports_errors
def gold_agreement(root: Path = RootOption) -> None:
    """Print the inter-annotator agreement and the disagreements left to adjudicate."""
    from .goldbuild import agreement_report, compile_gold

    report = agreement_report(root, compile_gold(root)[0])
    for pair in report["pairs"]:
        typer.echo(f"# {pair['a']} vs {pair['b']}")
        for k, v in pair["figures"].items():
            typer.echo(f"  {k:32s} {v:.3f}")
        for d in pair["disagreements"]:
            typer.echo(f"  - {d}")


def main() -> None:  # pragma: no cover - console entry for `python -m benchmark`
    app(prog_name="isnad")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
