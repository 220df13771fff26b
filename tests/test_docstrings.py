"""The examples in the docstrings of the benchmark and the baselines hold."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MODULES = sorted(".".join(p.relative_to(ROOT).with_suffix("").parts) for part in ("benchmark", "baselines")
                 for p in (ROOT / part).rglob("*.py") if ">>>" in p.read_text(encoding="utf-8"))


@pytest.mark.parametrize("module", MODULES)
def test_the_documented_examples_hold(module):
    result = doctest.testmod(importlib.import_module(module))
    assert result.failed == 0 and result.attempted > 0
