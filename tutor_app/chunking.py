"""Split a loaded document into heading sections, then token-bounded chunks.

Headings inside fenced code blocks are code comments, not headings, and are
left alone. Paragraphs are packed up to ``max_tokens``; an oversized paragraph
is split at sentence ends (English and Chinese punctuation), and a sentence
that is still too long at token boundaries. Consecutive chunks of one section
share up to ``overlap`` tokens of trailing sentences. Chunk ids are content
hashes, so unchanged text keeps its id across runs.
This module does not read files or touch the index.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from .loaders import LoadedDocument
from .schemas import Chunk
from .tokens import count_tokens, encoding

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_CJK_EDGE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
_SENTENCE_END = re.compile(r"(?<=[.!?。！？；])\s+|(?<=[。！？；])")


@dataclass
class Section:
    path: list[str]  # heading titles from the top level down
    text: str


def split_sections(text: str) -> list[Section]:
    sections: list[Section] = []
    stack: list[tuple[int, str]] = []
    lines: list[str] = []
    in_fence = False

    def flush() -> None:
        body = "\n".join(lines).strip()
        if body:
            sections.append(Section([title for _, title in stack], body))
        lines.clear()

    for line in text.split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
        match = None if in_fence else _HEADING.match(line)
        if match:
            flush()
            level = len(match.group(1))
            stack = [(lvl, title) for lvl, title in stack if lvl < level]
            stack.append((level, match.group(2).strip()))
        else:
            lines.append(line)
    flush()
    return sections


def _paragraphs(text: str) -> list[str]:
    """Blank-line separated blocks; a fenced code block stays one block."""
    blocks, current, in_fence = [], [], False
    for line in text.split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
        if not line.strip() and not in_fence:
            if current:
                blocks.append("\n".join(current))
                current = []
        else:
            current.append(line)
    if current:
        blocks.append("\n".join(current))
    return blocks


def _split_long(block: str, max_tokens: int) -> list[str]:
    if count_tokens(block) <= max_tokens:
        return [block]
    pieces: list[str] = []
    for sentence in (s for s in _SENTENCE_END.split(block) if s and s.strip()):
        if count_tokens(sentence) <= max_tokens:
            pieces.append(sentence)
            continue
        ids = encoding().encode(sentence, disallowed_special=())
        for start in range(0, len(ids), max_tokens):
            # Token windows may cut a multi-byte character; decode drops the broken bytes.
            pieces.append(encoding().decode(ids[start:start + max_tokens]))
    return pieces


def _join(units: list[tuple[str, bool]]) -> str:
    """Join units; a unit that starts a new block gets a blank line before it."""
    out = ""
    for text, starts_block in units:
        if not out:
            out = text
        elif starts_block:
            out += "\n\n" + text
        else:
            # Sentences of one paragraph came apart at sentence ends.
            out += ("" if _CJK_EDGE.match(out[-1]) and _CJK_EDGE.match(text[0]) else " ") + text
    return out


def pack(blocks: list[str], max_tokens: int, overlap: int) -> list[str]:
    units: list[tuple[str, bool]] = []
    for block in blocks:
        units.extend((piece, i == 0) for i, piece in enumerate(_split_long(block, max_tokens)))
    chunks: list[str] = []
    current: list[tuple[str, bool]] = []
    size = 0
    for unit in units:
        tokens = count_tokens(unit[0])
        if current and size + tokens > max_tokens:
            chunks.append(_join(current))
            carried: list[tuple[str, bool]] = []
            carried_size = 0
            for prev in reversed(current):
                prev_size = count_tokens(prev[0])
                if carried_size + prev_size > overlap or carried_size + prev_size + tokens > max_tokens:
                    break
                carried.insert(0, prev)
                carried_size += prev_size
            current, size = carried, carried_size
        current.append(unit)
        size += tokens
    if current:
        chunks.append(_join(current))
    return chunks


def chunk_id(course: str, source: str, heading: str, text: str) -> str:
    digest = hashlib.sha256("\x1f".join((course, source, heading, text)).encode("utf-8"))
    return digest.hexdigest()[:32]


def chunk_document(doc: LoadedDocument, course: str, source: str, max_tokens: int, overlap: int) -> list[Chunk]:
    chunks: list[Chunk] = []
    for section in split_sections(doc.text):
        # The lesson title is usually the top heading: keep it out of the section path.
        path = section.path[1:] if section.path and section.path[0] == doc.title else section.path
        heading = " > ".join(path)
        for text in pack(_paragraphs(section.text), max_tokens, overlap):
            if not text.strip():
                continue
            chunks.append(
                Chunk(
                    id=chunk_id(course, source, heading, text),
                    text=text,
                    course=course,
                    source=source,
                    heading=heading,
                    title=doc.title,
                    lang=doc.lang,
                    lesson_id=doc.lesson_id,
                    position=len(chunks),
                    file_hash=doc.file_hash,
                    objectives=doc.objectives,
                )
            )
    # Identical passages in one section would share an id; keep the first.
    unique = {c.id: c for c in reversed(chunks)}
    return [c for c in chunks if unique[c.id] is c]
