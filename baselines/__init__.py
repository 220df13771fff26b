"""Extractors: baselines for isnad-bench and the interface other models implement."""
