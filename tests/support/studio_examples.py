"""Hand-written lesson plans and quizzes for the studio tests: one valid of each, to be broken on purpose."""

from __future__ import annotations

from tutor_app.core.schemas import LessonPlan, Quiz

CHUNKS = {"c-fewshot", "c-temperature"}


def valid_plan(**changes) -> LessonPlan:
    data = {
        "title": "Few-shot prompts in practice",
        "course": "demo",
        "topic": "few-shot prompting",
        "audience": "Year 10, new to AI",
        "duration_minutes": 45,
        "language": "en",
        "objectives": [
            {"id": "O1", "text": "Explain what a few-shot prompt is", "bloom": "understand"},
            {"id": "O2", "text": "Write a few-shot prompt for a classification task", "bloom": "apply"},
        ],
        "prerequisites": ["Has used a chat assistant"],
        "materials": [
            {"title": "Lesson notes: few-shot prompts", "description": "Section on worked examples", "chunk_ids": ["c-fewshot"]}
        ],
        "activities": [
            {
                "title": "Warm-up",
                "minutes": 5,
                "description": "Ask what an example does.",
                "objective_ids": ["O1"],
                "chunk_ids": ["c-fewshot"],
            },
            {
                "title": "Explain",
                "minutes": 15,
                "description": "Walk through two examples.",
                "objective_ids": ["O1"],
                "chunk_ids": ["c-fewshot"],
            },
            {
                "title": "Practice",
                "minutes": 25,
                "description": "Pairs write a prompt.",
                "objective_ids": ["O2"],
                "chunk_ids": ["c-fewshot", "c-temperature"],
            },
        ],
        "formative_assessment": "Exit ticket: one few-shot prompt.",
        "support_weaker": "Give a template with blanks.",
        "challenge_stronger": "Compare zero-shot and few-shot results.",
        "homework": "Write three examples for a new task.",
    }
    data.update(changes)
    return LessonPlan.model_validate(data)


def valid_quiz(**changes) -> Quiz:
    data = {
        "title": "Few-shot prompts quiz",
        "course": "demo",
        "topic": "few-shot prompting",
        "language": "en",
        "objectives": [
            {"id": "O1", "text": "Explain what a few-shot prompt is", "bloom": "understand"},
            {"id": "O2", "text": "Judge how temperature changes answers", "bloom": "evaluate"},
        ],
        "questions": [
            {
                "kind": "multiple_choice",
                "question": "What does a few-shot prompt contain?",
                "options": ["Worked examples before the task", "Only the task", "A temperature value", "An API key"],
                "answer": "Worked examples before the task",
                "explanation": "The examples show the format.",
                "bloom": "remember",
                "objective_id": "O1",
                "chunk_id": "c-fewshot",
            },
            {
                "kind": "true_false",
                "question": "A low temperature makes answers more repeatable.",
                "options": ["True", "False"],
                "answer": "True",
                "explanation": "Less randomness.",
                "bloom": "understand",
                "objective_id": "O2",
                "chunk_id": "c-temperature",
            },
            {
                "kind": "short_answer",
                "question": "Why do the examples help the model?",
                "options": [],
                "answer": "It copies their format.",
                "explanation": "Models imitate what they see.",
                "bloom": "understand",
                "objective_id": "O1",
                "chunk_id": "c-fewshot",
            },
        ],
    }
    data.update(changes)
    return Quiz.model_validate(data)
