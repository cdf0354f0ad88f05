"""The student tutor's "coach" mode: Socratic help on an exercise, with a hint ladder and a leak guard.

The ladder, one rung per turn in which the learner asks for the answer ("just
tell me", "告诉我答案"), least specific first: the task restated; the lesson
section (title › heading, found with the retriever) with one sentence quoted
from it that does not give the key away; a guiding question about a term of
that section that is not a key word; the educator's hints; how many ideas the
answer has; the first letter of a key word; a last-hint message. Every rung but
the educator's own hints is a bilingual template in the learner's language,
filled with course text (in that language too when the course has the section
in it). Code, tables and headings are never quoted.

Two answer styles (``Settings.effective_answer_style``):

* extractive (the built-in 135M model): the model is never called. A push
  climbs one rung; anything else (thinking aloud, a guess) gets the rung the
  learner is on and a pointer to "Check my answer", never a verdict: the chat
  grades nothing, so it cannot serve as an oracle around the attempt limit.
* generative (a capable model): the model writes the guiding question, given
  the profile, the exercise, the key (to steer its questions; the prompt
  forbids verdicts), the current rung and a passage's prose (never its code
  blocks, where lessons keep worked examples); a push adds the next rung. Code fences and indentation are
  stripped, so a reply never renders as a code block.

Either way the deterministic ``leak_guard`` checks every reply against the key
and falls back to the next rung (itself checked), so what the learner sees
cannot contain the key (nor the prompt, nor a forged system tag). A learner's
message that forges instructions or asks for another persona gets a refusal and
never reaches the model. A message the safety screen (``safety``) stops gets its
care reply or refusal before any search or model call. Personal details in the
learner's messages and attempts are replaced first (``engine.privacy``). Attempts
from the answer form are the only texts graded with ``grading``: they pass the
same safety screen first, then the caller's attempt limit (``rate_limit``). This
module does not store conversations, mastery or safety flags; pages and
``practice`` do.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from tutor_app.core.errors import ModelError, TutorError
from tutor_app.core.i18n import t
from tutor_app.core.schemas import Hit
from tutor_app.engine.answers.passages import pack_passages
from tutor_app.engine.models.chat import UNAVAILABLE_MODEL
from tutor_app.engine.models.prompts import FilePromptSource, PromptSource, chat_messages
from tutor_app.engine.privacy import has_placeholder, redact, redact_text
from tutor_app.engine.search.lexical import terms
from tutor_app.engine.text import CJK_CHARS, GUARD_STOP_WORDS_EN, detect_lang
from tutor_app.learning.grading import Grade, grade_short
from tutor_app.learning.items import Item
from tutor_app.tutoring.leak_guard import KeyGuard, Verdict, manipulation, units
from tutor_app.tutoring.profile import Profile, profile_instructions
from tutor_app.tutoring.safety import check, help_lines_file, safety_reply, screen

MAX_REPLY_TOKENS = 96  # one or two short guiding sentences; also keeps the small local model quick
MAX_MESSAGE = 2000
QUOTE_UNITS = (5, 60)  # a quoted sentence says something, yet fits a chat bubble (words, or Chinese characters)
# Asking for the answer instead of working on it, in either language.
_PRESSURE = re.compile(
    r"\b(just|simply)\s+(tell|give|say)|\b(tell|give|show)\s+me\b|\banswer\s+is\b|\bthe\s+answer\b|\bsolution\b|"
    r"\bteacher\s+said\b|\btest\s+tomorrow\b|\bexam\b|\bno\s+more\s+hints\b|\bwhat\s+is\s+it\b|"
    r"答案|告诉我|直接|说出来|老师说|考试|明天|别再|不要提示",
    re.IGNORECASE,
)
_MARKUP = re.compile(r"</?\s*passage[^>\n]*>?", re.IGNORECASE)
_FENCE = re.compile(r"^\s*(```|~~~)")
# Lines that are not prose: indented code, headings, tables, images, HTML, rules.
_NOT_PROSE = re.compile(r"^(?: {4}|\t|\s*(?:#|\||!\[|<|[-*_=]{3,}\s*$))")
_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d+[.)]|>)\s+")
# A sentence ends at . ! ? before a space and a non-lower-case letter ("e.g. the" goes on), or at 。！？,
# a closing quote or bracket staying with its sentence.
_SENTENCE_END = re.compile(
    r"(?<=[.!?])\s+(?=[^a-z])|(?<=[.!?][\"”’)])\s+"
    r"|(?<=[。！？])(?![”」』）\"])|(?<=[。！？][”」』）\"])"
)
_BOLD = re.compile(r"\*\*([^*\n]{2,40})\*\*")
_WORD = re.compile(r"[A-Za-z][A-Za-z-]{4,}")
_ASIDE = re.compile(r"\s*[（(][^）)]*[）)]")  # "零样本（zero-shot）" -> "零样本"
# Frequent words that name no idea of a lesson (beyond ``GUARD_STOP_WORDS_EN`` and English -ly adverbs).
_NOT_IDEAS = frozenset(
    "never always often every other there their these those about after before while without within inside outside "
    "should would could might first second third still until since because which whose "
    "一旦 如果 因为 所以 但是 然后 可能 需要 通过 进行 以及 这样 那么 还是 已经 不是 没有 只是 或者 而且 就是 这些 那些 其中 "
    "之后 之前 时候 比如 例如 一些 所有 每个 不要 应该 能够 直接 不同 更加 非常 绝不 不能 必须 总是 永远 从不".split()
)
# Where one question asks several things: "..., and why?", "……什么？为什么？"
_TASK_PARTS = re.compile(
    r"[?？]\s*|,\s*and\s+(?=(?:why|how|what|which|when|where|who)\b)|，\s*(?=为什么|怎么|如何|哪)", re.IGNORECASE
)


def asks_for_answer(message: str) -> bool:
    return bool(_PRESSURE.search(message or ""))


@dataclass
class CoachReply:
    text: str  # what the learner sees (guard-checked)
    hint_level: int  # how many rungs of the ladder have been given after this turn
    raw: str = ""  # what the model said (never shown when it leaked); empty on the extractive style
    raw_verdict: Verdict | None = None
    replaced: bool = False  # the guard replaced the model's reply
    model: str = ""
    error: str | None = None
    grade: Grade | None = None
    notices: list[str] = field(default_factory=list)
    style: str = "generative"  # "extractive": templates and course text only, no model was called
    safety: str = ""  # the safety screen's category when it answered instead (the page records a flag with it)


@dataclass
class Section:
    """The lesson section that holds an exercise's answer, as the retriever found it."""

    lesson: str
    heading: str
    text: str  # the section's retrieved passages, in order

    @property
    def place(self) -> str:
        heading = self.heading.replace(" > ", " › ")  # a sub-section's heading path
        return " › ".join(part for part in dict.fromkeys((self.lesson, heading)) if part)


