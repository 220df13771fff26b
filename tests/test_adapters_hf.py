"""The hf: adapter with tiny token classifiers built and saved by the test (nothing downloaded).

The models are random BERTs made deterministic: the encoder's residual branches are zeroed,
so each token's final state is its (normalized) word embedding, and each embedding is a
one-hot vector of the label the test wants for that token; the classifier reads the label
back. So each subword's tag is chosen by the test, including words whose subwords disagree.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

transformers = pytest.importorskip("transformers")
torch = pytest.importorskip("torch")

from typer.testing import CliRunner  # noqa: E402

from baselines.registry import load_extractor  # noqa: E402
from baselines.run import predict_gold, predict_text  # noqa: E402
from benchmark import load_gold, score  # noqa: E402
from benchmark.cli import app  # noqa: E402
from benchmark.errors import IsnadError  # noqa: E402

LETTERS = [chr(c) for c in range(0x0621, 0x064B)]
WORDS = ["قال", "إن", "أن", "با", "##يد", "الحل", "قريب", "يورو"]
PUNCT = ["،", ".", ":", '"', "«", "»", ","]
VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + WORDS + PUNCT + LETTERS + ["##" + x for x in LETTERS]
NER_LABELS = ["O", "B-PERS", "I-PERS", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-MISC", "I-MISC"]
TEXT = "قال جون كيري في سوريا إن بايدن يؤيد يورو.\nوأضاف أن الحل قريب."



def make_tokenizer():
    vocab = {w: i for i, w in enumerate(VOCAB)}
    cls = transformers.BertTokenizerFast
    if int(transformers.__version__.split(".")[0]) >= 5:
        return cls(vocab=vocab, do_lower_case=False, strip_accents=False)
    import tempfile

    path = Path(tempfile.mkdtemp()) / "vocab.txt"
    path.write_text("\n".join(VOCAB) + "\n", encoding="utf-8")
    return cls(vocab_file=str(path), do_lower_case=False, strip_accents=False)


def make_model(folder: Path, labels: list[str], tags: dict[str, str]) -> Path:
    """A token classifier saved in ``folder`` that tags token ``t`` with ``tags.get(t, "O")``."""
    tok = make_tokenizer()
    cfg = transformers.BertConfig(vocab_size=len(VOCAB), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                                  intermediate_size=64, max_position_embeddings=64,
                                  id2label=dict(enumerate(labels)), label2id={x: i for i, x in enumerate(labels)})
    torch.manual_seed(0)
    model = transformers.BertForTokenClassification(cfg)
    with torch.no_grad():
        for layer in model.bert.encoder.layer:
            for dense in (layer.attention.output.dense, layer.output.dense):
                dense.weight.zero_()
                dense.bias.zero_()
        model.bert.embeddings.position_embeddings.weight.zero_()
        model.bert.embeddings.token_type_embeddings.weight.zero_()
        emb = torch.zeros(len(VOCAB), 32)
        for i, t in enumerate(VOCAB):
            emb[i, labels.index(tags.get(t, "O"))] = 1.0
        model.bert.embeddings.word_embeddings.weight.copy_(emb)
        model.classifier.weight.zero_()
        model.classifier.bias.zero_()
        for k in range(len(labels)):
            model.classifier.weight[k, k] = 10.0
    model.save_pretrained(folder)
    tok.save_pretrained(folder)
    return folder


# "بايدن" is با ##يد ##ن: its subwords are tagged B-PERS, B-LOC, O; "جون كيري" is B-PERS ... I-PERS
NER_TAGS = {"با": "B-PERS", "##يد": "B-LOC", "ج": "B-PERS", "##و": "I-PERS", "ك": "I-PERS", "##ي": "I-PERS",
            "س": "B-LOC", "يورو": "B-MISC", ".": "B-PERS"}


@pytest.fixture(scope="module")
def ner_model(tmp_path_factory) -> Path:
    return make_model(tmp_path_factory.mktemp("ner"), NER_LABELS, NER_TAGS)


def spans(pred: dict, text: str = TEXT) -> list[tuple[str, str]]:
    return [(text[e["start"]:e["end"]], e["label"]) for e in pred["entities"]]


def test_subwords_aggregate_to_words_and_labels_map(ner_model):
    ex = load_extractor(f"hf:{ner_model}")
    tokens = ex.tokenizer.tokenize("بايدن")
    assert tokens == ["با", "##يد", "##ن"]  # one word, three subwords, three different tags
    pred = predict_text(ex, TEXT, "d")
    assert spans(pred) == [("جون كيري", "PER"), ("سوريا", "LOC"), ("بايدن", "PER")]
    # MISC maps to nothing: dropped and counted; the lone "." is punctuation: stripped away
    assert ex.dropped == {"B-MISC": 1} and ex.info()["dropped_labels"] == {"B-MISC": 1}
    # no model quote labels: quotes, cues and speakers are the cue rules'
    assert ex.quote_source == "rules" and pred["quotes"]
    assert {TEXT[q["cue"]["start"]:q["cue"]["end"]] for q in pred["quotes"]} <= {"قال", "أضاف", "وأضاف"}


def test_custom_label_map(ner_model, tmp_path):
    ex = load_extractor(f"hf:{ner_model}", label_map='{"LOC": "GPE", "MISC": "EVENT", "B-PERS": null}')
    # B-PERS dropped: "جون" no longer opens a PER; its I-PERS continuation then opens one
    assert spans(predict_text(ex, TEXT)) == [("كيري", "PER"), ("سوريا", "GPE"), ("يورو", "EVENT")]
    path = tmp_path / "map.json"
    path.write_text(json.dumps({"PERS": "ORG"}), encoding="utf-8")
    assert [lab for _, lab in spans(predict_text(load_extractor(f"hf:{ner_model}", label_map=str(path)), TEXT))] == \
        ["ORG", "LOC", "ORG"]
    with pytest.raises(IsnadError, match="label map value 'PERSONA'"):
        load_extractor(f"hf:{ner_model}", label_map='{"PERS": "PERSONA"}')


def test_a_model_that_tags_quotes(tmp_path):
    labels = ["O", "B-PER", "I-PER", "B-INDIRECT", "I-INDIRECT", "B-QUOTE", "I-QUOTE"]
    folder = make_model(tmp_path / "q", labels, {"الحل": "B-INDIRECT", "قريب": "I-INDIRECT", "با": "B-PER"})
    ex = load_extractor(f"hf:{folder}")
    assert ex.quote_source == "model"
    pred = predict_text(ex, TEXT, "d")
    assert spans(pred) == [("بايدن", "PER")]
    (q,) = pred["quotes"]
    assert TEXT[q["start"]:q["end"]] == "الحل قريب" and q["type"] == "indirect"
    assert TEXT[q["cue"]["start"]:q["cue"]["end"]] in ("أضاف", "وأضاف")


def test_cli_evaluate_on_the_gold_and_the_written_file_rescores(ner_model, tmp_path):
    out = tmp_path / "hf.jsonl"
    r = CliRunner().invoke(app, ["evaluate", f"hf:{ner_model}", "--json", "--bootstrap", "0", "--out", str(out),
                                 "--label-map", '{"LOC": "GPE"}'])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["extractor"]["kind"] == "hf" and data["extractor"]["quotes"] == "rules"
    assert data["signature"].split("|")[-1].startswith("labels:")
    assert data["entities"]["counts"]["strict"]["ACT"] > 0
    rescored = score(out, load_gold(), bootstrap=0).to_dict()
    assert rescored["entities"] == data["entities"] and rescored["quotes"] == data["quotes"]
    # the gold-quotes track works too (speakers by the cue-rules linker)
    assert predict_gold(load_extractor(f"hf:{ner_model}"), load_gold(), "gold-quotes")


def test_unloadable_model_and_options_are_one_line_errors(tmp_path, monkeypatch):
    empty = tmp_path / "empty"
    empty.mkdir()
    for spec in (f"hf:{empty}", "hf:someone/not-in-the-local-cache"):
        with pytest.raises(IsnadError, match="cannot load the model .*nothing is downloaded") as err:
            load_extractor(spec)
        assert "\n" not in str(err.value)
    with pytest.raises(IsnadError, match="--base-url does not apply to hf"):
        load_extractor(f"hf:{empty}", base_url="http://127.0.0.1:1")
    r = CliRunner().invoke(app, ["evaluate", f"hf:{empty}"])
    assert r.exit_code == 2 and "cannot load the model" in r.output


def test_missing_extra_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "transformers", None)
    with pytest.raises(IsnadError, match=r"optional extra .*isnad-bench\[hf\]"):
        load_extractor(f"hf:{tmp_path}")


def test_the_cli_imports_no_torch_unless_asked():
    code = ("import sys\nfrom benchmark.cli import app\nfrom baselines.registry import load_extractor\n"
            "load_extractor('openai:m', base_url='http://127.0.0.1:1/v1', cache_dir='none')\n"
            "print([m for m in ('torch', 'transformers') if m in sys.modules])")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"
