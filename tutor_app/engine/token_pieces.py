"""How a text splits into tokens, and what it costs as a prompt, under several tokenizers.

``split(text, tokenizer)`` turns a text into display pieces: the shortest runs of
consecutive tokens that decode to whole characters. A byte-level tokenizer often
cuts one Chinese character across two or three tokens; such tokens make one piece
that keeps all their ids, so the token count stays exact and no character is shown
broken. Tokenizers: ``cl100k_base`` and ``o200k_base`` (tiktoken, offline through
``engine.tokens``), and the embedded GGUF model's own, read from the llama.cpp
server's ``POST /tokenize`` (its pieces come back as strings, or as byte lists when
a token holds part of a character). ``prompt_costs`` prices a text as input tokens
for each priced model under that model's encoding.

This module does not start servers by itself (``embedded_tokenizer`` asks
``EmbeddedServer`` to), render anything or read settings from the environment.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from tutor_app.core.config import Settings
from tutor_app.core.errors import InputError, ModelError, TutorError
from tutor_app.engine.models.pricing import DEFAULT_PRICES, Price, _price_for
from tutor_app.engine.tokens import encoding

TIKTOKEN_NAMES = ("cl100k_base", "o200k_base")
EMBEDDED = "embedded"
TOKENIZER_NAMES = (*TIKTOKEN_NAMES, EMBEDDED)
FALLBACK_ENCODING = "cl100k_base"

Tokens = list[tuple[int, bytes]]  # (token id, the bytes it stands for)


@dataclass(frozen=True)
class Piece:
    text: str
    ids: tuple[int, ...]

    def to_json(self) -> dict:
        return {"text": self.text, "ids": list(self.ids)}


@dataclass
class TokenizerSplit:
    """One tokenizer's view of a text; ``available`` is False (with ``error``) when it could not run."""

    name: str
    pieces: list[Piece] = field(default_factory=list)
    available: bool = True
    error: str = ""
    label: str = ""  # the model file's name, for the embedded tokenizer

    @property
    def display_name(self) -> str:
        return self.name if not self.label or self.label == self.name else f"{self.name} · {self.label}"

    @property
    def count(self) -> int:
        return sum(len(piece.ids) for piece in self.pieces)

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "label": self.label or self.name,
            "count": self.count if self.available else None,
            "pieces": [piece.to_json() for piece in self.pieces],
            "available": self.available,
            "error": self.error or None,
        }


@dataclass(frozen=True)
class CostLine:
    model: str
    tokenizer: str
    tokens: int
    usd: float
    note: str = ""  # set when the model's own encoding is unknown or not bundled

    def to_json(self) -> dict:
        return {
            "model": self.model,
            "tokenizer": self.tokenizer,
            "tokens": self.tokens,
            "usd": self.usd,
            "note": self.note or None,
        }


