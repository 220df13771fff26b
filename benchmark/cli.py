"""The `isnad` command line: a thin typer layer over the library's public functions."""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Callable

import typer

from .errors import IsnadError


class _HelpIsAFlag:
    """``--help`` takes no value: no placeholder beside it in the help (typer's rich help
    prints the type of every option, ``<bool>`` for a flag, unless its metavar is empty)."""

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.metavar = ""
        return option


class _PlainArgument(typer.core.TyperArgument):
    """An argument shown by its metavar alone, as click does: ``FILE`` in the usage line
    (``[NAME]...`` when optional and repeatable), no ``<path>`` type beside it in the help."""

    def display_type_rich(self, ctx) -> None:
        return None

    def get_usage_pieces(self, ctx) -> list[str]:
        name = self.display_name_raw if self.required else f"[{self.display_name_raw}]"
        return [name + ("..." if self.nargs != 1 else "")]


class _Command(_HelpIsAFlag, typer.core.TyperCommand):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:  # typer builds its own argument class: shown the plain way here
            if type(param) is typer.core.TyperArgument:
                param.__class__ = _PlainArgument


class _Group(_HelpIsAFlag, typer.core.TyperGroup):
    pass


class _App(typer.Typer):
    """A typer app whose commands and groups show flags without a value placeholder."""

    def __init__(self, **kwargs) -> None:
        super().__init__(cls=_Group, **kwargs)

    def command(self, *args, **kwargs):
        kwargs.setdefault("cls", _Command)
        return super().command(*args, **kwargs)


def Flag(name: str, help: str):  # noqa: N802 - reads as typer.Option
    """A boolean option that is on when given and takes no value (``--json``, not ``--json true``)."""
    return typer.Option(False, name, help=help, metavar="")


app = _App(add_completion=False, no_args_is_help=True, help="isnad-bench: Arabic quotation attribution benchmark.")
gold_app = _App(no_args_is_help=True, help="Build and check the gold dataset.")
app.add_typer(gold_app, name="gold")

MAX_TEXT_BYTES = 16 * 1024 * 1024  # `predict --text-file`: an article is a few kilobytes
RootOption = typer.Option(Path("."), "--root", metavar="DIR", help="Repository checkout to act on.")
REPOSITORY_PARTS = ("leaderboard", "gold")  # the folders that tell the benchmark's repository


def repository(root: Path) -> Path:
    """``root`` if it is the benchmark's repository (it holds ``leaderboard/`` and ``gold/``),
    else an IsnadError: a command that writes or checks the leaderboard acts on the checkout,
    never on a stray folder where it would start a leaderboard of its own."""
    missing = [f"{part}/" for part in REPOSITORY_PARTS if not (root / part).is_dir()]
    if missing:
        raise IsnadError(f"not the isnad-bench repository (no {' and no '.join(missing)} in it); "
                         "run in the repository or give --root DIR", file=str(root.resolve()))
    return root


def _one_line(text: str) -> str:
    return " ".join(text.split("\n")).replace("\r", " ")


