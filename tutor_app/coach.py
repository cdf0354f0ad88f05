"""The student tutor's "coach" mode: Socratic help on an exercise, with a hint ladder and a leak guard.

Each turn asks the model (through the same ``ChatModel`` path as the explain
mode) for a guiding question, giving it the learner profile, the exercise, the
teacher's answer key (so it can judge attempts), the current hint and lesson
passages. A learner who asks for the answer ("just tell me", "告诉我答案")
moves one rung up the hint ladder: the educator's hints first, then generic
ones (the lesson section to re-read, how many ideas the answer has, the first
letter of a key word), each more specific. The reply is never trusted: the
deterministic ``leak_guard`` checks it against the key, and a leaking (or
missing) reply is replaced by the next hint, itself checked, so what the
learner sees cannot contain the key. Attempts are graded with ``grading``.
This module does not store conversations or mastery; pages and ``practice`` do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import ModelError, TutorError
from .grading import Grade, grade_short
from .i18n import t
from .items import Item
from .leak_guard import KeyGuard, Verdict, units
from .lexical import terms
from .llm import StreamEnd
from .profile import Profile, profile_instructions
from .prompts import load_prompt
from .tutor import pack_passages

MAX_REPLY_TOKENS = 96  # one or two short guiding sentences; also keeps the small local model quick
MAX_MESSAGE = 2000
_ROLE = {"system": "system", "human": "user", "ai": "assistant"}
# Asking for the answer instead of working on it, in either language.
_PRESSURE = re.compile(
    r"\b(just|simply)\s+(tell|give|say)|\b(tell|give|show)\s+me\b|\banswer\s+is\b|\bthe\s+answer\b|\bsolution\b|"
    r"\bteacher\s+said\b|\btest\s+tomorrow\b|\bexam\b|\bno\s+more\s+hints\b|\bwhat\s+is\s+it\b|"
    r"答案|告诉我|直接|说出来|老师说|考试|明天|别再|不要提示",
    re.IGNORECASE,
)


_MARKUP = re.compile(r"</?\s*passage[^>\n]*>?", re.IGNORECASE)


def asks_for_answer(message: str) -> bool:
    return bool(_PRESSURE.search(message or ""))


@dataclass
class CoachReply:
    text: str  # what the learner sees (guard-checked)
    hint_level: int  # the ladder rung reached after this turn
    raw: str = ""  # what the model said (never shown when it leaked)
    raw_verdict: Verdict | None = None
    replaced: bool = False  # the guard replaced the model's reply
    model: str = ""
    error: str | None = None
    grade: Grade | None = None
    notices: list[str] = field(default_factory=list)


class Coach:
    def __init__(self, settings, model_factory, retriever=None, bilingual=None) -> None:
        self.settings = settings
        self.model_factory = model_factory
        self.retriever = retriever
        self.bilingual = bilingual

    # ------------------------------------------------------------------ the hint ladder
    def hints(self, item: Item, lang: str) -> list[str]:
        """Every rung of the ladder, least specific first; the last one says no more hints come."""
        ladder = list(item.hints)
        section, lesson = self._section(item)
        ladder.append(t("learn_hint_section", lang, section=section, lesson=lesson) if section else t("learn_hint_reread", lang))
        ladder.append(t("learn_hint_count", lang, count=_idea_count(item.answer)))
        letter = _first_letter(item)
        if letter:
            ladder.append(t("learn_hint_letter", lang, letter=letter))
        ladder.append(t("learn_hint_last", lang))
        return ladder

    def _section(self, item: Item) -> tuple[str, str]:
        if self.retriever is None:
            return "", ""
        try:
            hits = self.retriever.search(f"{item.question} {item.answer}", course=item.course or None).hits
        except TutorError:
            return "", ""
        hits = [h for h in hits if not item.lesson_id or h.chunk.lesson_id == item.lesson_id] or hits
        return (hits[0].chunk.heading, hits[0].chunk.title) if hits else ("", "")

    def guard(self, item: Item, learner_texts: list[str]) -> KeyGuard:
        # What the learner can see or wrote is never secret: the exercise and their own messages.
        return KeyGuard(item.answer, [item.question, *learner_texts], item.question)

    # ------------------------------------------------------------------ a chat turn
    def reply(self, item: Item, message: str, history: list[tuple[str, str]] | None = None,
              profile: Profile | None = None, hint_level: int = 0) -> CoachReply:
        """One coach turn. ``history`` holds (``human``/``ai``, text) pairs of this exercise's chat."""
        profile = profile or Profile()
        lang = profile.language
        message = (message or "").strip()[:MAX_MESSAGE]
        history = list(history or [])
        learner_texts = [text for role, text in history if role == "human"] + [message]
        guard = self.guard(item, learner_texts)
        ladder = self.hints(item, lang)
        last = len(ladder) - 1
        current = min(hint_level, last)  # ladder[current] is the next hint to give
        pressure = asks_for_answer(message)
        raw, model_label, error = self._ask_model(item, message, history, profile, ladder[current])
        verdict = guard.check(raw) if raw.strip() else None
        result = CoachReply("", current, raw, verdict, model=model_label, error=error)
        candidates: list[str] = []
        hint_texts = [t("learn_hint_prefix", lang, hint=h) for h in ladder[current:]] + ladder[current:]
        if verdict is not None and not verdict.leaked:
            if pressure:  # every push is answered with the next, more specific hint, never the answer
                candidates.append(raw.strip() + "\n\n" + hint_texts[0])
                result.hint_level = min(current + 1, last)
            candidates.append(raw.strip())
        else:
            result.replaced = verdict is not None
            result.hint_level = min(current + 1, last)
            result.notices.append(t("learn_guard_replaced", lang) if result.replaced
                                  else t("learn_model_unavailable", lang, error=error or "no text"))
        candidates += hint_texts + [t("learn_fallback_question", lang)]
        result.text, _ = guard.safe_reply(candidates)
        return result

    def _ask_model(self, item: Item, message: str, history: list[tuple[str, str]], profile: Profile,
                   hint: str) -> tuple[str, str, str | None]:
        passages = "(none)"
        if self.retriever is not None:
            try:
                hits = self.retriever.search(item.question, course=item.course or None).hits
                passages, _ = pack_passages(hits[:1], 150) if hits else ("(none)", [])
            except TutorError:
                pass
        prompt = load_prompt("student_coach").template().format_messages(
            learner=profile_instructions(profile), exercise=item.question, answer_key=item.answer, hint=hint,
            passages=passages, message=message or "(no message)", history=history[-8:])
        messages = [{"role": _ROLE[m.type], "content": m.content} for m in prompt]
        try:
            model = self.model_factory()
        except ModelError as exc:
            return "", "(unavailable)", exc.problem
        received: list[str] = []
        end = StreamEnd(False, None, "The model returned nothing.")
        for piece in model.stream(messages, MAX_REPLY_TOKENS):
            if isinstance(piece, StreamEnd):
                end = piece
                break
            received.append(piece)
        # Small models echo the passages' delimiters; the learner should not see them.
        text = _MARKUP.sub("", "".join(received)).strip()
        # A cut-off reply is still checked and may be shown; a failure with no text falls back to a hint.
        return text, model.label, None if text.strip() else (end.error or "no text")

    # ------------------------------------------------------------------ an attempt
    def check_attempt(self, item: Item, attempt: str, profile: Profile | None = None, hint_level: int = 0,
                      learner_texts: list[str] | None = None) -> CoachReply:
        """Grade an attempt against the key: confirm a right one, otherwise say how close and give the next hint."""
        profile = profile or Profile()
        lang = profile.language
        grade = grade_short(attempt, item.answer, item.question, self.bilingual)
        if grade.empty:
            raise TutorError(t("learn_attempt", lang) + ": —", "Write your attempt first, then check it.")
        if grade.correct:
            # Solved: the key may be shown now; the learner has earned it.
            return CoachReply(t("learn_attempt_right", lang, answer=item.answer), hint_level, grade=grade)
        ladder = self.hints(item, lang)
        level = min(hint_level + 1, len(ladder) - 1)
        guard = self.guard(item, [*(learner_texts or []), attempt])
        candidates = [t("learn_attempt_partial", lang, percent=round(grade.score * 100), hint=h) for h in ladder[level:]]
        candidates.append(t("learn_fallback_question", lang))
        text, _ = guard.safe_reply(candidates)
        return CoachReply(text, level, grade=grade)


def _idea_count(key: str) -> int:
    parts = [p for p in re.split(r"[,;:，；：、。.!?]|\band\b|\bor\b|和|与|以及", key) if units(p)]
    return max(1, min(5, len(parts)))


def _first_letter(item: Item) -> str:
    """The first letter of the key's most telling word (the longest one the question does not contain)."""
    asked = set(terms(item.question))
    words = [w for w in terms(item.answer) if w not in asked and len(w) >= 2]
    if not words:
        return ""
    word = max(words, key=len)
    return word[0].upper() if word.isascii() else word[0]
