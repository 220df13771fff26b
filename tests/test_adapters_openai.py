"""The openai: adapter against a chat-completions server of the test's own on 127.0.0.1."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

import pytest
from typer.testing import CliRunner

from baselines.adapters.openai_chat import OpenAIChatExtractor, chunk_spans, load_prompt
from baselines.adapters.parsing import ReplyParseError, parse_json_reply
from baselines.registry import load_extractor
from baselines.run import predict_gold, predict_text
from benchmark import load_gold, score
from benchmark.cli import app
from benchmark.errors import IsnadError
from benchmark.grounding import occurrences
from benchmark.predictions import predictions_from_gold

GOLD = load_gold()
DOC = GOLD.documents[0]
FAST = {"max_attempts": 3, "backoff": 0.01, "timeout": 5.0, "progress": False}



class Server:
    """A chat-completions server: ``reply(request, n)`` → (status, headers, body, delay)."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.reply: Callable[[dict, int], tuple[int, dict, str, float]] = lambda req, n: (200, {}, chat(""), 0)
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8"))
                body["_path"], body["_auth"] = self.path, self.headers.get("Authorization")
                server.requests.append(body)
                status, headers, payload, delay = server.reply(body, len(server.requests))
                if delay:
                    time.sleep(delay)
                data = payload.encode("utf-8")
                try:
                    self.send_response(status)
                    for k, v in {"Content-Type": "application/json", **headers}.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def chat(content: str) -> str:
    return json.dumps({"id": "x", "object": "chat.completion",
                       "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                                    "finish_reason": "stop"}]}, ensure_ascii=False)


@pytest.fixture()
def server():
    s = Server()
    yield s
    s.close()


# --- the gold, as an LLM would answer it -----------------------------------------------------

def reference_predictions() -> list[dict]:
    """The gold as text-only predictions, with what an LLM can give for a speaker (a name)."""
    preds = predictions_from_gold(GOLD, text_only=True, speaker="text")
    for doc, pred in zip(GOLD.documents, preds):
        for q in pred["quotes"]:
            if "cluster" in q["speaker"]:
                q["speaker"] = {"text": doc.cluster(q["speaker"]["cluster"]).name}
    return preds


def gold_reply(chunk: str, with_occurrence: bool = True) -> str:
    """The gold items inside ``chunk`` written as the prompt asks (occurrences within the chunk)."""
    for doc in GOLD.documents:
        off = doc.text.find(chunk)
        if off >= 0:
            break
    else:  # pragma: no cover
        raise AssertionError("unknown chunk")
    end = off + len(chunk)

    def span(s: int, e: int) -> dict:
        t = doc.text[s:e]
        d = {"text": t}
        if with_occurrence:
            d["occurrence"] = occurrences(chunk, t).index(s - off)
        return d

    entities = [{**span(m.start, m.end), "label": m.label.value} for m in doc.entities if off <= m.start and m.end <= end]
    quotes = []
    for q in doc.quotes:
        if not (off <= q.start and q.end <= end):
            continue
        speaker = q.speaker_mention.text if q.speaker_mention else doc.cluster(q.speaker).name
        quotes.append({**span(q.start, q.end), "type": q.type.value, "cue": span(q.cue.start, q.cue.end),
                       "speaker": speaker})
    return json.dumps({"entities": entities, "quotes": quotes}, ensure_ascii=False)


def gold_server_reply(req: dict, n: int):
    return 200, {}, chat(gold_reply(req["messages"][-1]["content"])), 0


def comparable(report) -> dict:
    d = report.to_dict()
    d.pop("grounding")  # text spans against offsets: grounding counts differ by design
    d.pop("warnings")
    return d


def adapter(server: Server, tmp_path, **kw) -> OpenAIChatExtractor:
    return load_extractor("openai:test-model", base_url=server.url, **{"cache_dir": str(tmp_path / "cache"), **FAST, **kw})


# --- tests -----------------------------------------------------------------------------------

def test_clean_reply_scores_as_the_equivalent_prediction_file(server, tmp_path):
    server.reply = gold_server_reply
    ex = adapter(server, tmp_path)
    preds = predict_gold(ex, GOLD)
    assert ex.warnings == [] and len(server.requests) == 1
    req = server.requests[0]
    assert req["_path"] == "/v1/chat/completions" and req["model"] == "test-model" and req["temperature"] == 0
    assert req["messages"][0]["role"] == "system" and req["messages"][1]["content"] == DOC.text.strip()
    assert comparable(score(preds, GOLD, bootstrap=0)) == comparable(score(reference_predictions(), GOLD, bootstrap=0))
    assert score(preds, GOLD, bootstrap=0).get("entities.strict")["f1"] == 1.0


def test_chunked_document_concurrently_scores_the_same(server, tmp_path):
    server.reply = gold_server_reply
    ex = adapter(server, tmp_path, chunk_chars=1200, concurrency=3)
    spans = chunk_spans(DOC.text, 1200)
    assert len(spans) >= 3 and all(e - s <= 1200 for s, e in spans)
    preds = predict_gold(ex, GOLD)
    assert len(server.requests) == len(spans) and ex.warnings == []
    # a quote across a chunk boundary cannot be found by any chunk: the reference drops those too
    inside = {(q.start, q.end) for q in DOC.quotes if any(s <= q.start and q.end <= e for s, e in spans)}
    got = {(q["start"], q["end"]) for q in preds[0]["quotes"]}
    assert got == inside and len(inside) >= len(DOC.quotes) - len(spans)


def test_reply_without_occurrences_scores_as_the_same_reply_in_a_file(server, tmp_path):
    """One grounding: the adapter places the reply's texts as the scorer places a file's."""
    server.reply = lambda req, n: (200, {}, chat(gold_reply(req["messages"][-1]["content"], False)), 0)
    report = score(predict_gold(adapter(server, tmp_path), GOLD), GOLD, bootstrap=0)
    as_file = [{"document_id": DOC.id, **json.loads(gold_reply(DOC.text.strip(), False))}]
    assert comparable(report) == comparable(score(as_file, GOLD, bootstrap=0))
    for name in ("quotes.exact", "entities.strict", "cues.exact", "attribution.end_to_end"):
        assert report.get(name)["f1"] == 1.0, name


def test_disk_cache_makes_a_rerun_free(server, tmp_path):
    server.reply = gold_server_reply
    first = predict_gold(adapter(server, tmp_path, chunk_chars=1500), GOLD)
    n = len(server.requests)
    assert n >= 2
    again = adapter(server, tmp_path, chunk_chars=1500)
    assert predict_gold(again, GOLD) == first
    assert len(server.requests) == n and again.requests == 0 and again.cache_hits == n
    # another prompt version or model is another key
    other = load_extractor("openai:other-model", base_url=server.url, cache_dir=str(tmp_path / "cache"),
                           chunk_chars=1500, **FAST)
    predict_gold(other, GOLD)
    assert len(server.requests) == 2 * n


@pytest.mark.parametrize("damage", ["pipe", "link", "too big", "a key twice"])
def test_a_damaged_cache_entry_is_asked_again_never_read_unbounded(server, tmp_path, damage):
    import os

    from baselines.adapters import openai_chat

    server.reply = gold_server_reply
    first = predict_gold(adapter(server, tmp_path), GOLD)
    (entry,) = [p for p in (tmp_path / "cache").rglob("*.json")]
    text = entry.read_text(encoding="utf-8")
    entry.unlink()
    if damage == "pipe":
        os.mkfifo(entry)  # an open() would block for ever
    elif damage == "link":
        (tmp_path / "elsewhere.json").write_text(text, encoding="utf-8")
        entry.symlink_to(tmp_path / "elsewhere.json")
    elif damage == "too big":  # still valid JSON: only its size refuses it
        entry.write_text(text + " " * openai_chat.MAX_REPLY_BYTES, encoding="utf-8")
    else:
        entry.write_text(text.replace('{"model"', '{"reply": "", "model"', 1), encoding="utf-8")
    again = adapter(server, tmp_path)
    assert predict_gold(again, GOLD) == first and again.cache_hits == 0 and len(server.requests) == 2


def test_json_in_prose_and_fences(server, tmp_path):
    body = gold_reply(DOC.text.strip())
    replies = [f"Sure! Here is the annotation:\n{body}\nHope this helps.",
               f"```json\n{body[:-2]},]}}\n```"]  # trailing comma inside a fence
    server.reply = lambda req, n: (200, {}, chat(replies[n - 1]), 0)
    for _ in replies:
        ex = adapter(server, tmp_path, cache_dir="none")
        report = score(predict_gold(ex, GOLD), GOLD, bootstrap=0)
        assert ex.warnings == [] and report.get("quotes.exact")["f1"] == 1.0


def test_invalid_json_is_an_empty_prediction_with_a_warning(server, tmp_path):
    server.reply = lambda req, n: (200, {}, chat("I could not find any quotes {entities: oops"), 0)
    ex = adapter(server, tmp_path)
    pred = predict_text(ex, "قال الوزير إن الاتفاق قريب.", "d1")
    assert pred == {"document_id": "d1", "entities": [], "quotes": []}
    assert len(ex.warnings) == 1 and "no JSON" in ex.warnings[0]


def test_429_is_retried_honouring_retry_after(server, tmp_path):
    body = chat(gold_reply(DOC.text.strip()))
    server.reply = lambda req, n: (429, {"Retry-After": "0"}, '{"error": "slow down"}', 0) if n < 3 else (200, {}, body, 0)
    ex = adapter(server, tmp_path)
    report = score(predict_gold(ex, GOLD), GOLD, bootstrap=0)
    assert len(server.requests) == 3 and ex.warnings == [] and report.get("quotes.exact")["f1"] == 1.0


def test_5xx_until_attempts_run_out_is_a_warning_and_is_not_cached(server, tmp_path):
    server.reply = lambda req, n: (503, {}, "{}", 0)
    ex = adapter(server, tmp_path)
    assert predict_text(ex, "قال الوزير إن الاتفاق قريب.")["quotes"] == []
    assert len(server.requests) == FAST["max_attempts"] and "HTTP 503" in ex.warnings[0]
    server.reply = gold_server_reply
    assert adapter(server, tmp_path).predict(DOC.id, DOC.text)["quotes"]  # asked again, not cached


def test_timeout_is_an_empty_prediction_with_a_warning(server, tmp_path):
    server.reply = lambda req, n: (200, {}, chat("{}"), 1.5)
    ex = adapter(server, tmp_path, timeout=0.2, max_attempts=2)
    t = time.perf_counter()
    pred = predict_text(ex, "قال الوزير إن الاتفاق قريب.", "d")
    assert time.perf_counter() - t < 1.4
    assert pred["quotes"] == [] and pred["entities"] == []
    assert len(ex.warnings) == 1 and "no answer within 0.2 s (2 attempts)" in ex.warnings[0]


def test_ungrounded_items_are_kept_as_text_spans_and_counted(server, tmp_path):
    reply = {"entities": [{"text": "جون كيري", "label": "PERSON"}, {"text": "الوزير", "label": "MISC"},
                          {"text": "الوزير", "label": "PER"}],
             "quotes": [{"text": "الاتفاق قريب", "type": "Indirect", "cue": "قال", "speaker": "الوزير"},
                        {"text": "كلام لم يقل", "type": "direct", "cue": None, "speaker": None}]}
    server.reply = lambda req, n: (200, {}, chat(json.dumps(reply, ensure_ascii=False)), 0)
    text = "قال الوزير إن الاتفاق قريب."
    pred = predict_text(adapter(server, tmp_path), text, "d")
    assert pred["entities"] == [{"text": "جون كيري", "label": "PER"}, {"start": 4, "end": 10, "label": "PER"}]
    q0, q1 = pred["quotes"]
    assert text[q0["start"]:q0["end"]] == "الاتفاق قريب" and q0["type"] == "indirect"
    assert text[q0["cue"]["start"]:q0["cue"]["end"]] == "قال" and q0["speaker"] == {"text": "الوزير"}
    assert q1 == {"text": "كلام لم يقل", "type": "direct"}
    ex = adapter(server, tmp_path)
    ex.predict("d", text)
    assert sum("kept as a text span" in w for w in ex.warnings) == 2
    assert sum("maps to no entity label" in w for w in ex.warnings) == 1


def test_http_errors_and_bad_configuration_are_one_line_errors(server, tmp_path, monkeypatch):
    server.reply = lambda req, n: (401, {}, '{"error": "bad key"}', 0)
    with pytest.raises(IsnadError, match="HTTP 401.*bad key"):
        adapter(server, tmp_path).predict("d", "قال الوزير إن الاتفاق قريب.")
    with pytest.raises(IsnadError, match="--base-url"):
        monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
        load_extractor("openai:m")
    monkeypatch.delenv("NO_SUCH_KEY_VAR", raising=False)
    with pytest.raises(IsnadError, match="NO_SUCH_KEY_VAR"):
        load_extractor("openai:m", base_url=server.url, api_key_env="NO_SUCH_KEY_VAR")
    with pytest.raises(IsnadError, match="--label-map"):
        load_extractor("cue-rules", label_map="{}")
    with pytest.raises(IsnadError, match="--batch-size do"):
        load_extractor("openai:m", base_url=server.url, batch_size=3)


def test_api_key_is_sent_from_the_named_variable(server, tmp_path, monkeypatch):
    monkeypatch.setenv("MY_KEY", "sekrit")
    server.reply = lambda req, n: (200, {}, chat("{}"), 0)
    adapter(server, tmp_path, api_key_env="MY_KEY").predict("d", "قال الوزير.")
    assert server.requests[0]["_auth"] == "Bearer sekrit"


def test_cli_evaluate_records_the_prompt_and_writes_a_submission(server, tmp_path):
    server.reply = gold_server_reply
    out = tmp_path / "preds.jsonl"
    args = ["evaluate", "openai:test-model", "--base-url", server.url, "--cache-dir", str(tmp_path / "c"),
            "--timeout", "5", "--concurrency", "2", "--json", "--bootstrap", "0", "--out", str(out)]
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["signature"].endswith("|prompt:quotes-v1")
    assert data["extractor"]["name"] == "openai:test-model" and data["extractor"]["prompt"] == "quotes-v1"
    assert data["quotes"]["exact"]["f1"] == 1.0
    rescored = score(out, GOLD, bootstrap=0).to_dict()
    assert rescored["quotes"] == data["quotes"] and rescored["entities"] == data["entities"]
    n = len(server.requests)
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0 and len(server.requests) == n and json.loads(r.stdout)["extractor"]["requests"] == 0


def test_cli_predict_and_unreachable_server(tmp_path):
    text = tmp_path / "t.txt"
    text.write_text("قال الوزير إن الاتفاق قريب.", encoding="utf-8")
    r = CliRunner().invoke(app, ["predict", "openai:m", "--text-file", str(text), "--base-url",
                                 "http://127.0.0.1:9/v1", "--cache-dir", "none"])
    assert r.exit_code == 2 and "cannot reach" in r.output


def test_prompt_is_versioned():
    p = load_prompt()
    assert p.version == "quotes-v1" and "version:" not in p.text and "JSON" in p.text


@pytest.mark.parametrize("reply, expected", [
    ('{"quotes": []}', {"quotes": []}),
    ('noise ```json\n{"a": [1,],}\n``` more', {"a": [1]}),
    ('Answer: [{"text": "x", "label": "PER"},] done', [{"text": "x", "label": "PER"}]),
    ('prose [not json] then {"entities": [{"text": "و, ]"}]}', {"entities": [{"text": "و, ]"}]}),
])
def test_tolerant_parsing(reply, expected):
    assert parse_json_reply(reply) == expected


@pytest.mark.parametrize("reply", ["", "no json here", "{broken", "```json\n{oops\n```"])
def test_unparsable_replies(reply):
    with pytest.raises(ReplyParseError):
        parse_json_reply(reply)
