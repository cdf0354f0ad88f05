"""The course's lessons and learning objectives, in order, with their prerequisites.

Read from the index: every chunk carries its lesson's id, title, language and
objectives (from the lesson file's front matter). Lessons are ordered by their
id (the sample course numbers them: genai-01, genai-02, ...), and a lesson's
prerequisite is the lesson before it, unless its objectives name none. Parallel
versions of one lesson (English and Chinese) share their id and objective ids,
so mastery is kept per objective id and shown in the learner's language.
This module does not compute mastery; ``progress`` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tutor_app.engine.search.lexical import terms


@dataclass
class LessonInfo:
    lesson_id: str
    titles: dict[str, str] = field(default_factory=dict)  # lang -> title
    objectives: dict[str, dict[str, str]] = field(default_factory=dict)  # objective id -> {lang: text}
    prerequisites: list[str] = field(default_factory=list)  # lesson ids

    def title(self, lang: str) -> str:
        return self.titles.get(lang) or next(iter(self.titles.values()), self.lesson_id)


@dataclass
class Catalog:
    course: str
    lessons: list[LessonInfo] = field(default_factory=list)

    def lesson(self, lesson_id: str) -> LessonInfo | None:
        return next((lesson for lesson in self.lessons if lesson.lesson_id == lesson_id), None)

    def objective_ids(self) -> list[str]:
        return [oid for lesson in self.lessons for oid in lesson.objectives]

    def lesson_of(self, objective_id: str) -> LessonInfo | None:
        return next((lesson for lesson in self.lessons if objective_id in lesson.objectives), None)

    def objective_text(self, objective_id: str, lang: str) -> str:
        lesson = self.lesson_of(objective_id)
        texts = lesson.objectives.get(objective_id, {}) if lesson else {}
        return texts.get(lang) or next(iter(texts.values()), objective_id)

    def best_objective(self, text: str, lesson_id: str = "") -> str:
        """The objective whose words best match ``text`` (within ``lesson_id`` when given); "" if none."""
        pool = [lesson for lesson in self.lessons if not lesson_id or lesson.lesson_id == lesson_id] or self.lessons
        wanted = set(terms(text))
        best, best_score = "", -1
        for lesson in pool:
            for oid, texts in lesson.objectives.items():
                score = max((len(wanted & set(terms(t))) for t in texts.values()), default=0)
                if score > best_score:
                    best, best_score = oid, score
        return best


def build_catalog(index, course: str) -> Catalog:
    """Lessons and objectives of ``course`` as the index holds them."""
    lessons: dict[str, LessonInfo] = {}
    for batch in index.iter_chunks({"course": course}):
        for chunk in batch:
            lesson_id = chunk.lesson_id or chunk.source
            info = lessons.setdefault(lesson_id, LessonInfo(lesson_id))
            if chunk.title:
                info.titles.setdefault(chunk.lang, chunk.title)
            for number, objective in enumerate(chunk.objectives, start=1):
                oid = objective.id or f"{lesson_id}-o{number}"
                info.objectives.setdefault(oid, {}).setdefault(chunk.lang, objective.text)
    ordered = sorted(lessons.values(), key=lambda lesson: lesson.lesson_id)
    for before, lesson in zip(ordered, ordered[1:]):
        lesson.prerequisites = [before.lesson_id]
    return Catalog(course, ordered)
