"""The baseline registry and the loader of user extractors (``module:object``)."""

from __future__ import annotations

import difflib
import importlib
import inspect
import re
from typing import Any, Callable

from benchmark.errors import IsnadError

from .base import Extractor

_SPEC = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*:[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*$")  # module:object
# name -> "module:factory" (imported lazily so listing the baselines stays cheap)
_REGISTRY: dict[str, str] = {
    "null": "baselines.simple:NullBaseline",
    "quote-marks": "baselines.simple:QuoteMarksBaseline",
    "cue-rules": "baselines.cue_rules:CueRulesBaseline",
    "frequent-speaker": "baselines.frequent:FrequentSpeakerBaseline",
    "supervised": "baselines.supervised:SupervisedBaseline",
}

_DESCRIPTIONS: dict[str, str] = {
    "null": "Predicts nothing (the floor of every metric).",
    "quote-marks": "Direct quotes from quotation marks alone; speaker = nearest preceding PER mention.",
    "cue-rules": "Arabic reporting cues and complementizers for direct, indirect and mixed quotes; "
                 "VSO/SVO/apposition/pro-drop speaker linking.",
    "frequent-speaker": "The cue-rules quotes, each attributed to the person the text mentions most "
                        "(the floor that speaker choice must beat).",
    "supervised": "Cross-validated (5-fold over gold sentences) logistic-regression token tagger "
                  "for entities and quotes; speakers by the cue-rules linker.",
}


#: what a reader of the leaderboard must know about a baseline's figures on the gold article
#: (shown under its name there); the held-out figures are checked against a fresh run by
#: tests/test_baselines_eval.py
_CAVEATS: dict[str, str] = {
    "cue-rules": "Its rules were written by people who had read the gold article, so its score on it is "
                 "optimistic. On tests/fixtures/guidelines_article, an article annotated by the guidelines alone "
                 "and kept out of rule development: quotes overlap F1 0.941, exact F1 0.706, attribution F1 0.824 "
                 "end to end, 0.889 given the gold quotes.",
    "frequent-speaker": "Its quotes are those of cue-rules, whose score on the gold article is optimistic "
                        "(see cue-rules).",
    "supervised": "Its speakers come from the cue-rules linker, whose score on the gold article is optimistic "
                  "(see cue-rules).",
}


def leaderboard_description(name: str) -> str:
    """The description of a baseline's leaderboard entries: what it does, then its caveat."""
    return " ".join(x for x in (_DESCRIPTIONS[name], _CAVEATS.get(name)) if x)


def list_baselines() -> list[tuple[str, str]]:
    """``(name, description)`` of every registered baseline, in registry order."""
    return [(n, _DESCRIPTIONS[n]) for n in _REGISTRY]


def _make(factory: Callable[[], Any], spec: str) -> Any:
    """What the class or factory function named by ``spec`` makes, called without arguments;
    one that needs arguments (``subprocess:Popen``) is refused before it is called, and
    whatever the call raises (SystemExit included) is an IsnadError."""
    try:
        params = inspect.signature(factory).parameters.values()
    except (TypeError, ValueError):
        params = []
    needed = [p.name for p in params if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    if needed:
        raise IsnadError(f"extractor {spec!r} is a callable that needs arguments ({', '.join(needed)}): "
                         "give an extractor object, a class or a factory called without arguments")
    try:
        return factory()
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - foreign code: reported, never crashed on
        raise IsnadError(f"making the extractor {spec!r} raised {type(exc).__name__}: {str(exc)[:200]}") from None


def _resolve(target: str) -> object:
    module_name, _, attr = target.partition(":")
    module = importlib.import_module(module_name)
    obj = module
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


def get_baseline(name: str) -> Extractor:
    """A fresh instance of the named baseline; an unknown name raises IsnadError with
    the valid choices and the closest match.

    >>> get_baseline("null").name
    'null'
    """
    if name not in _REGISTRY:
        close = difflib.get_close_matches(name, list(_REGISTRY), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise IsnadError(f"unknown baseline {name!r} (choose from: {', '.join(_REGISTRY)}){hint}")
    factory: Callable[[], Extractor] = _resolve(_REGISTRY[name])  # type: ignore[assignment]
    return factory()


def load_extractor(spec: str, **options: Any) -> Extractor:
    """Load a user extractor from ``"package.module:object"``. The object may be an
    instance, a class or a zero-argument factory function (a built-in such as ``os:system``
    is never called); it must have ``name``, ``description``
    and ``predict``. A missing ``attribute`` is supplied by the default helper.
    A registered baseline name is accepted too.

    ``hf:MODEL`` and ``openai:MODEL`` build the adapters of :mod:`baselines.adapters`,
    ``options`` (None values ignored) being their keyword arguments; any other spec takes
    no options."""
    from .adapters import build_adapter, is_adapter_spec

    if is_adapter_spec(spec):
        return build_adapter(spec, **options)  # type: ignore[no-any-return]
    given = sorted(k for k, v in options.items() if v is not None)
    if given:
        flags = ", ".join("--" + k.replace("_", "-") for k in given)
        raise IsnadError(f"{flags}: only for hf: and openai: extractors, not {spec!r}")
    if spec in _REGISTRY:
        return get_baseline(spec)
    if not _SPEC.match(spec):
        raise IsnadError(f"extractor {spec!r} is not of the form 'module:object' nor a baseline "
                         f"({', '.join(_REGISTRY)})")
    try:
        obj = _resolve(spec)
    except (ImportError, AttributeError) as exc:
        raise IsnadError(f"cannot load extractor {spec!r}: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - importing runs foreign code: any failure is reported
        raise IsnadError(f"cannot load extractor {spec!r}: importing it raised {type(exc).__name__}: {exc}") from None
    if isinstance(obj, type) or ((inspect.isfunction(obj) or inspect.ismethod(obj)) and not hasattr(obj, "predict")):
        obj = _make(obj, spec)  # a class or a Python factory function; any other object is the extractor
    missing = [a for a in ("name", "description", "predict") if not hasattr(obj, a)]
    if missing:
        raise IsnadError(f"extractor {spec!r} lacks {', '.join(missing)}")
    if not hasattr(obj, "attribute"):
        from .base import attribute_from_predict

        def attribute(document_id, text, quotes, _obj=obj):
            return attribute_from_predict(_obj, document_id, text, quotes)

        try:
            obj.attribute = attribute  # type: ignore[attr-defined]
        except AttributeError:
            raise IsnadError(f"extractor {spec!r} lacks attribute() and does not accept one") from None
    return obj  # type: ignore[return-value]
