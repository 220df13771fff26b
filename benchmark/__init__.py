"""isnad-bench: a benchmark for Arabic quotation attribution (who said what, in which words)."""

from __future__ import annotations

from importlib import metadata as _metadata

try:
    __version__ = _metadata.version("isnad-bench")
except _metadata.PackageNotFoundError:  # running from a checkout that is not installed
    __version__ = "0.0.0+checkout"

from .errors import IsnadError
from .gold import Gold, load_gold
from .schema import Cluster, Document, EntityMention, Label, Quote, QuoteType, SpeakerKind

#: The folder to give ``evaluate.load`` for the isnad-bench metric (works offline).
EVALUATE_METRIC = str(__import__("pathlib").Path(__file__).resolve().parent / "hf_metric" / "isnad_bench")


def __getattr__(name: str):
    # scoring is imported on first use only, so `import benchmark` stays light
    if name in ("score", "compare"):
        from . import scoring

        return getattr(scoring, name)
    if name == "Report":
        from .report import Report

        return Report
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "EVALUATE_METRIC", "Cluster", "Document", "EntityMention", "Gold", "IsnadError", "Label", "Quote", "QuoteType",
    "SpeakerKind", "__version__", "load_gold", "score", "compare", "Report",
]
