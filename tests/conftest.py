"""Shared fixtures: the repository root and a scratch copy of it for tests that write."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture()
def scratch(tmp_path: Path) -> Path:
    """A copy of the parts of the checkout that the gold tooling reads and writes."""
    for part in ("seeds", "gold"):
        shutil.copytree(ROOT / part, tmp_path / part)
    return tmp_path