def reports_errors(fn: Callable) -> Callable:
    """Turn the project's IsnadError into one line on stderr and exit code 2. As a last resort
    (the readers refuse such input themselves, naming file and line), input that exhausts the
    stack or memory or is not Unicode is reported the same way instead of as a traceback."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except IsnadError as exc:
            typer.echo(f"error: {_one_line(str(exc))}", err=True)
            raise typer.Exit(2) from None
        except (RecursionError, MemoryError, UnicodeError) as exc:
            what = {RecursionError: "input nested too deeply", MemoryError: "input too large for memory"}.get(
                type(exc), "input that is not valid Unicode")
            typer.echo(f"error: cannot process {what} ({type(exc).__name__}: {_one_line(str(exc))[:200]})", err=True)
            raise typer.Exit(2) from None

    return wrapper


def _report_changes(changed: list[str], unchanged: str) -> None:
    typer.echo("\n".join(f"wrote {p}" for p in changed) if changed else unchanged)


def _report_problems(problems: list[str], ok: str) -> None:
    """Each problem on stderr and exit 1, or the all-clear line."""
    for p in problems:
        typer.echo(p, err=True)
    if problems:
        raise typer.Exit(1)
    typer.echo(ok)


@gold_app.command("build")
@reports_errors
def gold_build(root: Path = RootOption) -> None:
    """Compile gold/source and the annotation passes into gold/data, the card and agreement."""
    from .goldbuild import build

    _report_changes(build(root), "gold is up to date")


@gold_app.command("check")
@reports_errors
def gold_check(root: Path = RootOption) -> None:
    """Exit 1 naming each problem when the gold data is stale or inconsistent."""
    from .goldbuild import check

    _report_problems(check(root), "gold is consistent and up to date")


@gold_app.command("find")
@reports_errors
def gold_find(snippet: str = typer.Argument(..., metavar="SNIPPET", help="Text to look for, as written in the seed."),
              root: Path = RootOption,
              width: int = typer.Option(25, "--width", min=0, metavar="N",
                                        help="Characters of context shown on each side.")) -> None:
    """List every occurrence of SNIPPET in the seed with its index and context (for anchors)."""
    from .text import occurrences
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
        typer.echo(f"# {pair['a']} vs {pair['b']} ({pair['kind']})")
        for k, v in pair["figures"].items():
            typer.echo(f"  {k:32s} {v:.3f}")
        for d in pair["disagreements"]:
            typer.echo(f"  - {d}")


@gold_app.command("export")
@reports_errors
def gold_export(out_dir: Path = typer.Argument(..., metavar="OUT_DIR", help="Folder to write the export into."),
                fmt: str = typer.Option(..., "--format", metavar="FORMAT", help="conll (IOB2 columns) or brat (standoff)."),
                root: Path = RootOption) -> None:
    """Export the compiled gold as CoNLL-style IOB2 columns or brat standoff."""
    from .export import export
    from .gold import load_gold

    docs = list(load_gold(root / "gold").documents)
    _report_changes(export(docs, fmt, out_dir), "nothing to export")


GoldOption = typer.Option(None, "--gold", metavar="DIR",
                          help="Gold folder (holding data/documents.jsonl); the bundled gold by default.")
PredictionsArgument = typer.Argument(..., metavar="FILE", help="Predictions JSONL file.")
MAX_RESAMPLES = 100_000
BootstrapOption = typer.Option(1000, "--bootstrap", min=0, max=MAX_RESAMPLES, metavar="N",
                               help="Bootstrap resamples (0: no intervals).")
SeedOption = typer.Option(12345, "--seed", min=0, metavar="SEED", help="Bootstrap seed.")


def _warn(warnings: list[str]) -> None:
    for w in warnings:
        typer.echo(f"warning: {w}", err=True)


@app.command("score")
@reports_errors
def score_cmd(file: Path = PredictionsArgument, gold: Path = GoldOption,
              json_out: bool = Flag("--json", "Print one JSON object instead of tables."),
              bootstrap: int = BootstrapOption, seed: int = SeedOption) -> None:
    """Score a predictions file against the gold."""
    from .scoring import score

    _show(score(file, gold, bootstrap=bootstrap, seed=seed), json_out)


def _show(report, json_out: bool) -> None:
    _warn(report.warnings)
    if json_out:
        typer.echo(report.to_json())
    else:
        report.render()


@app.command("validate")
@reports_errors
def validate_cmd(file: Path = PredictionsArgument, gold: Path = GoldOption,
                 strict: bool = Flag("--strict", "Exit 1 when a text span is not in its document.")) -> None:
    """Check a predictions file against the format and the gold (exit 2 naming the first problem); count the text spans not found in their document.

    Spans that cannot be found are scored as false positives; --strict makes them exit 1."""
    from .gold import load_gold
    from .scoring import read_grounded

    g = load_gold(gold)
    preds = read_grounded(file, g)
    _warn(preds.warnings)
    n_e = sum(len(d.entity_rows) for d in preds.documents.values())
    n_q = sum(len(d.quotes) for d in preds.documents.values())
    lost = [x for d in g.documents if d.id in preds.documents for x in preds.documents[d.id].ungrounded()]
    typer.echo(f"{file}: valid ({len(preds.documents)} documents, {n_e} entities, {n_q} quotes); "
               f"{len(lost)} text spans not found in their document")
    for x in lost[:5]:
        typer.echo(f"  not found: {x['document_id']} {x['field']}: {x['text'][:60]!r}")
    if strict and lost:
        raise typer.Exit(1)


@app.command("compare")
@reports_errors
def compare_cmd(a: Path = typer.Argument(..., metavar="A", help="Predictions JSONL file of system A."),
                b: Path = typer.Argument(..., metavar="B", help="Predictions JSONL file of system B."),
                gold: Path = GoldOption,
                json_out: bool = Flag("--json", "Print one JSON object instead of a table."),
                bootstrap: int = typer.Option(1000, "--bootstrap", min=1, max=MAX_RESAMPLES, metavar="N",
                                              help="Bootstrap resamples."),
                seed: int = SeedOption) -> None:
    """Paired bootstrap of A against B: each headline difference (A - B), its interval, p-value."""
    import json

    from .scoring import compare

    result = compare(a, b, gold, bootstrap=bootstrap, seed=seed)
    _warn(result["warnings"])
    if json_out:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    from rich.table import Table

    from .console import console as terminal

    t = Table(title=f"A = {a}   B = {b}   (F1)", title_justify="left")
    for c in ("metric", "A", "B", "A - B", "95% interval", "p"):
        t.add_column(c, justify="left" if c == "metric" else "right")
    for name, row in result["figures"].items():
        d = row["difference"]["f1"]
        t.add_row(name, f"{row['a']['f1']:.3f}", f"{row['b']['f1']:.3f}", f"{d['difference']:+.3f}",
                  f"[{d['ci'][0]:+.3f}, {d['ci'][1]:+.3f}]", f"{d['p_value']:.3f}")
    console = terminal()
    console.print(t)
    console.print(result["signature"], markup=False)


@app.command("schema")
def schema_cmd() -> None:
    """Print the JSON Schema of a predictions file line."""
    import json

    from .predictions import prediction_schema

    typer.echo(json.dumps(prediction_schema(), ensure_ascii=False, indent=2))


baselines_app = _App(no_args_is_help=True, help="The baselines: list them, run them onto the leaderboard.")
app.add_typer(baselines_app, name="baselines")
TrackOption = typer.Option("end-to-end", "--track", metavar="TRACK",
                           help="end-to-end, or gold-quotes (speakers of the gold quotes).")


@baselines_app.command("list")
def baselines_list() -> None:
    """Each baseline with one line on what it does."""
    from baselines.registry import list_baselines

    rows = list_baselines()
    width = max((len(name) for name, _ in rows), default=0)
    for name, description in rows:
        typer.echo(f"{name:{width}s}  {description}")


@baselines_app.command("run")
@reports_errors
def baselines_run(names: list[str] = typer.Argument(None, metavar="NAME", help="Baselines to run (all by default)."),
                  root: Path = RootOption) -> None:
    """Run baselines on the gold, on both tracks, and submit them to the leaderboard."""
    from baselines.leaderboard import run_baselines

    for slug in run_baselines(repository(root), names or None):
        typer.echo(f"submitted {slug}")


ExtractorArgument = typer.Argument(..., metavar="EXTRACTOR", help="A baseline name, module:object of your extractor, "
                                   "hf:MODEL_FOLDER (token classifier) or openai:MODEL (chat LLM, with --base-url).")
LabelMapOption = typer.Option(None, "--label-map", metavar="JSON|FILE", help="hf:/openai: model label -> benchmark label, as a JSON "
                              "object or a JSON file, e.g. '{\"PERS\": \"PER\", \"MISC\": null}'.")
BaseUrlOption = typer.Option(None, "--base-url", metavar="URL", help="openai: the API root, e.g. http://127.0.0.1:8000/v1 "
                             "(default: $OPENAI_BASE_URL).")
ApiKeyEnvOption = typer.Option(None, "--api-key-env", metavar="VAR", help="openai: environment variable holding the API key "
                               "(default: OPENAI_API_KEY, if set).")
ConcurrencyOption = typer.Option(None, "--concurrency", min=1, metavar="N", help="openai: requests in flight at once (default 1).")
CacheDirOption = typer.Option(None, "--cache-dir", metavar="DIR", help="openai: reply cache folder (default "
                              "~/.cache/isnad-bench/llm; 'none' to disable).")
TimeoutOption = typer.Option(None, "--timeout", min=0.001, metavar="SECONDS", help="openai: seconds to wait for one reply (default 120).")


def _adapter_options(label_map: str | None, base_url: str | None, api_key_env: str | None,
                     concurrency: int | None, cache_dir: str | None, timeout: float | None) -> dict:
    return {"label_map": label_map, "base_url": base_url, "api_key_env": api_key_env,
            "concurrency": concurrency, "cache_dir": cache_dir, "timeout": timeout}


def _extractor_info(extractor) -> dict:
    """What a report records about the extractor that produced it."""
    info = extractor.info() if callable(getattr(extractor, "info", None)) else {}
    return {"name": getattr(extractor, "name", str(extractor)), **info}


@app.command("predict")
@reports_errors
def predict_cmd(name: str = ExtractorArgument,
                text_file: Path = typer.Option(..., "--text-file", metavar="FILE", help="UTF-8 text to run on."),
                doc_id: str = typer.Option(None, "--id", metavar="ID", help="Document id (the file name by default)."),
                label_map: str = LabelMapOption, base_url: str = BaseUrlOption, api_key_env: str = ApiKeyEnvOption,
                concurrency: int = ConcurrencyOption, cache_dir: str = CacheDirOption,
                timeout: float = TimeoutOption,
                offsets_only: bool = Flag("--offsets-only", "Print the spans' offsets without their text.")) -> None:
    """Run an extractor on any text and print its prediction (one JSONL line), each span's text beside its offsets."""
    import json

    from baselines.registry import load_extractor
    from baselines.run import predict_text

    from .safeio import read_text

    text = read_text(text_file, MAX_TEXT_BYTES, "a text to predict on")
    extractor = load_extractor(name, **_adapter_options(label_map, base_url, api_key_env, concurrency,
                                                        cache_dir, timeout))
    pred = predict_text(extractor, text, doc_id or text_file.stem)
    _warn(list(getattr(extractor, "warnings", [])))
    typer.echo(json.dumps(pred if offsets_only else _with_texts(pred, text), ensure_ascii=False))