class EmbeddedTokenizer:
    """The GGUF model's tokenizer, asked through a running llama.cpp server (``base_url`` ends in ``/v1``)."""

    def __init__(self, base_url: str, label: str = EMBEDDED, timeout: float = 15.0) -> None:
        self.root = base_url.rstrip("/").removesuffix("/v1")  # /tokenize lives at the root, not under /v1
        self.label = label
        self.timeout = timeout

    def tokenize(self, text: str) -> Tokens:
        body = json.dumps({"content": text, "with_pieces": True}).encode()
        request = urllib.request.Request(f"{self.root}/tokenize", data=body, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                tokens = json.loads(response.read())["tokens"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ModelError(
                f"The embedded model server at {self.root} did not tokenize the text: {exc}",
                "Check that it runs (`python -m tutor_app serve-model`), or leave the embedded tokenizer out.",
            ) from exc
        return [(int(token["id"]), _piece_bytes(token["piece"])) for token in tokens]


def _piece_bytes(piece: str | list[int]) -> bytes:
    return piece.encode("utf-8") if isinstance(piece, str) else bytes(piece)


def embedded_tokenizer(settings: Settings) -> EmbeddedTokenizer:
    """The embedded model's tokenizer, starting (or reusing) its server; raises ``ModelError`` when it cannot."""
    from tutor_app.engine.models.server import EmbeddedServer

    server = EmbeddedServer(settings)
    return EmbeddedTokenizer(server.ensure(), server.label)


def tiktoken_tokens(text: str, name: str) -> Tokens:
    enc = encoding(name)
    # Special-token text such as "<|endoftext|>" is counted as ordinary text, as count_tokens does.
    return [(token, enc.decode_single_token_bytes(token)) for token in enc.encode(text, disallowed_special=())]


def split(text: str, tokenizer: str | EmbeddedTokenizer) -> list[Piece]:
    """The ordered pieces of ``text``: each the shortest run of tokens that decodes to whole characters."""
    if isinstance(tokenizer, EmbeddedTokenizer):
        return group(tokenizer.tokenize(text))
    if tokenizer not in TIKTOKEN_NAMES:
        raise InputError(f"Unknown tokenizer {tokenizer!r}.", f"Use one of: {', '.join(TOKENIZER_NAMES)}.")
    return group(tiktoken_tokens(text, tokenizer))


def group(tokens: Iterable[tuple[int, bytes]]) -> list[Piece]:
    """Join consecutive tokens until their bytes are whole UTF-8 characters; bytes that never become a
    character (a broken stream) are shown with U+FFFD rather than dropped, so no token goes missing."""
    pieces: list[Piece] = []
    ids: list[int] = []
    data = b""
    for token, chunk in tokens:
        ids.append(token)
        data += chunk
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.end == len(data) and exc.reason == "unexpected end of data":
                continue  # a character starts here and ends in a later token
            text = data.decode("utf-8", errors="replace")
        pieces.append(Piece(text, tuple(ids)))
        ids, data = [], b""
    if ids:
        pieces.append(Piece(data.decode("utf-8", errors="replace"), tuple(ids)))
    return pieces


def split_all(
    text: str, names: Iterable[str] = TOKENIZER_NAMES, embedded: Callable[[], EmbeddedTokenizer] | None = None
) -> list[TokenizerSplit]:
    """One ``TokenizerSplit`` per name; the embedded one is marked unavailable, with the reason, when
    ``embedded`` is missing or fails, and the others still run."""
    results = []
    for name in names:
        if name != EMBEDDED:
            results.append(TokenizerSplit(name, split(text, name)))
            continue
        try:
            if embedded is None:
                raise ModelError("The embedded model's tokenizer was left out.", "Run without --no-embedded to include it.")
            tokenizer = embedded()
            results.append(TokenizerSplit(name, split(text, tokenizer), label=tokenizer.label))
        except (TutorError, OSError) as exc:  # OSError: the server's state file under TUTOR_HOME
            results.append(TokenizerSplit(name, available=False, error=str(exc)))
    return results


def model_encoding(model: str) -> tuple[str, str]:
    """The bundled encoding a model counts with, and a note when that is a stand-in for its own."""
    from tiktoken.model import encoding_name_for_model

    try:
        name = encoding_name_for_model(model)
    except KeyError:
        return FALLBACK_ENCODING, f"{model}'s tokenizer is unknown here; counted with {FALLBACK_ENCODING}."
    if name not in TIKTOKEN_NAMES:
        return FALLBACK_ENCODING, f"{model} uses {name}, which is not bundled; counted with {FALLBACK_ENCODING}."
    return name, ""


def prompt_costs(text: str, prices: Mapping[str, Price] | None = None) -> list[CostLine]:
    """What ``text`` costs as a prompt (input tokens only) for each model in the default prices plus ``prices``
    (which win for the same name): tokens under the model's encoding x its input price per 1M tokens."""
    table: dict[str, Price] = {**DEFAULT_PRICES, **(prices or {})}
    counts: dict[str, int] = {}
    lines = []
    for model in table:
        price = _price_for(model, table)
        if price is None:
            continue
        tokenizer, note = model_encoding(model)
        if tokenizer not in counts:
            counts[tokenizer] = len(encoding(tokenizer).encode(text, disallowed_special=()))
        tokens = counts[tokenizer]
        lines.append(CostLine(model, tokenizer, tokens, tokens * price[0] / 1_000_000, note))
    return lines


@dataclass
class TokenReport:
    text: str
    tokenizers: list[TokenizerSplit]
    costs: list[CostLine]

    def to_json(self) -> dict:
        return {
            "text": self.text,
            "chars": len(self.text),
            "tokenizers": [split.to_json() for split in self.tokenizers],
            "costs": [line.to_json() for line in self.costs],
        }


def analyse(
    text: str,
    names: Iterable[str] = TOKENIZER_NAMES,
    embedded: Callable[[], EmbeddedTokenizer] | None = None,
    prices: Mapping[str, Price] | None = None,
) -> TokenReport:
    """Pieces and counts under each tokenizer, and the prompt cost per priced model."""
    return TokenReport(text, split_all(text, names, embedded), prompt_costs(text, prices))


def analyse_many(
    texts: Mapping[str, str],
    names: Iterable[str] = TOKENIZER_NAMES,
    embedded: Callable[[], EmbeddedTokenizer] | None = None,
    prices: Mapping[str, Price] | None = None,
) -> dict[str, TokenReport]:
    """``analyse`` for several texts (English and Chinese side by side), starting the embedded tokenizer
    at most once: a server that failed to start for the first text is not tried again for the next."""
    outcome: list[EmbeddedTokenizer | TutorError | OSError] = []

    def once() -> EmbeddedTokenizer:
        if not outcome:
            try:
                if embedded is None:
                    raise ModelError("The embedded model's tokenizer was left out.", "Include it to see its pieces.")
                outcome.append(embedded())
            except (TutorError, OSError) as exc:
                outcome.append(exc)
        if isinstance(outcome[0], Exception):
            raise outcome[0]
        return outcome[0]

    names = list(names)
    return {key: analyse(text, names, once, prices) for key, text in texts.items()}