class Coach:
    def __init__(self, settings, model_factory, retriever=None, bilingual=None, prompts: PromptSource | None = None) -> None:
        self.settings = settings
        self.prompts = prompts or FilePromptSource()  # the app passes the prompt lab's active versions
        self.model_factory = model_factory
        self.retriever = retriever
        self.bilingual = bilingual

    @property
    def style(self) -> str:
        # No settings (unit tests, tools) means the caller handed in a model to be used.
        return getattr(self.settings, "effective_answer_style", "generative")

    # ------------------------------------------------------------------ the hint ladder
    def hints(self, item: Item, lang: str) -> list[str]:
        """Every rung of the ladder, least specific first; the last one says no more hints come."""
        guard = self.guard(item, [])  # the strictest guard: only the exercise is visible
        section = self._section(item, lang)
        ladder = [_restate(item.question, lang)]
        if section is None:
            ladder.append(t("learn_hint_reread", lang))
        else:
            safe, near = _split_by_guard(prose_sentences(section.text), guard)
            ladder.append(_section_rung(section, _quote(safe, item, section), lang))
            question = _guiding_question(section, item, near, lang)
            if question and not guard.check(question).leaked:
                ladder.append(question)
        ladder += item.hints
        ladder.append(t("learn_hint_count", lang, count=_idea_count(item.answer)))
        letter = _first_letter(item) if guard.short in ("", "term") else ""  # a letter picks a choice out
        if letter:
            ladder.append(t("learn_hint_letter", lang, letter=letter))
        ladder.append(t("learn_hint_last", lang))
        return [_plain(rung) for rung in ladder if rung.strip()]

    def _section(self, item: Item, lang: str) -> Section | None:
        """The section holding the answer, in the exercise's lesson and, if the course has it, the learner's language."""
        if self.retriever is None:
            return None
        try:
            hits = self.retriever.search(f"{item.question} {item.answer}", course=item.course or None).hits
        except TutorError:
            return None
        if not hits:
            return None
        lesson = item.lesson_id or hits[0].chunk.lesson_id
        hits = [h for h in hits if h.chunk.lesson_id == lesson] or hits
        hits = [h for h in hits if h.chunk.lang == lang] or hits
        top = hits[0].chunk
        chunks = sorted(
            (h.chunk for h in hits if (h.chunk.source, h.chunk.heading) == (top.source, top.heading)), key=lambda c: c.position
        )
        return Section(top.title, top.heading, "\n\n".join(c.text for c in chunks))

    def guard(self, item: Item, learner_texts: list[str]) -> KeyGuard:
        # What the learner can see or wrote is not secret for a long key; a short one (a choice, a number,
        # yes/no, one term) is guarded against the learner's guesses too (``leak_guard.key_kind``).
        visible = [item.question, *learner_texts]
        return KeyGuard(item.answer, visible, item.question, item.kind, item.options, learner_texts, self._prompt_texts())

    def _prompt_texts(self) -> tuple[str, ...]:
        """The active coach prompt's messages: a version the prompt lab activated is guarded like its file."""
        try:
            return tuple(m.content for m in self.prompts.get("student_coach").messages)
        except TutorError:
            return ()

    # ------------------------------------------------------------------ a chat turn
    def reply(
        self,
        item: Item,
        message: str,
        history: list[tuple[str, str]] | None = None,
        profile: Profile | None = None,
        hint_level: int = 0,
    ) -> CoachReply:
        """One coach turn, with personal details replaced in the learner's texts before anything reads them."""
        redaction = redact(message or "")
        said = [text for role, text in history or [] if role == "human"]
        told = any(has_placeholder(text) or redact(text).changed for text in said)  # the notice came with that turn
        history = [(role, redact_text(text) if role == "human" else text) for role, text in history or []]
        result = self._reply(item, redaction.text, history, profile, hint_level)
        if redaction.changed and not told:
            result.notices.append(t("privacy_redacted", (profile or Profile()).language))
        return result

    def _reply(
        self,
        item: Item,
        message: str,
        history: list[tuple[str, str]] | None = None,
        profile: Profile | None = None,
        hint_level: int = 0,
    ) -> CoachReply:
        """One coach turn. ``history`` holds (``human``/``ai``, text) pairs of this exercise's chat."""
        profile = profile or Profile()
        message = (message or "").strip()[:MAX_MESSAGE]
        screening = check(message, detect_lang(message), self.settings) if message else None
        if screening is not None and screening.flagged:  # before the ladder, which searches the course
            text = safety_reply(screening, help_lines_file(self.settings))
            return CoachReply(text, hint_level, style=self.style, safety=screening.category)
        # A forged instruction or a persona request never reaches the model, now or in a later turn's history.
        history = [(role, text) for role, text in history or [] if not (role == "human" and manipulation(text))]
        history = [(role, text) for role, text in history if not (role == "human" and screen(text).flagged)]
        learner_texts = [text for role, text in history if role == "human"] + [message]
        guard = self.guard(item, learner_texts)
        ladder = self.hints(item, profile.language)
        if manipulation(message):
            return self._refusal(guard, ladder, profile.language, hint_level)
        if self.style == "extractive":
            return self._extractive_reply(message, guard, ladder, profile.language, hint_level)
        return self._generative_reply(item, message, history, profile, guard, ladder, hint_level)

    def _refusal(self, guard: KeyGuard, ladder: list[str], lang: str, hint_level: int) -> CoachReply:
        """The coach keeps its role: a refusal in the learner's language and the rung they are on."""
        rung = min(max(hint_level - 1, 0), len(ladder) - 1)
        candidates = [t("coach_refuse_role", lang, hint=h) for h in ladder[rung:]] + [t("coach_refuse_role_only", lang)]
        text, _ = guard.safe_reply(candidates)
        return CoachReply(text, hint_level, style=self.style, notices=[t("coach_refused_notice", lang)])

    def _extractive_reply(self, message: str, guard: KeyGuard, ladder: list[str], lang: str, hint_level: int) -> CoachReply:
        if asks_for_answer(message):  # every push climbs one rung, never to the answer
            rung = min(hint_level, len(ladder) - 1)
            texts = [t("learn_hint_prefix", lang, hint=h) for h in ladder[rung:]]
            level = rung + 1
        else:  # thinking aloud or guessing: the rung the learner is on, no verdict ("Check my answer" judges)
            rung = min(max(hint_level - 1, 0), len(ladder) - 1)
            attempt, check_label = t("learn_attempt", lang), t("learn_check_attempt", lang)
            texts = [t("coach_keep_thinking", lang, hint=h, attempt=attempt, check=check_label) for h in ladder[rung:]]
            level = max(hint_level, 1)
        text, _ = guard.safe_reply(texts + ladder[rung:] + [t("learn_fallback_question", lang)])
        return CoachReply(text, min(level, len(ladder)), style="extractive")

    def _generative_reply(
        self,
        item: Item,
        message: str,
        history: list[tuple[str, str]],
        profile: Profile,
        guard: KeyGuard,
        ladder: list[str],
        hint_level: int,
    ) -> CoachReply:
        lang = profile.language
        current = min(hint_level, len(ladder) - 1)  # ladder[current] is the next hint to give
        raw, model_label, error = self._ask_model(item, message, history, profile, ladder[current])
        verdict = guard.check(raw) if raw.strip() else None
        result = CoachReply("", current, raw, verdict, model=model_label, error=error)
        candidates: list[str] = []
        hint_texts = [t("learn_hint_prefix", lang, hint=h) for h in ladder[current:]] + ladder[current:]
        if verdict is not None and not verdict.leaked:
            if asks_for_answer(message):  # every push is answered with the next, more specific hint, never the answer
                candidates.append(raw + "\n\n" + hint_texts[0])
                result.hint_level = current + 1
            candidates.append(raw)
        else:
            result.replaced = verdict is not None
            result.hint_level = current + 1
            result.notices.append(
                t("learn_guard_replaced", lang)
                if result.replaced
                else t("learn_model_unavailable", lang, error=error or "no text")
            )
        candidates += hint_texts + [t("learn_fallback_question", lang)]
        result.text, _ = guard.safe_reply(candidates)
        return result

    def _ask_model(
        self, item: Item, message: str, history: list[tuple[str, str]], profile: Profile, hint: str
    ) -> tuple[str, str, str | None]:
        passages = "(none)"
        if self.retriever is not None:
            try:
                hits = self.retriever.search(item.question, course=item.course or None).hits
                passages, _ = pack_passages([_prose_only(h) for h in hits[:1]], 150) if hits else ("(none)", [])
            except TutorError:
                pass
        prompt = (
            self.prompts.get("student_coach")
            .template()
            .format_messages(
                learner=profile_instructions(profile),
                exercise=item.question,
                answer_key=item.answer,
                hint=hint,
                passages=passages,
                message=message or "(no message)",
                history=history[-8:],
            )
        )
        messages = chat_messages(prompt)
        try:
            model = self.model_factory()
        except ModelError as exc:
            return "", UNAVAILABLE_MODEL, exc.problem
        answer = model.complete(messages, MAX_REPLY_TOKENS)
        # Small models echo the passages' delimiters and wrap replies in code blocks; the learner should see neither.
        text = _plain(_MARKUP.sub("", answer.text))
        # A cut-off reply is still checked and may be shown; a failure with no text falls back to a hint.
        return text, model.label, None if text else (answer.error or "no text")

    # ------------------------------------------------------------------ an attempt
    def check_attempt(
        self,
        item: Item,
        attempt: str,
        profile: Profile | None = None,
        hint_level: int = 0,
        learner_texts: list[str] | None = None,
        rate_limit: Callable[[], None] | None = None,
    ) -> CoachReply:
        """Grade an attempt against the key: confirm a right one, otherwise say how close and give the next rung.

        The attempt passes the safety screen first, as a chat message does: a disclosure or a harmful request gets
        the care reply or refusal (``safety`` set, ``grade`` None) and is not graded. Then ``rate_limit`` (the
        page's attempt limit, raising ``InputError``) runs, so the limit never stands between a learner and care.
        """
        profile = profile or Profile()
        lang = profile.language
        attempt, learner_texts = redact_text(attempt), [redact_text(text) for text in learner_texts or []]
        said = (attempt or "").strip()[:MAX_MESSAGE]
        screening = check(said, detect_lang(said), self.settings) if said else None
        if screening is not None and screening.flagged:
            text = safety_reply(screening, help_lines_file(self.settings))
            return CoachReply(text, hint_level, style=self.style, safety=screening.category)
        if rate_limit is not None:
            rate_limit()
        grade = grade_short(attempt, item.answer, item.question, self.bilingual)
        if grade.empty:
            raise TutorError(t("learn_attempt", lang) + ": —", "Write your attempt first, then check it.")
        if grade.correct:
            # Solved: the key may be shown now; the learner has earned it.
            return CoachReply(t("learn_attempt_right", lang, answer=item.answer), hint_level, grade=grade, style=self.style)
        ladder = self.hints(item, lang)
        rung = min(hint_level, len(ladder) - 1)
        guard = self.guard(item, [*(learner_texts or []), attempt])
        # The verdict in words, never a share of the key (that would tell which words are in it).
        candidates = [f"{t(grade.feedback, lang)} {h}" for h in ladder[rung:]]
        candidates.append(t("learn_fallback_question", lang))
        text, _ = guard.safe_reply(candidates)
        return CoachReply(text, rung + 1, grade=grade, style=self.style)