def _with_texts(pred: dict, text: str) -> dict:
    """``pred`` with the text of every offset span written after its ``end``, for a person to
    read. The line stays a valid prediction: a span may give both, and its text then equals
    the document's text at its offsets."""

    def span(s: dict) -> dict:
        if "start" not in s or "text" in s:
            return s
        out = {}
        for k, v in s.items():
            out[k] = v
            if k == "end":
                out["text"] = text[s["start"]:s["end"]]
        return out

    def quote(q: dict) -> dict:
        q = span(q)
        return {**q, **{k: span(q[k]) for k in ("cue", "speaker") if isinstance(q.get(k), dict)}}

    return {**pred, "entities": [span(e) for e in pred.get("entities", [])],
            "quotes": [quote(q) for q in pred.get("quotes", [])]}


@app.command("evaluate")
@reports_errors
def evaluate_cmd(name: str = ExtractorArgument,
                 track: str = TrackOption, gold: Path = GoldOption,
                 json_out: bool = Flag("--json", "Print one JSON object instead of tables."),
                 bootstrap: int = BootstrapOption, seed: int = SeedOption,
                 out: Path = typer.Option(None, "--out", metavar="FILE", help="Also write the predictions here (JSONL)."),
                 label_map: str = LabelMapOption, base_url: str = BaseUrlOption, api_key_env: str = ApiKeyEnvOption,
                 concurrency: int = ConcurrencyOption, cache_dir: str = CacheDirOption,
                 timeout: float = TimeoutOption) -> None:
    """Run an extractor over the gold and print its score, as `isnad score` does.

    What produced the score is recorded: in the JSON report's "extractor" key, and at the end of the signature.
    """
    import json

    from baselines.registry import load_extractor
    from baselines.run import predict_gold

    from .gold import load_gold
    from .report import Report
    from .scoring import score
    from .transaction import check_target, write_file

    g = load_gold(gold)
    if out is not None:
        check_target(out)  # before the extractor runs, which can take long
    extractor = load_extractor(name, **_adapter_options(label_map, base_url, api_key_env, concurrency,
                                                        cache_dir, timeout))
    preds = predict_gold(extractor, g, track)
    if out is not None:
        write_file(out, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in preds).encode("utf-8"))
    data = score(preds, g, bootstrap=bootstrap, seed=seed).to_dict()
    part = getattr(extractor, "signature_part", None)
    if part:
        data["signature"] = f"{data['signature']}|{part}"
    data["extractor"] = _extractor_info(extractor)
    data["warnings"] = list(data.get("warnings", [])) + [
        f"{data['extractor']['name']}: {w}" for w in getattr(extractor, "warnings", [])]
    _show(Report(data), json_out)
    if not json_out and len(data["extractor"]) > 1:
        typer.echo("extractor: " + ", ".join(f"{k}={v}" for k, v in data["extractor"].items()))


