"""The ``openai:MODEL`` adapter: a chat LLM behind the extractor interface.

Each document, cut into chunks of whole sentences (about ``chunk_chars`` characters), is
sent to ``{base_url}/chat/completions`` (the OpenAI chat-completions protocol, which most
local and hosted servers speak) with the versioned prompt of ``prompts/`` as the system
message and the chunk as the user message, at temperature 0. The reply is read
tolerantly (:func:`~baselines.adapters.parsing.parse_json_reply`) and its text spans
grounded in the chunk by :mod:`benchmark.grounding` (the scorer's own rules).

Only the standard library is used for HTTP. Requests are retried with exponential
backoff on 429, 5xx, timeouts and dropped connections (``max_attempts`` in all, a small
``Retry-After`` honoured); other HTTP errors and an unreachable server raise IsnadError.
A chunk whose requests all failed, or whose reply holds no JSON, is predicted as nothing
and named in :attr:`OpenAIChatExtractor.warnings` (the run goes on). Successful replies
are cached on disk by sha256 of (model, prompt version and text, chunk), so a rerun makes
no request.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import socket
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from benchmark.errors import IsnadError
from benchmark.safeio import loads_object, read_text
from benchmark.text import split_sentences
from benchmark.transaction import write_file

from ..base import Prediction, Speaker, attribute_from_predict
from .parsing import LabelMapper, ReplyParseError, drop_overlapping_quotes, parse_json_reply, reply_items

PROMPTS = Path(__file__).with_name("prompts")
DEFAULT_PROMPT = "quotes-v1"
DEFAULT_CHUNK_CHARS = 6000
MAX_PROMPT_BYTES = 256 * 1024
MAX_REPLY_BYTES = 8 * 1024 * 1024  # an HTTP answer, or a cached one, over this is refused


@dataclass(frozen=True)
class Prompt:
    """A versioned prompt: its ``version`` (first line ``version: NAME``) and its text."""

    version: str
    text: str


def load_prompt(name_or_path: str = DEFAULT_PROMPT) -> Prompt:
    """The prompt ``prompts/NAME.txt`` (or a file path); its first line is ``version: NAME``."""
    path = Path(name_or_path)
    if not path.suffix:
        path = PROMPTS / f"{name_or_path}.txt"
    raw = read_text(path, MAX_PROMPT_BYTES, "a prompt")
    first, _, rest = raw.partition("\n")
    key, sep, version = first.partition(":")
    if not sep or key.strip().lower() != "version" or not version.strip():
        raise IsnadError("the first line of a prompt must be 'version: NAME'", file=str(path), line=1)
    return Prompt(version.strip(), rest.strip() + "\n")


def chunk_spans(text: str, max_chars: int = DEFAULT_CHUNK_CHARS) -> list[tuple[int, int]]:
    """``[start, end)`` chunks of whole sentences, each at most ``max_chars`` long unless a
    single sentence is longer. The whole text is one chunk when it is short enough.

    >>> chunk_spans("Title\\nA b., C d.", 6)
    [(0, 5), (6, 10), (12, 16)]
    """
    if len(text.strip()) == 0:
        return []
    sentences = split_sentences(text)
    if not sentences:
        return []
    out: list[tuple[int, int]] = []
    start, end = sentences[0].start, sentences[0].end
    for s in sentences[1:]:
        if s.end - start <= max_chars:
            end = s.end
        else:
            out.append((start, end))
            start, end = s.start, s.end
    out.append((start, end))
    return out


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "isnad-bench" / "llm"


class _Transient(Exception):
    """A request that may succeed if tried again."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class _Failed(Exception):
    """Every attempt at a request failed transiently."""


def _retry_after(headers: Any) -> float | None:
    value = headers.get("Retry-After") if headers is not None else None
    try:
        return max(0.0, float(value)) if value is not None else None
    except (TypeError, ValueError):
        return None  # an HTTP date: use the backoff


