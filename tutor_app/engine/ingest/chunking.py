"""Split a loaded document into heading sections, then token-bounded chunks.

Headings inside fenced code blocks are code comments, not headings, and are
left alone; fences are read as CommonMark reads them (``text.fenced_lines``).
Paragraphs are packed up to ``max_tokens``; an oversized paragraph is split
at sentence ends (English and Chinese punctuation), and a sentence that is
still too long at token boundaries. Consecutive chunks of one section
share up to ``overlap`` tokens of trailing sentences. Chunk ids are content
hashes, so unchanged text keeps its id across runs.
This module does not read files or touch the index.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from tutor_app.core.schemas import Chunk
from tutor_app.engine.ingest.loaders import LoadedDocument
from tutor_app.engine.text import JOINS_WITHOUT_SPACE, fenced_lines
from tutor_app.engine.tokens import count_tokens, token_windows

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_SENTENCE_END = re.compile(r"(?<=[.!?。！？；])\s+|(?<=[。！？；])")


@dataclass
class Section:
    path: list[str]  # heading titles from the top level down
    text: str


def split_sections(text: str) -> list[Section]:
    sections: list[Section] = []
    stack: list[tuple[int, str]] = []
    lines: list[str] = []

    def flush() -> None:
        body = "\n".join(lines).strip()
        if body:
            sections.append(Section([title for _, title in stack], body))
        lines.clear()

    all_lines = text.split("\n")
    for line, in_fence in zip(all_lines, fenced_lines(all_lines)):
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
    blocks, current = [], []
    lines = text.split("\n")
    for line, in_fence in zip(lines, fenced_lines(lines)):
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
    """Pieces of at most ``max_tokens``: code at line ends, prose at sentence ends, then token windows."""
    if count_tokens(block) <= max_tokens:
        return [block]
    if _FENCE.match(block):
        return _pack_lines(block.split("\n"), max_tokens)
    pieces: list[str] = []
    for sentence in (s for s in _SENTENCE_END.split(block) if s and s.strip()):
        if count_tokens(sentence) <= max_tokens:
            pieces.append(sentence)
        else:
            pieces.extend(token_windows(sentence, max_tokens))
    return pieces


def _pack_lines(lines: list[str], max_tokens: int) -> list[str]:
    """Group code lines into pieces that keep their line breaks."""
    pieces: list[str] = []
    current: list[str] = []
    for line in lines:
        for part in token_windows(line, max_tokens) if count_tokens(line) > max_tokens else [line]:
            if current and count_tokens("\n".join(current + [part])) > max_tokens:
                pieces.append("\n".join(current))
                current = []
            current.append(part)
    if current:
        pieces.append("\n".join(current))
    # Each piece joins the next with a line break, not a space (see _join).
    return [p + "\n" if i < len(pieces) - 1 else p for i, p in enumerate(pieces)]


def _join(units: list[tuple[str, bool]]) -> str:
    """Join units; a unit that starts a new block gets a blank line before it."""
    out = ""
    for text, starts_block in units:
        if not out:
            out = text
        elif starts_block:
            out += "\n\n" + text
        elif out.endswith("\n"):
            out += text
        else:
            # Sentences of one paragraph came apart at sentence ends.
            out += ("" if JOINS_WITHOUT_SPACE.match(out[-1]) and JOINS_WITHOUT_SPACE.match(text[0]) else " ") + text
    return out


def _overlap_tail(units: list[tuple[str, bool]], overlap: int, room: int) -> tuple[list[tuple[str, bool]], int]:
    """The last sentences of ``units`` that fit in ``min(overlap, room)`` tokens, to repeat in the next chunk."""
    budget = min(overlap, room)
    carried: list[tuple[str, bool]] = []
    size = 0
    for text, starts_block in reversed(units):
        if text.lstrip().startswith(("```", "~~~")):
            break  # never repeat part of a code block
        sentences = [s for s in _SENTENCE_END.split(text) if s.strip()]
        taken: list[str] = []
        for sentence in reversed(sentences):
            cost = count_tokens(sentence)
            if size + cost > budget:
                break
            taken.insert(0, sentence)
            size += cost
        if not taken:
            break
        whole = len(taken) == len(sentences)
        carried.insert(
            0, (" ".join(taken) if not JOINS_WITHOUT_SPACE.match(taken[0][:1] or "a") else "".join(taken), starts_block and whole)
        )
        if not whole:
            break
    return carried, size


def pack(blocks: list[str], max_tokens: int, overlap: int) -> list[str]:
    units: list[tuple[str, bool]] = []
    for block in blocks:
        units.extend((piece, i == 0) for i, piece in enumerate(_split_long(block, max_tokens)))
    chunks: list[str] = []
    current: list[tuple[str, bool]] = []
    for unit in units:
        # Measure the joined text: separators cost tokens too.
        if current and count_tokens(_join(current + [unit])) > max_tokens:
            chunks.append(_join(current))
            current, _ = _overlap_tail(current, overlap, max_tokens - count_tokens(unit[0]) - 2)
            if current and count_tokens(_join(current + [unit])) > max_tokens:
                current = []
        current.append(unit)
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
