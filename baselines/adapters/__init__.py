"""Adapters: external models behind the extractor interface.

``hf:MODEL`` — a transformers token-classification model (:mod:`.hf`, the ``hf`` extra);
``openai:MODEL`` — a chat LLM over the chat-completions protocol (:mod:`.openai_chat`,
standard library only). Each module is imported only when its spec is used.
"""

from __future__ import annotations

from typing import Any

from benchmark.errors import IsnadError

#: spec prefix -> (module, class, the options it takes)
ADAPTERS: dict[str, tuple[str, str, frozenset[str]]] = {
    "hf": ("baselines.adapters.hf", "HFTokenClassifier",
           frozenset({"label_map", "batch_size", "quotes", "device", "max_length"})),
    "openai": ("baselines.adapters.openai_chat", "OpenAIChatExtractor",
               frozenset({"base_url", "api_key_env", "concurrency", "cache_dir", "timeout", "max_attempts",
                          "backoff", "max_retry_after", "chunk_chars", "prompt", "label_map", "progress"})),
}


def is_adapter_spec(spec: str) -> bool:
    return spec.partition(":")[0] in ADAPTERS and ":" in spec


def build_adapter(spec: str, **options: Any) -> Any:
    """The adapter for ``hf:MODEL`` or ``openai:MODEL`` with its options (None values ignored)."""
    import importlib

    kind, _, model = spec.partition(":")
    module_name, cls_name, accepted = ADAPTERS[kind]
    options = {k: v for k, v in options.items() if v is not None}
    unknown = sorted(set(options) - accepted)
    if unknown:
        flags = ", ".join("--" + k.replace("_", "-") for k in unknown)
        raise IsnadError(f"{flags} do{'es' if len(unknown) == 1 else ''} not apply to {kind}: extractors")
    cls = getattr(importlib.import_module(module_name), cls_name)
    return cls(model, **options)
