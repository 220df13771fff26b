"""isnad-bench: a benchmark for Arabic quotation attribution (who said what, in which words)."""

from __future__ import annotations

from importlib import metadata as _metadata

try:
    __version__ = _metadata.version("isnad-bench")
except _metadata.PackageNotFoundError:  # running from a checkout that is not installed
    __version__ = "0.0.0+checkout"

from .errors import IsnadError
from .gold import Gold, bundled_gold_dir, load_gold
from .schema import Cluster, Document, EntityMention, Label, Quote, QuoteType, SpeakerKind

#: The folder to give ``evaluate.load`` for the isnad-bench metric (works offline).
EVALUATE_METRIC = str(__import__("pathlib").Path(__file__).resolve().parent / "hf_metric" / "isnad_bench")

#: The bundled gold folder (the checkout's ``gold/``, or its installed copy), as an absolute
#: path for ``datasets.load_dataset(GOLD_PATH, CONFIG)``: a path never resolves to another
#: dataset, where the bare name "gold" outside the repository is looked up on the Hub and,
#: offline, silently served from whatever the datasets cache holds under that name.
GOLD_PATH = str(bundled_gold_dir())


def __getattr__(name: str):
    # scoring is imported on first use only, so `import benchmark` stays light
    if name in ("score", "compare"):
        from . import scoring

        return getattr(scoring, name)
    if name == "gold_dataset":
        from .dataset import gold_dataset

        return gold_dataset
    if name == "Report":
        from .report import Report

        return Report
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "EVALUATE_METRIC", "GOLD_PATH", "Cluster", "Document", "EntityMention", "Gold", "IsnadError", "Label", "Quote",
    "QuoteType", "SpeakerKind", "__version__", "load_gold", "gold_dataset", "score", "compare", "Report",
]
