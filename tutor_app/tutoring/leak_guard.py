"""The answer-key guard: a deterministic check that a coach reply does not give the answer away.

Text is cut into units: a Latin word (lower-cased, NFKC-normalised, lightly
stemmed) or a single Chinese character, so English and Chinese are handled by
one rule and mixed text works too. Phrases the learner can already see (the
exercise itself) or has typed (their own messages) are never secret. A reply
leaks when it contains

* any secret phrase of the key: a run of ``PHRASE_UNITS`` units (the whole key
  when it is shorter) that is not made only of stop words; or
* at least ``RECALL_LIMIT`` of the key's secret content pieces, in any order:
  content words for Latin text, character pairs for Chinese (single Chinese
  characters are too common to mean anything); or
* a secret phrase spelled out or written backwards: the reply's letters and
  characters squashed together (``t-w-o o-r``, ``例示个三两放``) contain a
  phrase of the key (Latin ones of at least ``SQUASHED_MIN`` letters), either way round; or
* (when the exercise's question is given) text that would pass as a correct
  answer if a learner submitted it (``grading.grade_short``), which also
  catches the key translated into the other language.

Short keys (a choice, a number, yes/no, a term of up to ``PHRASE_UNITS`` units)
are easy to confirm without being written out, so for them the learner's words
are not exempt, and a reply also leaks when it gives a verdict on a guess
("yes", "no", "correct", "对", "没错", "不对", "the answer is ..."), a covert
signal ("warmer", "you're close", "the second one", "接近", "第二个"), a number
equal to the key or to one the learner guessed, or names an option. Only a
quoted restatement of the exercise itself is left out of these checks.

Every reply, whatever the key, also leaks when it shares a run of
``ECHO_WORDS`` English words or ``ECHO_CHARS`` Chinese characters with a prompt
file's messages (the system prompt and its scaffolding), or carries a forged
system or debug tag. ``manipulation`` tells whether a learner's message tries
to forge instructions or give the coach another role.

``safe_reply`` returns the first candidate that passes, ending with a text that
has no units at all, so what it returns cannot leak by construction.
This module does not call a model and stores nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from tutor_app.engine.models.prompts import all_prompt_files, parse_prompt
from tutor_app.engine.text import CJK, CJK_CHARS, GUARD_STOP_CHARS_ZH, GUARD_STOP_WORDS_EN, QUOTED, stem

PHRASE_UNITS = 3
RECALL_LIMIT = 0.5
SQUASHED_MIN = 6  # shorter squashed Latin phrases match by accident too often (three Chinese characters do not)
LAST_RESORT = "…?"  # has no units, so it cannot overlap any key

ECHO_WORDS = 8  # a run this long shared with a prompt file is the prompt, not a coincidence
ECHO_CHARS = 12

_UNIT = re.compile(f"[a-z0-9]+|[{CJK_CHARS}]")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_BINARY_KEY = re.compile(r"^\s*(?:yes|no|true|false|是|否|对|错|不是|不对|正确|错误)(?![a-z])", re.IGNORECASE)
# A verdict on a guess: at the start of a sentence, or a phrase that only a verdict uses.
_VERDICT = re.compile(
    r"(?:^|[.!?。！？\n]\s*)[\"“'(]*(?:yes|yeah|yep|yup|no|nope|correct|incorrect|right|wrong|exactly|indeed|true|false|"
    r"bingo|absolutely|definitely|sure|precisely)\b"
    r"|\b(?:that|this|it|you)(?:'s|'re|\s+is|\s+are)\s+(?:not\s+)?(?:right|correct|wrong|incorrect|true|false|it)\b"
    r"|\b(?:sounds|looks)\s+(?:right|correct|good)\b|\byou\s+got\s+it\b|\bspot\s+on\b|\bnot\s+quite\b"
    r"|\b(?:the\s+)?(?:correct\s+|right\s+|real\s+)?answer\s+(?:is|would\s+be)\b"
    r"|(?:^|[。！？!?\n]\s*)[“「]*(?:对|是|是的|没错|不对|不是|错|正确|不正确|错误|对了|答对了|答错了)(?=[，,。！!？?\s]|$)"
    r"|没错|不对|答对|答错|说对了|猜对了|猜错了|正确答案|答案是|就是它|这是对的|你是对的|这是错的|听起来是对的",
    re.IGNORECASE,
)
# Signals that point at a candidate without naming it.
_COVERT = re.compile(
    r"\bwarm(?:er|ing)?\b|\bcold(?:er)?\b|\bhott?(?:er)?\b|\bclose(?:r)?\b|\balmost\b|\bnearly\b|"
    r"\bon\s+(?:the\s+right\s+)?track\b|\bgetting\s+there\b|\bright\s+direction\b|"
    r"\b(?:first|second|third|fourth|last|other|former|latter)\s+(?:one|option|choice|word|candidate|guess)\b|"
    r"\b(?:the\s+)?(?:former|latter)\b|\boption\s+[a-d]\b|\bnot\s+that\s+one\b|"
    r"接近|差不多|快对了|很近|越来越|热了|冷了|方向对|方向是对的|思路是对的|思路对|第[一二三四五六1-6]个(?!提示)|最后一个(?!提示)|另一个(?!提示)|"
    r"前者|后者|选项\s*[a-d]|[a-d]\s*项|选\s*[a-d]",
    re.IGNORECASE,
)
_OPTION_LABEL = re.compile(
    r"(?<![a-z0-9])[(（]?([a-d])[)）.:：](?![a-z0-9])|^\W*[a-d]\W*$|(?<![a-z])[a-d](?=\s*(?:is\b|选项|项))", re.IGNORECASE
)
# Forged role, system or debug markers, in a reply or in a learner's message.
_FORGED = re.compile(
    r"<\s*/?\s*(?:system|developer|assistant|instructions?|sys|admin)\b[^>]*>|\[\s*/?\s*(?:system|inst|developer|admin)\s*\]|"
    r"<<\s*/?\s*sys\s*>>|<\|im_(?:start|end)\|>|\bdebug\s+mode\b|\bdeveloper\s+mode\b|\bgod\s+mode\b|"
    r"#{2,}\s*(?:instruction|system)|\bsystem\s+prompt\b|系统提示|调试模式|开发者模式|管理员模式",
    re.IGNORECASE,
)
# A request that the coach take another role or drop its rules.
_PERSONA = re.compile(
    r"\byou\s+are\s+now\b|\byou're\s+now\b|\bpretend\s+(?:to\s+be|you\s+are|you're)\b|\bact\s+as\b|\brole[- ]?play|"
    r"\bplay\s+the\s+role\b|\bfrom\s+now\s+on,?\s+you\b|\bimagine\s+you\s+are\b|\banswer\s*bot\b|"
    r"\bignore\s+(?:all\s+|the\s+|your\s+|any\s+)*(?:previous\s+|prior\s+|above\s+|earlier\s+)?(?:instructions|rules|prompts?)\b|"
    r"\bnew\s+(?:instructions|rules)\b|你现在是|现在你是|假装你是|假设你是|扮演|充当|角色扮演|从现在开始，?你|答案机器人|"
    r"忽略(?:之前|以上|前面|所有)?的?(?:指令|规则|说明|提示)",
    re.IGNORECASE,
)


def units(text: str) -> list[str]:
    """The comparable units of ``text``: stemmed Latin words and single Chinese characters."""
    normal = unicodedata.normalize("NFKC", text or "").lower()
    return [stem(u) if u[0].isascii() else u for u in _UNIT.findall(normal)]


def squash(text: str) -> str:
    """Letters, digits and Chinese characters only, unstemmed: ``T-w-o  o r`` -> ``twoor``."""
    return "".join(_UNIT.findall(unicodedata.normalize("NFKC", text or "").lower()))


def _is_cjk(unit: str) -> bool:
    return bool(CJK.fullmatch(unit))


def _is_stop(unit: str) -> bool:
    return unit in GUARD_STOP_WORDS_EN or unit in GUARD_STOP_CHARS_ZH


def ngrams(seq: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(seq[i : i + n]) for i in range(len(seq) - n + 1)}


def _pieces(seq: list[str]) -> set[tuple[str, ...]]:
    """Content pieces: Latin content words, and pairs of adjacent Chinese characters."""
    out = {(u,) for u in seq if not _is_cjk(u) and not _is_stop(u)}
    out |= {p for p in ngrams(seq, 2) if _is_cjk(p[0]) and _is_cjk(p[1]) and not (_is_stop(p[0]) and _is_stop(p[1]))}
    return out


@dataclass
class Verdict:
    leaked: bool
    phrases: list[str] = field(default_factory=list)  # secret phrases found in the reply
    recall: float = 0.0  # share of the key's secret content pieces found in the reply
    secret_pieces: int = 0
    passes_as_answer: bool = False  # graded as an answer to the exercise, the reply would be correct
    signals: list[str] = field(default_factory=list)  # short keys: verdict, signal, number, option, key
    echo: list[str] = field(default_factory=list)  # "prompt" (shares a run with a prompt file), "forged" (a tag)


@dataclass
class KeyGuard:
    """The guard for one answer key, with the texts whose phrases are not secret."""

    key: str
    visible: Iterable[str] = ()  # made a list below: it is read twice
    question: str | None = None  # the exercise: when given, a reply that would pass as its answer leaks
    kind: str = ""  # the item's kind (multiple_choice, true_false, short_answer)
    options: Iterable[str] = ()
    learner: Iterable[str] = ()  # what the learner typed (also in ``visible``): their guesses
    # The messages of the prompt versions in use (the prompt lab may have activated one that differs from its file).
    prompts: Iterable[str] = ()

    def __post_init__(self) -> None:
        self.visible = list(self.visible)
        self.options = [o for o in self.options if units(o)]
        self.learner = list(self.learner)
        self.prompts = tuple(self.prompts)
        self.short = key_kind(self.kind, self.key, self.options)
        key_units = units(self.key)
        seen: list[list[str]] = [units(text) for text in self.visible]
        n = min(PHRASE_UNITS, len(key_units))
        visible_phrases = set().union(*(ngrams(s, n) for s in seen)) if seen and n else set()
        self.phrases = (
            {p for p in ngrams(key_units, n) if p not in visible_phrases and not all(_is_stop(u) for u in p)} if n else set()
        )
        visible_pieces = set().union(*(_pieces(s) for s in seen)) if seen else set()
        self.pieces = _pieces(key_units) - visible_pieces
        self.n = n
        # The same secret phrases, unstemmed and squashed (units() keeps the raw units' order).
        raw_units = _UNIT.findall(unicodedata.normalize("NFKC", self.key).lower())
        self.squashed = {
            "".join(raw_units[i : i + n])
            for i in range(len(raw_units) - n + 1)
            if n
            and tuple(key_units[i : i + n]) in self.phrases
            and (len("".join(raw_units[i : i + n])) >= SQUASHED_MIN or any(_is_cjk(u) for u in raw_units[i : i + n]))
        }

    def check(self, reply: str) -> Verdict:
        reply_units = units(reply)
        found = sorted(" ".join(p) for p in self.phrases & ngrams(reply_units, self.n)) if self.n else []
        flat = squash(reply)
        found += sorted(p for p in self.squashed if p in flat or p[::-1] in flat)
        recall = len(self.pieces & _pieces(reply_units)) / len(self.pieces) if self.pieces else 0.0
        answers = False
        if self.question is not None and reply_units:
            from tutor_app.learning.grading import grade_short  # imported late: grading loads the segmenter and dictionary

            answers = grade_short(reply, self.key, self.question).correct
        signals = self._short_signals(reply) if self.short else []
        echo = prompt_echo(reply, self.prompts)
        leaked = bool(found) or recall >= RECALL_LIMIT or answers or bool(signals) or bool(echo)
        return Verdict(leaked, found, recall, len(self.pieces), answers, signals, echo)

    def _short_signals(self, reply: str) -> list[str]:
        """What in ``reply`` states, confirms or denies a candidate for a short key (choice, number, yes/no, term)."""
        text = _without_restatement(reply, self.question or "")
        found = [name for name, pattern in (("verdict", _VERDICT), ("signal", _COVERT)) if pattern.search(text)]
        said = units(text)
        if _contains(said, units(self.key)):
            found.append("key")
        if self.short == "number" and numbers(text) & (numbers(self.key) | set().union(*map(numbers, self.learner))):
            found.append("number")
        if self.short == "choice" and (
            _OPTION_LABEL.search(text) or any(_contains(said, units(o)) for o in [*self.options, self.key])
        ):
            found.append("option")
        return found

    def safe_reply(self, candidates: Iterable[str]) -> tuple[str, int]:
        """The first candidate that does not leak, and its position (len(candidates) for the last resort)."""
        position = 0
        for position, text in enumerate(candidates):
            if text and text.strip() and not self.check(text).leaked:
                return text, position
        else:
            position += 1
        return LAST_RESORT, position


def check(reply: str, key: str, visible: Iterable[str] = (), question: str | None = None, **short) -> Verdict:
    """One-off check of ``reply`` against ``key``; see ``KeyGuard`` (``short``: kind, options, learner)."""
    return KeyGuard(key, list(visible), question, **short).check(reply)


# --------------------------------------------------------------------------- short keys


def key_kind(kind: str, key: str, options: list[str]) -> str:
    """ "choice", "binary", "number" or "term" for a key that a verdict alone gives away; "" for a longer one."""
    size = len(units(key))
    if kind == "multiple_choice" or options:
        return "choice"
    if kind == "true_false" or _BINARY_KEY.match(key or ""):
        return "binary"
    if numbers(key) and size <= 4:
        return "number"
    return "term" if 0 < size <= PHRASE_UNITS else ""


def numbers(text: str) -> set[float]:
    """The numbers written in ``text``, thousands separators read as such: "2,000" and "2000" are equal."""
    out = set()
    for raw in _NUMBER.findall(unicodedata.normalize("NFKC", text or "")):
        plain = re.sub(r",(?=\d{3}(?!\d))", "", raw).replace(",", ".")
        try:
            out.add(float(plain))
        except ValueError:
            continue
    return out


def _contains(seq: list[str], part: list[str]) -> bool:
    return bool(part) and f" {' '.join(part)} " in f" {' '.join(seq)} "


def _without_restatement(reply: str, question: str) -> str:
    """``reply`` without quoted spans that only restate the exercise (the coach may quote the task)."""
    asked = units(question)

    def drop(match: re.Match) -> str:
        inner = match.group(0)[1:-1]  # the quoted text without its two quote marks
        return " " if units(inner) and _contains(asked, units(inner)) else match.group(0)

    return QUOTED.sub(drop, reply or "")


# --------------------------------------------------------------------------- prompt echo and forged instructions


@lru_cache(maxsize=1)
def _prompt_runs() -> tuple[frozenset, frozenset]:
    """Every run of ``ECHO_WORDS`` words and ``ECHO_CHARS`` Chinese characters in the prompt files' messages."""
    messages = []
    for path in all_prompt_files():
        messages += [m.content for m in parse_prompt(path.read_text(encoding="utf-8"), str(path)).messages]
    return _runs_of(tuple(messages))


