"""`datasets.load_dataset("gold", CONFIG)` works offline for every config, features honoured."""

from __future__ import annotations

import json
import os

import pytest

from benchmark.dataset import CONFIGS, features

datasets = pytest.importorskip("datasets")


@pytest.fixture(autouse=True)
def offline(monkeypatch, root):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.chdir(root)


def _load(config, tmp_path):
    # a fresh cache: datasets keys its cache by the card, so a shared one could be stale
    return datasets.load_dataset("gold", config, split="test", cache_dir=str(tmp_path / "cache"))


@pytest.mark.parametrize("config", CONFIGS)
def test_config_loads_with_declared_features(config, tmp_path, root):
    ds = _load(config, tmp_path)
    assert ds.features == features(config)
    rows = [json.loads(x) for x in (root / "gold/data" / f"{config}.jsonl").read_text(encoding="utf-8").splitlines()]
    assert ds.num_rows == len(rows)
    # ClassLabel columns come back as ints that decode to the stored names
    if config == "sentences":
        names = ds.features["ner_tags"].feature.names
        assert [[names[i] for i in r] for r in ds["ner_tags"]] == [r["ner_tags"] for r in rows]
        qnames = ds.features["quote_tags"].feature.names
        assert [[qnames[i] for i in r] for r in ds["quote_tags"]] == [r["quote_tags"] for r in rows]
    if config == "entities":
        assert [ds.features["label"].int2str(i) for i in ds["label"]] == [r["label"] for r in rows]
    if config == "quotes":
        assert [ds.features["type"].int2str(i) for i in ds["type"]] == [r["type"] for r in rows]
        assert ds["speaker_mention_start"] == [r["speaker_mention_start"] for r in rows]
    if config == "documents":
        assert ds[0]["text"] == rows[0]["text"]
        assert len(ds[0]["quotes"]) == len(rows[0]["quotes"])


def test_default_config_is_documents(tmp_path):
    ds = datasets.load_dataset("gold", split="test", cache_dir=str(tmp_path / "cache"))
    assert "quotes" in ds.features and ds.num_rows == 1


def test_no_loading_script_in_gold(root):
    # datasets 4+ refuses a folder whose script shares its name
    assert not any(p.suffix == ".py" for p in (root / "gold").rglob("*"))
    assert os.path.isfile(root / "gold" / "README.md")


@pytest.fixture()
def stale_cache(tmp_path, root, monkeypatch):
    """A datasets cache holding, under the name "gold", another checkout's gold whose quotes
    file lost rows (the same card: datasets keys its cache by the card)."""
    import shutil

    other = tmp_path / "other-checkout"
    shutil.copytree(root / "gold", other / "gold")
    quotes = other / "gold/data/quotes.jsonl"
    quotes.write_text("".join(quotes.read_text(encoding="utf-8").splitlines(keepends=True)[:2]), encoding="utf-8")
    cache = tmp_path / "cache"
    monkeypatch.chdir(other)
    assert datasets.load_dataset("gold", "quotes", split="test", cache_dir=str(cache)).num_rows == 2
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    return cache


def test_the_bare_name_outside_the_repository_serves_the_cache(stale_cache):
    """What the README warns of: no `gold/` folder here, so datasets looks "gold" up on the
    Hub and, offline, serves the cached copy without a word."""
    assert datasets.load_dataset("gold", "quotes", split="test", cache_dir=str(stale_cache)).num_rows == 2


def test_gold_dataset_loads_the_bundled_files_whatever_the_cache_holds(stale_cache, root):
    import benchmark

    assert benchmark.GOLD_PATH == str(root / "gold")
    for config in CONFIGS:
        ds = benchmark.gold_dataset(config, cache_dir=str(stale_cache))
        rows = (root / "gold/data" / f"{config}.jsonl").read_text(encoding="utf-8").splitlines()
        assert ds.num_rows == len(rows) and ds.features == features(config), config
    with pytest.raises(ValueError, match="unknown config 'mentions'"):
        benchmark.gold_dataset("mentions")


def test_the_card_loads_the_folder_by_its_path(root, tmp_path, monkeypatch):
    """The card's example loads by path (never the bare name "gold", which means this folder
    only from the repository root) and does what its comments say."""
    import re

    card = (root / "gold" / "README.md").read_text(encoding="utf-8")
    code = "".join(re.findall(r"```python\n(.*?)```", card, re.S))
    calls = re.findall(r'load_dataset\("([^"]+)"', code)
    assert calls and set(calls) == {"path/to/gold"}
    assert "offline" in card and "cache" in card  # the reason for the path, said
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # not the repository root: a path works from anywhere
    runnable = code.replace('"path/to/gold"', repr(str(root / "gold"))).replace(
        'split="test")', f'split="test", cache_dir={str(tmp_path / "cache")!r})')
    namespace: dict = {}
    exec(runnable, namespace)
    for line in code.splitlines():  # each `expression  # [value]` line shows its value
        m = re.match(r"(\S[^#]*?)\s+#\s+(\[.*\])$", line)
        if m:
            assert repr(eval(m.group(1), namespace)) == m.group(2), line
    assert namespace["quotes"].num_rows == len((root / "gold/data/quotes.jsonl").read_text(encoding="utf-8").splitlines())
