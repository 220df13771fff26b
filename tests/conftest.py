"""Shared fixtures: the repository root and a scratch copy of it for tests that write."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent

# Property tests draw new random examples on every local run, which is how they find cases; in
# CI the examples are derived from each test's name, so that a commit's verdict is the same on
# every run and a failure there is reproduced by running the test again.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
    settings.load_profile("ci")


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture()
def scratch(tmp_path: Path) -> Path:
    """A copy of the parts of the checkout that the gold tooling reads and writes."""
    for part in ("seeds", "gold"):
        shutil.copytree(ROOT / part, tmp_path / part)
    return tmp_path


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch):
    """Any connection to an address other than 127.0.0.1 / ::1 fails the test: nothing in
    this project may reach the network at run time or in tests."""
    import socket

    real = socket.socket.connect

    def connect(self, address):
        host = address[0] if isinstance(address, tuple) else address
        assert host in ("127.0.0.1", "::1", "localhost") or isinstance(address, str), f"network access to {address}"
        return real(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