leaderboard_app = _App(no_args_is_help=True, help="Generate and check the leaderboard from its submissions.")
app.add_typer(leaderboard_app, name="leaderboard")


@app.command("submit")
@reports_errors
def submit_cmd(file: Path = PredictionsArgument,
               name: str = typer.Option(..., "--name", metavar="NAME", help="System name (its slug names the folder)."),
               authors: list[str] = typer.Option([], "--authors", metavar="NAME",
                                                 help="An author (repeat the option for more)."),
               url: str = typer.Option(None, "--url", metavar="URL", help="http(s) link to the system or paper."),
               description: str = typer.Option("", "--description", metavar="TEXT", help="One or two sentences."),
               track: str = typer.Option("end-to-end", "--track", metavar="TRACK", help="end-to-end or gold-quotes."),
               date: str = typer.Option(None, "--date", metavar="YYYY-MM-DD", help="Date of the predictions (today by default)."),
               replace: bool = Flag("--replace", "Overwrite a submission of the same slug."),
               root: Path = RootOption) -> None:
    """Validate, score and add a submission, then rebuild the leaderboard (all or nothing)."""
    import datetime

    from pydantic import ValidationError

    from baselines.leaderboard import baseline_slugs

    from .leaderboard import SubmissionMeta, submit

    repository(root)
    try:
        meta = SubmissionMeta(name=name, authors=authors, url=url, description=description, track=track,
                              date=date or datetime.date.today().isoformat())
    except ValidationError as exc:
        err = exc.errors()[0]
        raise IsnadError(err["msg"].removeprefix("Value error, "),
                         field="--" + str(err["loc"][0]) if err["loc"] else None) from None
    slug = submit(root, file, meta, replace=replace, baselines=baseline_slugs())
    typer.echo(f"submitted {slug}: leaderboard/submissions/{slug}/ and the generated files are updated")


@leaderboard_app.command("build")
@reports_errors
def leaderboard_build(root: Path = RootOption) -> None:
    """Regenerate leaderboard/results, README.md and index.html from leaderboard/submissions."""
    from .leaderboard import build

    _report_changes(build(repository(root)), "leaderboard is up to date")


@leaderboard_app.command("check")
@reports_errors
def leaderboard_check(root: Path = RootOption) -> None:
    """Exit 1 naming each generated file that differs from what the submissions generate."""
    from baselines.leaderboard import baseline_slugs

    from .leaderboard import check

    _report_problems(check(repository(root), baselines=baseline_slugs()), "leaderboard is up to date")


def main() -> None:  # pragma: no cover - console entry for `python -m benchmark`
    app(prog_name="isnad")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
