"""Every speed target, measured side by side with its anchor in one run (not a test).

    python tests/perf/bench.py [--quick]

Prints, per target, the medians of several runs and the ratio the target is stated in.
Machines here are noisy: ratios against an anchor measured in the same run are what count.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
ROOT = HERE.parent.parent


def times_of(fn, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return times


def median_time(fn, runs: int) -> float:
    return statistics.median(times_of(fn, runs))


def row(name: str, value: str, anchor: str, ratio: str, target: str) -> None:
    print(f"{name:44s} {value:>12s} {anchor:>12s} {ratio:>9s}   {target}")


def cold_cli(runs: int) -> None:
    from benchmark import load_gold
    from benchmark.predictions import predictions_from_gold

    tmp = Path(tempfile.mkdtemp())
    f = tmp / "p.jsonl"
    f.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in predictions_from_gold(load_gold())),
                 encoding="utf-8")
    beside = Path(sys.executable).with_name("isnad")  # the install this interpreter runs, not PATH's
    isnad = str(beside) if beside.exists() else shutil.which("isnad")
    mine, theirs = [], []
    for _ in range(runs):  # alternated, so that a noisy moment falls on both sides of the ratio
        mine += times_of(lambda: subprocess.run([isnad, "score", str(f), "--json", "--bootstrap", "0"],
                                                check=True, capture_output=True), 1)
        theirs += times_of(lambda: subprocess.run([sys.executable, "-c", "import seqeval.metrics"], check=True,
                                                  capture_output=True), 1)
    ours, anchor = statistics.median(mine), statistics.median(theirs)
    row("cold `isnad score` (article)", f"{ours:.3f}s", f"{anchor:.3f}s", f"{ours / anchor:.2f}",
        "< 0.25 of `import seqeval.metrics`, < 0.5 s")


def _worker(kind: str, n_sentences: int, calls: int) -> dict:
    """Run in a process of its own (``--worker``), so that only its corpus is alive: ``ours``
    times ``score`` on the corpus; ``anchor`` times seqeval's strict ``classification_report``
    on the same tags and checks that its numbers (and nervaluate's) equal the scorer's."""
    from synthetic import corpus, predictions

    from benchmark.scoring import score

    gold = corpus(n_sentences)
    preds = predictions(gold)
    if kind == "ours":
        # the first call also builds what is kept of the gold (a leaderboard scores every
        # entry against it); Python's full cyclic collections fall on some calls: counted
        first = times_of(lambda: score(preds, gold, bootstrap=0), 1)[0]
        before = gc.get_stats()[2]["collections"]
        times = times_of(lambda: score(preds, gold, bootstrap=0), calls)
        return {"first": first, "times": times, "full": gc.get_stats()[2]["collections"] - before}
    from nervaluate import Evaluator
    from seqeval.metrics import classification_report, f1_score, precision_score, recall_score
    from seqeval.scheme import IOB2

    from benchmark.dataset import iob2, sentence_rows

    report = score(preds, gold, bootstrap=0).to_dict()
    counts = {"documents": len(gold.documents), "sentences": 0, "tokens": 0, "entities": 0, "quotes": 0}
    y_true, y_pred = [], []
    for doc, p in zip(gold.documents, preds):
        # in the order scoring takes them (it sorts): a tie of boundaries goes by label
        spans = sorted((e["start"], e["end"], e["label"]) for e in p["entities"])
        for i, r in enumerate(sentence_rows(doc)):
            toks = list(zip(r["token_starts"], r["token_ends"]))
            y_true.append(r["ner_tags"])
            y_pred.append(iob2(toks, [s for s in spans if doc.sentence_index(s[0]) == i]))
            counts["tokens"] += len(toks)
        counts["entities"] += len(doc.entities)
        counts["quotes"] += len(doc.quotes)
    counts["sentences"] = len(y_true)
    times = times_of(lambda: classification_report(y_true, y_pred, mode="strict", scheme=IOB2), calls)
    ours = report["entities"]["seqeval"]
    same = all(abs(f(y_true, y_pred, mode="strict", scheme=IOB2) - ours[k]) < 1e-12
               for f, k in ((precision_score, "precision"), (recall_score, "recall"), (f1_score, "f1")))
    true = [[{"label": m.label.value, "start": m.start, "end": m.end - 1} for m in d.entities] for d in gold.documents]
    # nervaluate's outcome depends on the order of the predictions where they crowd (ours
    # never does); it gets them by start, end and label
    pred = [sorted(({"label": e["label"], "start": e["start"], "end": e["end"] - 1} for e in p["entities"]),
                   key=lambda x: (x["start"], x["end"], x["label"])) for p in preds]
    t = time.perf_counter()
    nv = Evaluator(true, pred, tags=["PER", "ORG", "GPE", "LOC", "FAC", "NORP", "EVENT"], loader="dict").evaluate()
    nv_time = time.perf_counter() - t
    return {"times": times, "same": same, "counts": counts, "nervaluate": nv_time,
            "strict_same": abs(nv["overall"]["strict"].f1 - report["entities"]["strict"]["f1"]) < 1e-12}


def _in_process(kind: str, n_sentences: int, calls: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--worker", kind, str(n_sentences), str(calls)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.splitlines()[-1])


def corpus_scoring(n_sentences: int, rounds: int, calls: int) -> None:
    """The scorer on the 1M-token corpus and on twice it, and seqeval on the first: each in
    a process of its own (a user scores one corpus a process; a second corpus alive beside it
    makes every full collection walk it too), the three alternated over ``rounds``, so that a
    noisy moment falls on each side of the ratios; medians of all calls."""
    ours: dict[int, list[float]] = {1: [], 2: []}
    full, firsts, anchor, ref = {1: 0, 2: 0}, [], [], {}
    for _ in range(rounds):
        for scale in (1, 2):
            r = _in_process("ours", n_sentences * scale, calls)
            ours[scale] += r["times"]
            full[scale] += r["full"]
            firsts += [r["first"]] if scale == 1 else []
        ref = _in_process("anchor", n_sentences, calls)
        anchor += ref["times"]
    t1, t2, a = statistics.median(ours[1]), statistics.median(ours[2]), statistics.median(anchor)
    c = ref["counts"]
    print(f"  corpus: {c['documents']} documents, {c['sentences']} sentences, {c['tokens']} tokens, "
          f"{c['entities']} entities, {c['quotes']} quotes; seqeval numbers equal: {ref['same']}")
    n = len(ours[1])
    row("all metrics, 1x corpus (no bootstrap)", f"{t1:.2f}s", f"{a:.2f}s", f"{t1 / a:.3f}",
        f"<= 0.3 of seqeval strict classification_report (full collections on {full[1]} of {n} calls)")
    first = statistics.median(firsts)
    row("  first call (the gold's indexes built)", f"{first:.2f}s", f"{a:.2f}s", f"{first / a:.3f}",
        "(for reference: a one-shot `isnad score` pays this)")
    row("  nervaluate evaluate, same spans", f"{t1:.2f}s", f"{ref['nervaluate']:.2f}s", f"{t1 / ref['nervaluate']:.3f}",
        f"(for reference; strict F1 equal: {ref['strict_same']}, as crowded spans differ)")
    row("all metrics, 2x corpus against 1x", f"{t2:.2f}s", f"{t1:.2f}s", f"{t2 / t1:.2f}",
        f"<= 2.2 (linear; full collections on {full[2]} of {len(ours[2])} calls)")


# The peak RSS of the child's own address space: Linux carries ru_maxrss across fork and exec,
# so the child's getrusage reports at least this (large) parent's RSS at the time of the spawn.
_PEAK_RSS_MB = ("def peak_mb():\n"
                "    try:\n"
                "        for line in open('/proc/self/status'):\n"
                "            if line.startswith('VmHWM:'):\n"
                "                return int(line.split()[1]) / 1024\n"
                "    except OSError:\n"
                "        pass\n"
                "    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n")


def memory(n_sentences: int) -> None:
    code = ("import sys, resource\n" + _PEAK_RSS_MB +
            "sys.path.insert(0, %r); from synthetic import corpus, predictions\n"
            "from benchmark.scoring import score; g = corpus(%d); p = predictions(g)\n"
            "built = peak_mb(); score(p, g, bootstrap=0); print(built, peak_mb())") % (str(HERE), n_sentences)
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.split()
    built, peak = float(out[-2]), float(out[-1])
    row("peak RSS, 1x corpus scoring", f"{peak:.0f} MB", "600 MB", f"{peak / 600:.2f}",
        f"< 600 MB (of which gold + predictions built: {built:.0f} MB; scoring adds {peak - built:.0f} MB)")


def many_entities(n: int) -> None:
    """A file of one line, the article with ``n`` predicted entities (gold ones and random
    ones, compact JSON), scored with the default bootstrap in a fresh process."""
    import random

    from benchmark import load_gold

    doc = load_gold().documents[0]
    rng = random.Random(5)
    gold = [(m.start, m.end, m.label.value) for m in doc.entities]
    ents = []
    for k in range(n):
        s = rng.randrange(len(doc.text) - 13)
        start, end, label = gold[k % len(gold)] if k % 3 else (s, s + rng.randint(1, 12), rng.choice(["PER", "GPE"]))
        ents.append({"start": start, "end": end, "label": label})
    f = Path(tempfile.mkdtemp()) / "many.jsonl"
    f.write_text(json.dumps({"document_id": doc.id, "entities": ents, "quotes": []}, separators=(",", ":")) + "\n",
                 encoding="utf-8")
    code = ("import resource\n" + _PEAK_RSS_MB +
            "from benchmark.scoring import score; score(%r); print(peak_mb())") % str(f)
    peak = float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.split()[-1])
    row(f"peak RSS, {n:,} entities in one file", f"{peak:.0f} MB", "500 MB", f"{peak / 500:.2f}",
        f"< 500 MB (`score` of a {f.stat().st_size / 1e6:.1f} MB line, 1,000 resamples)")


def bootstrap(runs: int) -> None:
    from benchmark import load_gold
    from benchmark.predictions import predictions_from_gold
    from benchmark.scoring import score

    gold = load_gold()
    preds = predictions_from_gold(gold)
    preds[0]["quotes"] = preds[0]["quotes"][::2]
    with_b = median_time(lambda: score(preds, gold, bootstrap=1000), runs)
    without = median_time(lambda: score(preds, gold, bootstrap=0), runs)
    row("1,000 bootstrap resamples (article)", f"{with_b - without:.3f}s", "1.000s", f"{(with_b - without):.2f}", "< 1 s")


def baselines(runs: int) -> None:
    from baselines.registry import get_baseline

    from benchmark import load_gold

    text = load_gold().documents[0].text
    big = ("\n".join([text] * (1_000_000 // len(text.encode("utf-8")) + 1)))
    mb = len(big.encode("utf-8")) / 1e6
    for name in ("quote-marks", "cue-rules"):
        b = get_baseline(name)
        t = median_time(lambda: b.predict("x", big), runs)
        row(f"baseline {name} throughput", f"{mb / t:.2f}MB/s", "1.00MB/s", f"{mb / t:.2f}", ">= 1 MB/s")
    try:
        from baselines.supervised import cross_validated_predictions, load_sentence_rows
    except ImportError:
        return
    doc = load_gold().documents[0]
    rows = load_sentence_rows()
    own = [r for r in rows if r["document_id"] == doc.id]
    t = time.perf_counter()
    cross_validated_predictions(own, doc.text, doc.id, training_rows=rows)
    row("supervised cross-validation", f"{time.perf_counter() - t:.1f}s", "60s", "", "< 60 s on 2 cores")


def leaderboard(sizes: tuple[int, int], reps: int) -> None:
    from benchmark import load_gold
    from benchmark.leaderboard import SubmissionMeta, board
    from benchmark.leaderboard.submission import dump_meta
    from benchmark.predictions import predictions_from_gold

    gold = load_gold()
    base = predictions_from_gold(gold)

    def board_of(n: int) -> Path:
        root = Path(tempfile.mkdtemp())
        for i in range(n):
            folder = root / "leaderboard/submissions" / f"s{i:04d}"
            folder.mkdir(parents=True)
            p = json.loads(json.dumps(base))
            p[0]["quotes"] = p[0]["quotes"][i % 7:]
            p[0]["entities"] = p[0]["entities"][i % 11:]
            (folder / "predictions.jsonl").write_text(json.dumps(p[0], ensure_ascii=False) + "\n", encoding="utf-8")
            (folder / "submission.yaml").write_text(dump_meta(SubmissionMeta(name=f"s{i}", date="2026-12-01")),
                                                    encoding="utf-8")
        return root

    # the sizes alternate, a fresh board each time (a build keeps what it computed), so that
    # a noisy moment falls on both sides of the ratio; medians of `reps` builds
    times: dict[int, list[float]] = {n: [] for n in sizes}
    for rep in range(reps):
        for n in sizes:
            root = board_of(n)
            t = time.perf_counter()
            board.build(root, gold)
            times[n].append(time.perf_counter() - t)
            if n == sizes[-1] and rep == reps - 1:
                p = root / "leaderboard/submissions/s0000/predictions.jsonl"
                d = json.loads(p.read_text(encoding="utf-8"))
                d["quotes"] = d["quotes"][1:]
                p.write_text(json.dumps(d, ensure_ascii=False) + "\n", encoding="utf-8")
                t = time.perf_counter()
                board.build(root, gold)
                again = time.perf_counter() - t
                full = statistics.median(times[n])
                row(f"leaderboard rebuild, 1 of {n} changed", f"{again:.1f}s", f"{full:.1f}s", f"{again / full:.2f}",
                    "only the changed one rescored with bootstrap")
            shutil.rmtree(root)
    a, b = (statistics.median(times[n]) for n in sizes)
    na, nb = sizes
    row(f"leaderboard build, {nb} submissions", f"{b:.1f}s", "30.0s", f"{b / 30:.2f}", "< 30 s")
    row(f"leaderboard build, {nb} against {na}", f"{b:.1f}s", f"{a:.1f}s", f"{b / a:.2f}",
        f"<= {2.2 * nb / na / 2:.1f} (linear)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller corpus and fewer runs (a smoke run)")
    ap.add_argument("--worker", nargs=3, metavar=("KIND", "SENTENCES", "CALLS"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        kind, n_sentences, calls = args.worker
        print(json.dumps(_worker(kind, int(n_sentences), int(calls))))
        return
    runs = 3 if args.quick else 5
    n = 5_000 if args.quick else 50_000
    print(f"# isnad-bench speed, {time.strftime('%Y-%m-%d')}, {platform.node()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}{' (quick)' if args.quick else ''}")
    print(f"{'target':44s} {'ours':>12s} {'anchor':>12s} {'ratio':>9s}   goal")
    cold_cli(9 if not args.quick else 3)
    corpus_scoring(n, *((3, 3) if not args.quick else (1, 1)))
    memory(n)
    many_entities(20_000 if args.quick else 200_000)
    bootstrap(runs)
    baselines(runs)
    leaderboard((50, 100) if args.quick else (500, 1000), 1 if args.quick else 3)


if __name__ == "__main__":
    main()
