"""Split a course passage into quotable units: sentences, whole code blocks, whole tables.

English prose splits after ``.``, ``!`` or ``?`` followed by a space and a
capital, digit or quote; Chinese after ``。！？`` (a semicolon joins two halves
of one thought, and a quoted question or exclamation is part of the sentence
around it, so neither ends one). No sentence ends inside parentheses, quotes or
a bold run, so a bold lead ("**Mitigate.** Add ...", "**缓解。**在……") stays
with the sentence it introduces. A fenced code block (``` or ~~~) or a
Markdown table stays one unit, so a quoted answer never cuts a fence or a
table in half. List items are units of their own (marked ``item``); headings
and blank lines are dropped. Each unit keeps its position in the passage and
the paragraph (``block``) it came from, so callers can restore the passage's
order and keep a sentence with the list it introduces. ``bold_definitions`` finds the sentences that define
a bold term (the course bolds a term where it defines it), for fill-in-the-blank
items. This module does not score anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from tutor_app.engine.text import closes_fence

Kind = Literal["sentence", "code", "table"]

_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_EN_BREAK = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"'”’)]))\s+(?=[\"'“‘(]?[A-Z0-9*_`])")
# A quoted question or exclamation (“怎么重置密码？”会落在…) is part of the sentence around it; a quoted
# statement ending in 。 closes the sentence unless punctuation carries it on.
_ZH_BREAK = re.compile(r"(?<=[。！？])(?![”’」』）)])|(?<=。[”’」』）)])(?![，、；：,;:])")
_MIN_CHARS = 8


@dataclass(frozen=True)
class Unit:
    text: str
    kind: Kind
    position: int  # order within the passage
    block: int = 0  # the paragraph, list item, code block or table it belongs to
    item: bool = False  # a list item


_OPENERS = {"(": ")", "（": "）", "“": "”", "「": "」"}


def _unbalanced(text: str) -> bool:
    """An open parenthesis, quotation or bold run not yet closed: a break inside it is not a sentence end.

    A bold lead ends with its own stop ("**识别与衡量。**列出……", "**For teachers.** Teachers use ..."),
    so it stays with the sentence it introduces instead of leaving a stray ``**`` on either side."""
    if text.count('"') % 2 or text.count("**") % 2:
        return True
    return any(text.count(opener) > text.count(closer) for opener, closer in _OPENERS.items())


def _split(text: str, pattern: re.Pattern, joiner: str) -> list[str]:
    """Split at ``pattern`` but never inside parentheses or quotes (``joiner`` puts a wrong cut back)."""
    pieces: list[str] = []
    for piece in pattern.split(text):
        if pieces and _unbalanced(pieces[-1]):
            pieces[-1] += joiner + piece
        else:
            pieces.append(piece)
    return pieces


def _prose_sentences(paragraph: str, min_chars: int = _MIN_CHARS) -> list[str]:
    # English breaks swallow the space after the stop; Chinese breaks are zero-width.
    pieces = [p for part in _split(paragraph, _EN_BREAK, " ") for p in _split(part, _ZH_BREAK, "")]
    return [p.strip() for p in pieces if len(p.strip()) >= min_chars]


def _blocks(text: str) -> list[tuple[Kind, str]]:
    """Paragraph-level blocks: code fences and tables whole, prose paragraphs and list items as text."""
    blocks: list[tuple[Kind, str]] = []
    lines = text.replace("\r\n", "\n").split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        fence = _FENCE.match(line)
        if fence:
            marker, body = fence.group(1), [line]
            i += 1
            while i < len(lines):
                body.append(lines[i])
                i += 1
                if len(body) > 1 and closes_fence(lines[i - 1], marker):
                    break
            blocks.append(("code", "\n".join(body)))
            continue
        if line.lstrip().startswith("|"):
            rows = []
            while i < len(lines) and lines[i].lstrip().startswith("|"):
                rows.append(lines[i])
                i += 1
            blocks.append(("table", "\n".join(rows)))
            continue
        if not line.strip() or _HEADING.match(line):
            i += 1
            continue
        paragraph = [line]
        i += 1
        while (
            i < len(lines)
            and lines[i].strip()
            and not _FENCE.match(lines[i])
            and not _HEADING.match(lines[i])
            and not lines[i].lstrip().startswith("|")
            and not _LIST_ITEM.match(lines[i])
        ):
            paragraph.append(lines[i])
            i += 1
        blocks.append(("sentence", " ".join(p.strip() for p in paragraph)))
    return blocks


def split_units(text: str) -> list[Unit]:
    """The passage's quotable units in order."""
    units: list[Unit] = []
    for number, (kind, block) in enumerate(_blocks(text or "")):
        if kind != "sentence":
            units.append(Unit(block, kind, len(units), number))
            continue
        item = bool(_LIST_ITEM.match(block))
        # A list item may be two words ("指令（动作）") and still complete the sentence that introduced the list.
        for sentence in _prose_sentences(_LIST_ITEM.sub("", block, count=1), 2 if item else _MIN_CHARS):
            units.append(Unit(sentence, "sentence", len(units), number, item))
    return units


def sentences(text: str) -> list[str]:
    """Only the prose sentences of ``text``."""
    return [u.text for u in split_units(text) if u.kind == "sentence"]


_BOLD_DEFINITION = re.compile(r"\*\*([^*\n]{2,40})\*\*")


def bold_definitions(text: str) -> list[tuple[str, str]]:
    """(term, sentence) for each bold term that a sentence of ``text`` defines."""
    out = []
    for sentence in re.split(r"(?<=[.!?。！？])\s*", text):
        for match in _BOLD_DEFINITION.finditer(sentence):
            term = match.group(1).strip()
            rest = _BOLD_DEFINITION.sub(lambda m: m.group(1), sentence.replace(match.group(0), "_____", 1)).strip()
            if len(rest) >= 25 and term not in rest:
                out.append((term, rest))
            break  # one blank per sentence
    return out