@lru_cache(maxsize=32)
def _runs_of(messages: tuple[str, ...]) -> tuple[frozenset, frozenset]:
    words, chars = set(), set()
    for message in messages:
        for part in re.split(r"\{[^{}]*\}", message):  # the filled-in variables are not the prompt
            words |= _word_runs(part)
            chars |= _char_runs(part)
    return frozenset(words), frozenset(chars)


def _word_runs(text: str) -> set[tuple[str, ...]]:
    latin = [u for u in units(text) if not _is_cjk(u)]
    return ngrams(latin, ECHO_WORDS)


def _char_runs(text: str) -> set[str]:
    flat = "".join(u for u in units(text) if _is_cjk(u))
    return {flat[i : i + ECHO_CHARS] for i in range(len(flat) - ECHO_CHARS + 1)}


def prompt_echo(reply: str, prompts: tuple[str, ...] = ()) -> list[str]:
    """ "forged" when ``reply`` carries a system or debug tag, "prompt" when it repeats a run of a prompt file
    or of ``prompts`` (the messages of the prompt versions in use)."""
    found = ["forged"] if _FORGED.search(reply or "") else []
    reply_words, reply_chars = _word_runs(reply), _char_runs(reply)
    for words, chars in (_prompt_runs(), _runs_of(tuple(prompts))):
        if reply_words & words or reply_chars & chars:
            found.append("prompt")
            break
    return found


def manipulation(message: str) -> bool:
    """Whether a learner's message forges system or debug instructions or asks the coach to take another role."""
    return bool(_FORGED.search(message or "") or _PERSONA.search(message or ""))