# --------------------------------------------------------------------------- rungs made from the task and the lesson


def _restate(question: str, lang: str) -> str:
    """The task in the learner's language's template, split into the things it asks when it asks several."""
    parts = [p.strip(" ,，").rstrip("。.!！?？") for p in _TASK_PARTS.split(question) if units(p)]
    if len(parts) < 2:
        return t("coach_restate", lang, task=question.strip())
    quoted = [f"「{p}」" if lang == "zh" else f"“{p}”" for p in parts]
    joined = t("coach_list_sep", lang).join(quoted[:-1]) + t("coach_list_and", lang) + quoted[-1]
    return t("coach_restate_parts", lang, count=len(parts), parts=joined)


def _section_rung(section: Section, quote: str, lang: str) -> str:
    if quote:
        return t("coach_section_quote", lang, place=section.place, quote=quote)
    return t("learn_hint_section", lang, section=section.heading or section.lesson, lesson=section.lesson)


def _split_by_guard(sentences: list[str], guard: KeyGuard) -> tuple[list[str], set[str]]:
    """The sentences that pass the guard, and the terms of those that do not (the answer's neighbourhood)."""
    safe: list[str] = []
    near: set[str] = set()
    for sentence in dict.fromkeys(sentences):  # overlapping passages repeat sentences
        if guard.check(sentence).leaked:
            near.update(terms(sentence))
        else:
            safe.append(sentence)
    return safe, near