class OpenAIChatExtractor:
    """Entities and quotes (with type, cue and speaker) from a chat LLM; see the module docstring.

    ``warnings`` lists what did not go through (failed chunks, unparsable replies, spans not
    found in the text); ``requests`` counts the HTTP requests sent, ``cache_hits`` the
    chunks answered from the disk cache.
    """

    kind = "openai"

    def __init__(self, model: str, *, base_url: str | None = None, api_key_env: str | None = None,
                 concurrency: int = 1, cache_dir: str | Path | None = None, timeout: float = 120.0,
                 max_attempts: int = 4, backoff: float = 1.0, max_retry_after: float = 30.0,
                 chunk_chars: int = DEFAULT_CHUNK_CHARS, prompt: str = DEFAULT_PROMPT,
                 label_map: str | Path | dict | None = None, progress: bool | None = None) -> None:
        if not model:
            raise IsnadError("openai: needs a model name, e.g. openai:gpt-4o-mini")
        base_url = base_url or os.environ.get("OPENAI_BASE_URL")
        if not base_url:
            raise IsnadError("openai: needs --base-url (e.g. http://127.0.0.1:8000/v1) or OPENAI_BASE_URL",
                             field="--base-url")
        if not base_url.startswith(("http://", "https://")):
            raise IsnadError(f"base URL {base_url!r} is not http(s)", field="--base-url")
        if concurrency < 1 or max_attempts < 1 or timeout <= 0 or chunk_chars < 1:
            raise IsnadError("concurrency, max_attempts, timeout and chunk_chars must be positive")
        self.model = model
        self.base_url = base_url.rstrip("/")
        self.url = self.base_url + "/chat/completions"
        key_var = api_key_env or "OPENAI_API_KEY"
        self.api_key = os.environ.get(key_var)
        if api_key_env and not self.api_key:
            raise IsnadError(f"the environment variable {api_key_env} (the API key) is not set",
                             field="--api-key-env")
        self.concurrency = concurrency
        if cache_dir is not None and str(cache_dir).lower() in ("", "none", "off"):
            self.cache_dir: Path | None = None
        else:
            self.cache_dir = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()
        self.timeout = float(timeout)
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.max_retry_after = max_retry_after
        self.chunk_chars = chunk_chars
        self.prompt = load_prompt(prompt)
        self.mapper = LabelMapper(label_map)
        self.progress = progress
        self.name = f"openai:{model}"
        self.description = f"Chat LLM {model} at {self.base_url}, prompt {self.prompt.version}."
        self.signature_part = f"prompt:{self.prompt.version}"
        self.warnings: list[str] = []
        self.requests = 0
        self.cache_hits = 0
        self._lock = threading.Lock()
        self._memo: dict[str, tuple[str, str]] = {}  # key -> ("ok", reply) | ("failed", reason)

    # -- report ------------------------------------------------------------------------
    def info(self) -> dict[str, Any]:
        """What the evaluate report records about this extractor."""
        return {"name": self.name, "kind": self.kind, "model": self.model, "base_url": self.base_url,
                "prompt": self.prompt.version, "chunk_chars": self.chunk_chars, "requests": self.requests,
                "cache_hits": self.cache_hits, "warnings": len(self.warnings)}

    # -- cache -------------------------------------------------------------------------
    def cache_key(self, chunk: str) -> str:
        payload = json.dumps({"model": self.model, "prompt_version": self.prompt.version,
                              "prompt": self.prompt.text, "chunk": chunk}, ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def _cache_path(self, key: str) -> Path | None:
        return None if self.cache_dir is None else self.cache_dir / key[:2] / f"{key}.json"

    def _cache_get(self, key: str) -> str | None:
        path = self._cache_path(key)
        if path is None or not path.is_file():
            return None
        try:
            reply = loads_object(read_text(path, MAX_REPLY_BYTES, "a cached reply", follow_symlinks=False),
                                 str(path)).get("reply")
        except IsnadError:
            return None  # a damaged (or outsized, or linked) entry is asked again
        return reply if isinstance(reply, str) else None

    def _cache_put(self, key: str, reply: str) -> None:
        path = self._cache_path(key)
        if path is None:
            return
        entry = json.dumps({"model": self.model, "prompt": self.prompt.version, "reply": reply}, ensure_ascii=False)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_file(path, entry.encode("utf-8"))
        except (OSError, IsnadError) as exc:
            with self._lock:
                self.warnings.append(f"cannot write the cache {path}: {getattr(exc, 'strerror', None) or exc}")

    # -- HTTP --------------------------------------------------------------------------
    def _post_once(self, body: bytes) -> str:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        req = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        with self._lock:
            self.requests += 1
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310 - the user's URL
                raw = resp.read(MAX_REPLY_BYTES + 1)
        except urllib.error.HTTPError as exc:
            if exc.code == 429 or exc.code >= 500:
                raise _Transient(f"HTTP {exc.code}", _retry_after(exc.headers)) from None
            detail = exc.read()[:300].decode("utf-8", "replace").strip().replace("\n", " ")
            raise IsnadError(f"HTTP {exc.code} from {self.url}" + (f": {detail}" if detail else "")) from None
        except (TimeoutError, socket.timeout):
            raise _Transient(f"no answer within {self.timeout:g} s") from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, (TimeoutError, socket.timeout)):
                raise _Transient(f"no answer within {self.timeout:g} s") from None
            if isinstance(exc.reason, (ConnectionResetError, ConnectionAbortedError)):
                raise _Transient(f"connection dropped: {exc.reason}") from None
            raise IsnadError(f"cannot reach {self.url}: {exc.reason}") from None
        except (http.client.HTTPException, ConnectionError) as exc:
            raise _Transient(f"connection dropped: {type(exc).__name__}") from None
        if len(raw) > MAX_REPLY_BYTES:
            raise IsnadError(f"{self.url} answered over {MAX_REPLY_BYTES} bytes (the limit for one reply)")
        try:
            data = json.loads(raw.decode("utf-8"))
            content = data["choices"][0]["message"].get("content")
        except (ValueError, KeyError, IndexError, TypeError, AttributeError, RecursionError):
            raise IsnadError(f"{self.url} did not answer in the chat-completions format: "
                             f"{raw[:200].decode('utf-8', 'replace')!r}") from None
        return content if isinstance(content, str) else ""

    def complete(self, chunk: str) -> str:
        """The model's reply to one chunk (retried; raises _Failed after ``max_attempts``)."""
        body = json.dumps({"model": self.model, "temperature": 0,
                           "messages": [{"role": "system", "content": self.prompt.text},
                                        {"role": "user", "content": chunk}]},
                          ensure_ascii=False).encode("utf-8")
        last = ""
        for attempt in range(1, self.max_attempts + 1):
            try:
                return self._post_once(body)
            except _Transient as exc:
                last = exc.reason
                if attempt == self.max_attempts:
                    break
                delay = self.backoff * 2 ** (attempt - 1)
                if exc.retry_after is not None and exc.retry_after <= self.max_retry_after:
                    delay = exc.retry_after
                time.sleep(delay)
        raise _Failed(f"{last} ({self.max_attempts} attempts)")

    def _reply(self, chunk: str) -> tuple[str, str]:
        key = self.cache_key(chunk)
        with self._lock:
            if key in self._memo:
                return self._memo[key]
        cached = self._cache_get(key)
        if cached is not None:
            with self._lock:
                self.cache_hits += 1
            result = ("ok", cached)
        else:
            try:
                reply = self.complete(chunk)
            except _Failed as exc:
                result = ("failed", str(exc))
            else:
                self._cache_put(key, reply)
                result = ("ok", reply)
        with self._lock:
            self._memo[key] = result
        return result

    def _progress_enabled(self) -> bool:
        return sys.stderr.isatty() if self.progress is None else bool(self.progress)

    def replies(self, chunks: Iterable[str]) -> dict[str, tuple[str, str]]:
        """The replies of many chunks, ``concurrency`` at a time, with a progress bar on stderr."""
        todo = list(dict.fromkeys(chunks))
        out: dict[str, tuple[str, str]] = {}
        pending = []
        for c in todo:
            key = self.cache_key(c)
            if key in self._memo:
                out[c] = self._memo[key]
            else:
                pending.append(c)
        if not pending:
            return out
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                            console=Console(stderr=True), disable=not self._progress_enabled() or len(pending) < 2,
                            transient=True)
        with progress:
            task = progress.add_task(self.name, total=len(pending))
            if self.concurrency == 1:
                for c in pending:
                    out[c] = self._reply(c)
                    progress.advance(task)
                return out
            with ThreadPoolExecutor(max_workers=min(self.concurrency, len(pending))) as pool:
                futures = {pool.submit(self._reply, c): c for c in pending}
                try:
                    for fut in as_completed(futures):
                        out[futures[fut]] = fut.result()
                        progress.advance(task)
                except BaseException:
                    for f in futures:
                        f.cancel()
                    raise
        return out

    # -- interface ---------------------------------------------------------------------
    def prefetch(self, documents: Iterable[tuple[str, str]]) -> None:
        """Ask for every chunk of many ``(document_id, text)`` at once (concurrently)."""
        chunks = [text[s:e] for _, text in documents for s, e in chunk_spans(text, self.chunk_chars)]
        self.replies(chunks)

    def predict(self, document_id: str, text: str) -> Prediction:
        spans = chunk_spans(text, self.chunk_chars)
        answers = self.replies(text[s:e] for s, e in spans)
        entities: list[dict] = []
        quotes: list[dict] = []
        for i, (s, e) in enumerate(spans):
            where = f"{document_id} chunk {i} [{s}, {e}): " if len(spans) > 1 else f"{document_id}: "
            status, reply = answers[text[s:e]]
            if status == "failed":
                self.warnings.append(f"{where}no reply ({reply}): predicted as nothing")
                continue
            try:
                obj = parse_json_reply(reply)
            except ReplyParseError as exc:
                self.warnings.append(f"{where}{exc}: predicted as nothing ({reply[:80]!r})")
                continue
            ents, qs = reply_items(obj, text[s:e], s, self.mapper, self.warnings, where)
            entities += ents
            quotes += qs
        quotes = drop_overlapping_quotes(quotes, self.warnings, f"{document_id}: ")
        return {"document_id": document_id, "entities": entities, "quotes": quotes}

    def attribute(self, document_id: str, text: str, quotes: list[dict]) -> list[Speaker]:
        return attribute_from_predict(self, document_id, text, quotes)
