"""Retrieved documents → `RetrievedDocument`, with version and freshness pulled from metadata.

Stale or superseded documents are a common root cause ("the retriever returned policy v3"), so
the version and last-update time are lifted out of the metadata when the exporter recorded them
under any of the usual keys; the rest of the metadata is kept decoded.
"""

from __future__ import annotations

from typing import Any

from tools.model.trace import RetrievedDocument
from tools.traces.dialects.chat import parse_loose, text_of
from tools.traces.otlp_values import first_str

_VERSION_KEYS = ("version", "doc_version", "document_version", "revision", "policy_version")
_UPDATED_KEYS = (
    "updated_at",
    "last_modified",
    "lastModified",
    "last_updated",
    "modified_at",
    "updatedAt",
    "indexed_at",
    "updated",
    "modified",
)


def document(doc_id: Any, content: Any, score: Any, metadata: Any) -> RetrievedDocument:
    meta = _metadata(metadata)
    version = _pop_first(meta, _VERSION_KEYS)
    updated = _pop_first(meta, _UPDATED_KEYS)
    return RetrievedDocument(
        id=first_str(doc_id),
        content=text_of(content),
        score=_score(score),
        version=version,
        updated_at=updated,
        metadata=meta,
    )


def from_dict(obj: dict[str, Any]) -> RetrievedDocument:
    """A document object (GenAI `{id, score, …}`, LangChain `{page_content, metadata}`)."""
    meta = obj.get("metadata")
    extra = {k: v for k, v in obj.items() if k not in _DICT_FIELDS}
    merged = {**extra, **(_metadata(meta) if meta is not None else {})}
    return document(
        obj.get("id") or obj.get("document_id"),
        next((obj[k] for k in ("content", "page_content", "text") if k in obj), ""),
        obj.get("score", obj.get("relevance_score")),
        merged,
    )


_DICT_FIELDS = {
    "id",
    "document_id",
    "content",
    "page_content",
    "text",
    "score",
    "relevance_score",
    "metadata",
}


def _metadata(raw: Any) -> dict[str, Any]:
    parsed = parse_loose(raw)
    if isinstance(parsed, dict):
        return dict(parsed)
    if parsed is None or parsed == "":
        return {}
    return {"raw": parsed}


def _pop_first(meta: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        if key in meta and meta[key] not in (None, ""):
            return first_str(meta.pop(key))
    return None


def _score(raw: Any) -> float | None:
    if isinstance(raw, bool):
        return None
    try:
        return float(raw) if raw is not None else None
    except (TypeError, ValueError):
        return None