def _quote(safe: list[str], item: Item, section: Section) -> str:
    """The safe sentence sharing most words with the task (then with the heading); "" when none shares any."""
    asked, heading = set(terms(item.question)), set(terms(section.heading))
    scored = [
        ((len(asked & set(terms(s))), len(heading & set(terms(s)))), s)
        for s in safe
        if QUOTE_UNITS[0] <= len(units(s)) <= QUOTE_UNITS[1]
    ]
    best = max(scored, key=lambda pair: pair[0], default=((0, 0), ""))
    return best[1] if any(best[0]) else ""


def _guiding_question(section: Section, item: Item, near: set[str], lang: str) -> str:
    term = _guiding_term(section, item, near)
    return t("coach_guiding_question", lang, term=term) if term else ""


def _guiding_term(section: Section, item: Item, near: set[str]) -> str:
    """A term the section explains that is not a key word: a bold term, near the answer, in the task, frequent."""
    key_terms, asked = terms(item.answer), set(terms(item.question))
    bold = list(dict.fromkeys(_ASIDE.sub("", b).strip() for b in _BOLD.findall(section.text)))
    counts = Counter(_content_words(" ".join(prose_sentences(section.text))))

    def rank(candidate: str) -> tuple[int, int]:
        found, is_bold = set(terms(candidate)), candidate in bold
        # A bold term the task names is the concept to look up; a plain word of the task tells the learner nothing new.
        named = 2 if is_bold and candidate.lower() in item.question.lower() else -1 if found & asked else 0
        return 4 * is_bold + 2 * bool(found & near) + named, counts[candidate]

    candidates = [c for c in dict.fromkeys(bold + list(counts)) if c and terms(c) and not _is_key_word(c, key_terms)]
    return max(candidates, key=rank, default="")  # max keeps the first of equals: bold terms in lesson order


