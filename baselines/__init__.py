"""Extractors: baselines for isnad-bench and the interface other models implement."""

from .base import Extractor, attribute_from_predict, check_prediction, empty_prediction
from .registry import get_baseline, list_baselines, load_extractor

__all__ = [
    "Extractor", "attribute_from_predict", "check_prediction", "empty_prediction",
    "get_baseline", "list_baselines", "load_extractor",
]
