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
