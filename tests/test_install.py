"""A plain (non-editable) install carries the gold: it loads from anywhere, not from the checkout."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


@pytest.fixture(scope="module")
def installed(tmp_path_factory, root):
    target = tmp_path_factory.mktemp("site")
    build = tmp_path_factory.mktemp("build")
    # --no-build-isolation: build with the setuptools already here, no download
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                           "--target", str(target), str(root)],
                          capture_output=True, text=True, cwd=build,
                          env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
    assert proc.returncode == 0, proc.stderr[-2000:]
    return target


def run_installed(target, code, cwd):
    env = {**os.environ, "PYTHONPATH": str(target)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd, env=env)


def test_installed_package_finds_its_own_gold(installed, tmp_path, root):
    code = ("import benchmark, pathlib; g = benchmark.load_gold(); "
            "print(pathlib.Path(benchmark.__file__).parent); print(g.path); print(len(g.documents[0].quotes))")
    proc = run_installed(installed, code, tmp_path)
    assert proc.returncode == 0, proc.stderr
    pkg, gold_path, n_quotes = proc.stdout.split()
    assert pkg.startswith(str(installed)) and gold_path.startswith(str(installed))
    assert not gold_path.startswith(str(root))
    assert int(n_quotes) == len(__import__("benchmark").load_gold().documents[0].quotes)


def test_installed_gold_is_the_checkout_gold(installed, root):
    for name in ("documents.jsonl", "sentences.jsonl", "entities.jsonl", "quotes.jsonl", "meta.json"):
        assert (installed / "benchmark/_gold/data" / name).read_bytes() == (root / "gold/data" / name).read_bytes()
    assert (installed / "benchmark/_seeds/000_017b6ea0ad0b3e21.txt").read_bytes() == \
        (root / "seeds/000_017b6ea0ad0b3e21.txt").read_bytes()