def _content_words(text: str) -> list[str]:
    """Words that can name an idea: English ones of five letters or more, Chinese ones of two characters or more."""
    words = [w if w.isupper() else w.lower() for w in _WORD.findall(text)]
    words = [w for w in words if w.lower() not in GUARD_STOP_WORDS_EN | _NOT_IDEAS and not w.lower().endswith("ly") and terms(w)]
    return words + [w for w in terms(text) if re.fullmatch(f"[{CJK_CHARS}]{{2,}}", w) and w not in _NOT_IDEAS]


def _is_key_word(candidate: str, key_terms: list[str]) -> bool:
    """Whether a word of ``candidate`` is (or contains, or is part of) a word of the key."""
    for word in terms(candidate):
        for key in key_terms:
            if word.isascii() != key.isascii():
                continue
            if word == key or (
                word.isascii() and min(len(word), len(key)) >= 4 and (word.startswith(key) or key.startswith(word))
            ):
                return True
            if not word.isascii() and (word in key or key in word):
                return True
    return False


# --------------------------------------------------------------------------- text helpers


def prose_sentences(text: str) -> list[str]:
    """The prose sentences of Markdown text, English or Chinese; code, tables, headings and images are skipped."""
    paragraphs: list[list[str]] = []
    lines: list[str] = []
    fenced = False
    for line in (text or "").splitlines() + [""]:
        if _FENCE.match(line):
            fenced, line = not fenced, ""
        if fenced or not line.strip() or _NOT_PROSE.match(line) or _LIST_MARK.match(line):
            if lines:
                paragraphs.append(lines)
            lines = []
        if not fenced and line.strip() and not _NOT_PROSE.match(line):
            lines.append(_LIST_MARK.sub("", line).strip())
    out: list[str] = []
    for paragraph in paragraphs:
        flat = _inline(re.sub(f"(?<=[{CJK_CHARS}，。；：！？、])\\s+(?=[{CJK_CHARS}])", "", " ".join(paragraph)))
        out += [s.strip() for s in _SENTENCE_END.split(flat) if s.strip()]
    return out


def _inline(text: str) -> str:
    """Markdown inline markup removed: images, link targets, HTML tags, bold and underline markers."""
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<[^>]+>", "", text)
    for mark in ("```", "**", "__"):
        text = text.replace(mark, "")
    return " ".join(text.split())


def _prose_only(hit: Hit) -> Hit:
    # A lesson's worked examples sit in code blocks, and a small model repeats them as "the answer"
    # ("The answer is: evaporation"), so the model sees the passage's prose only.
    chunk = hit.chunk.model_copy(update={"text": " ".join(prose_sentences(hit.chunk.text))})
    return hit.model_copy(update={"chunk": chunk})


def _plain(text: str) -> str:
    """Chat text that Markdown cannot render as code: no fences, no indented lines."""
    lines = [line.strip() for line in (text or "").splitlines() if not _FENCE.match(line)]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines).replace("```", "")).strip()


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
