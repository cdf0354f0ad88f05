"""Practice runs, the review queue, mastery, recommendations, profiles and classes, on a real (small) index."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from tests.support.learning_course import write_course
from tutor_app.accounts.classes import ClassNotFound, add_student, create_class, list_classes, visible_students
from tutor_app.accounts.users import create_user, get_user
from tutor_app.core.database import open_database
from tutor_app.core.errors import InputError, TutorError
from tutor_app.learning.items import add_exercise, delete_exercise, generated_items, resolve
from tutor_app.learning.practice import ATTEMPT_LIMIT, ATTEMPT_WINDOW, Practice, check_attempt_rate
from tutor_app.learning.progress import class_heatmap, needs_help, recommend, record_answer, student_progress
from tutor_app.tutoring.profile import Profile, load_profile, profile_instructions, save_profile

PASSWORD = "correct horse battery"


@pytest.fixture
def world(fake_services, tmp_path):
    assert fake_services.ingestor.ingest_paths([write_course(tmp_path / "course")], "demo").ok
    db = open_database("sqlite://")
    users = {
        name: create_user(db, name, PASSWORD, role)
        for name, role in [("teacher", "educator"), ("other_teacher", "educator"), ("alice", "student"), ("bob", "student")]
    }
    practice = Practice(db, fake_services.index, fake_services.retriever)
    return db, users, practice, fake_services


def test_catalog_orders_lessons_and_chains_prerequisites(world):
    _, _, practice, _ = world
    catalog = practice.catalog("demo")
    assert [lesson.lesson_id for lesson in catalog.lessons] == ["demo-01", "demo-02"]
    assert catalog.lesson("demo-02").prerequisites == ["demo-01"]
    assert catalog.objective_text("demo-01-o1", "zh") == "说明什么是提示及其组成部分"
    assert catalog.best_objective("few-shot worked examples") == "demo-01-o2"


def test_generated_questions_blank_out_a_defined_term(world):
    _, _, practice, services = world
    items = generated_items(services.index, practice.catalog("demo"), "demo", "demo-01", "en")
    assert items and items[0].answer == "prompt" and "_____" in items[0].question and "**" not in items[0].question
    zh = generated_items(services.index, practice.catalog("demo"), "demo", "demo-01", "zh")
    assert zh[0].question.startswith("填空") and zh[0].answer == "提示"
    assert resolve(practice.db, services.index, practice.catalog("demo"), items[0].ref).question == items[0].question


def test_a_practice_run_grades_cites_updates_mastery_and_queues_mistakes(world):
    db, users, practice, _ = world
    alice = users["alice"]
    ex_id, notices = add_exercise(
        db,
        users["teacher"],
        "demo",
        "What does a few-shot prompt put before the task?",
        "Two or three worked examples so the model copies their format.",
        "demo-01",
        "demo-01-o2",
    )
    assert notices == ["key_longer"]  # the key is longer than the exercise: allowed, and said
    run = practice.start(alice.id, "demo", "demo-01", "en")
    step = practice.current(alice.id, run)
    assert step.item.ref == f"ex:{ex_id}" and step.total >= 2
    with pytest.raises(InputError, match="empty"):
        practice.answer(alice.id, run, "   ")
    wrong = practice.answer(alice.id, run, "a longer instruction")
    assert not wrong.grade.correct and wrong.mastery_after < wrong.mastery_before and not wrong.reveal
    assert wrong.citation is not None and wrong.citation.heading == "Few-shot prompts"
    assert wrong.review_due is not None and wrong.review_due - datetime.utcnow() > timedelta(hours=23)
    step = practice.current(alice.id, run)
    assert step.position == 1 and step.item.source == "generated"
    right = practice.answer(alice.id, run, step.item.answer)
    assert right.reveal and right.grade.correct and right.mastery_after > right.mastery_before and right.review_due is None
    assert practice.queue_size(users["alice"], "demo") == 1
    assert practice.queue_size(users["bob"], "demo") == 0  # a queue is its learner's own
    assert practice.due_reviews(users["bob"], "demo", datetime.utcnow() + timedelta(days=2)) == ([], 0)
    # The mistake is due tomorrow, not now. SM-2 restarted it: right answers then give 1 day, then 6 days.
    assert practice.due_reviews(users["alice"], "demo")[0] == []
    tomorrow = datetime.utcnow() + timedelta(days=1, minutes=1)
    [due], dropped = practice.due_reviews(users["alice"], "demo", tomorrow)
    assert due.ref == f"ex:{ex_id}" and dropped == 0
    again = practice.grade_and_record(alice.id, due, "two or three worked examples so the model copies their format", tomorrow)
    assert again.grade.correct and (again.review_due - tomorrow).days == 1
    later = tomorrow + timedelta(days=1, minutes=1)
    last = practice.grade_and_record(alice.id, due, "two or three worked examples so the model copies their format", later)
    assert (last.review_due - later).days == 6


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_generated_question_keeps_its_key_hidden_after_a_wrong_answer(world, lang):
    # A term of the lesson may also be an educator's key: a wrong guess earns the section to re-read, not the key.
    _, users, practice, services = world
    item = generated_items(services.index, practice.catalog("demo"), "demo", "demo-01", lang)[0]
    assert item.source == "generated"
    wrong = practice.grade_and_record(users["alice"].id, item, "banana" if lang == "en" else "香蕉")
    assert not wrong.grade.correct and not wrong.reveal
    assert wrong.citation is not None and item.answer in wrong.citation.text  # the lesson holds it, to re-read
    right = practice.grade_and_record(users["alice"].id, item, item.answer)
    assert right.grade.correct and right.reveal  # earned


def test_a_run_skips_the_other_languages_questions_when_the_learner_has_their_own(world):
    db, users, practice, _ = world
    for question, key, language in (
        ("What does a few-shot prompt put before the task?", "Two or three worked examples.", "en"),
        ("少样本提示在任务之前放什么？", "放两三个示例。", "zh"),
    ):
        add_exercise(db, users["teacher"], "demo", question, key, "demo-01", "demo-01-o2", language=language)
    for lang in ("en", "zh"):
        items = practice.items_for("demo", "demo-01", lang)
        assert items and {item.lang for item in items} == {lang}
        assert sum(item.source == "exercise" for item in items) == 1


def test_an_answer_in_the_other_language_is_graded(world):
    db, users, practice, _ = world
    add_exercise(
        db,
        users["teacher"],
        "demo",
        "少样本提示在任务之前放什么？",
        "放两三个示例，让模型模仿它们的格式。",
        "demo-01",
        "demo-01-o2",
        language="zh",
    )
    run = practice.start(users["alice"].id, "demo", "demo-01", "en")
    step = practice.current(users["alice"].id, run)
    assert step.item.lang == "zh"  # only exercise for the lesson is Chinese; the English learner still gets it
    feedback = practice.answer(users["alice"].id, run, "a few examples so the model imitates the format")
    assert feedback.grade.cross_language and feedback.grade.correct


def test_questions_deleted_after_the_run_began_are_skipped_and_reviews_dropped(world):
    db, users, practice, _ = world
    teacher, alice = users["teacher"], users["alice"]
    ids = [
        add_exercise(db, teacher, "demo", f"Question {n}: what is a prompt?", "the text given to a model", "demo-01")[0]
        for n in range(2)
    ]
    run = practice.start(alice.id, "demo", "demo-01", "en", limit=2)
    practice.answer(alice.id, run, "no idea")  # wrong: goes into the review queue
    for ex_id in ids:
        delete_exercise(db, teacher, ex_id)
    step = practice.current(alice.id, run)
    assert step.item is None and step.skipped == 1 and step.position == 2
    with pytest.raises(InputError, match="finished"):
        practice.answer(alice.id, run, "anything")
    items, dropped = practice.due_reviews(users["alice"], "demo", datetime.utcnow() + timedelta(days=2))
    assert items == [] and dropped == 1 and practice.queue_size(users["alice"], "demo") == 0


def test_a_run_belongs_to_its_learner(world):
    _, users, practice, _ = world
    run = practice.start(users["alice"].id, "demo", "demo-01", "en")
    with pytest.raises(TutorError, match="No practice run"):
        practice.current(users["bob"].id, run)


def test_recommendation_follows_mastery_and_prerequisites(world):
    db, users, practice, _ = world
    catalog = practice.catalog("demo")
    alice = users["alice"].id
    progress = student_progress(db, catalog, users["alice"])
    # Nothing practised: lesson 2 is locked behind lesson 1, so the first objective of lesson 1 comes first.
    assert recommend(catalog, progress).objective_id == "demo-01-o1"
    for _ in range(3):
        record_answer(db, alice, "demo", "demo-01-o1", True)
    assert recommend(catalog, student_progress(db, catalog, users["alice"])).objective_id == "demo-01-o2"
    for _ in range(3):
        record_answer(db, alice, "demo", "demo-01-o2", True)
    progress = student_progress(db, catalog, users["alice"])
    assert {p.objective_id: p.attempts for p in progress} == {"demo-01-o1": 3, "demo-01-o2": 3, "demo-02-o1": 0}
    assert recommend(catalog, progress).objective_id == "demo-02-o1"  # unlocked now
    for oid in ("demo-01-o1", "demo-01-o2", "demo-02-o1"):
        for _ in range(6):
            record_answer(db, alice, "demo", oid, True)
    assert recommend(catalog, student_progress(db, catalog, users["alice"])) is None  # all mastered


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_progress_is_only_shown_to_the_learner_their_educator_and_an_administrator(world, lang):
    db, users, practice, _ = world
    catalog = practice.catalog("demo")
    alice = users["alice"]
    record_answer(db, alice.id, "demo", "demo-01-o1", True)
    admin = create_user(db, "root", PASSWORD, "administrator")
    class_id = create_class(db, users["teacher"], "7A").id
    add_student(db, users["teacher"], class_id, "alice")
    for viewer in (alice, users["teacher"], admin):
        rows = student_progress(db, catalog, viewer, alice.id)
        assert {p.objective_id: p.attempts for p in rows}["demo-01-o1"] == 1
    for viewer in (users["bob"], users["other_teacher"]):
        with pytest.raises(InputError) as caught:
            student_progress(db, catalog, viewer, alice.id, lang)
        assert str(alice.id) in caught.value.message(lang)
        assert ("administrator" in caught.value.message(lang)) == (lang == "en")
    assert [p.attempts for p in student_progress(db, catalog, users["bob"])] == [0, 0, 0]  # bob's own


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_checks_of_one_question_are_rate_limited_and_a_reload_does_not_reset_it(world, lang):
    db, users, practice, _ = world
    alice, bob = users["alice"], users["bob"]
    ex_id, _ = add_exercise(db, users["teacher"], "demo", "What is a prompt?", "the text given to a model", "demo-01")
    item = resolve(db, practice.index, practice.catalog("demo"), f"ex:{ex_id}")
    for n in range(ATTEMPT_LIMIT):
        practice.grade_and_record(alice.id, item, f"guess {n}")
    fresh = Practice(db, practice.index)  # a reload: nothing kept in memory
    with pytest.raises(InputError) as caught:
        fresh.grade_and_record(alice.id, item, "the text given to a model")
    text = caught.value.message(lang)
    assert str(ATTEMPT_LIMIT) in text and ("10 minutes" in text if lang == "en" else "10 分钟" in text)
    assert re.search(r"again in (\d+) minutes" if lang == "en" else r"(\d+) 分钟后", text).group(1) == "10"
    with pytest.raises(InputError):
        check_attempt_rate(db, alice.id, item.ref)  # the coach page's "Check my answer" asks the same
    fresh.grade_and_record(bob.id, item, "a guess")  # per learner ...
    later = datetime.utcnow() + ATTEMPT_WINDOW + timedelta(seconds=5)
    assert fresh.grade_and_record(alice.id, item, "the text given to a model", now=later).grade.correct  # ... and window


def test_profile_defaults_saves_and_refuses_nonsense(world):
    db, users, _, _ = world
    bob = create_user(db, "bobzh", PASSWORD, "student", language="zh")
    assert load_profile(db, bob.id) == Profile(language="zh")
    save_profile(db, bob.id, level="advanced", language="en", style="examples", goal="  ship   a bot ")
    saved = load_profile(db, bob.id)
    assert saved.level == "advanced" and saved.goal == "ship a bot"
    assert "small concrete example" in profile_instructions(saved) and "ship a bot" in profile_instructions(saved)
    with pytest.raises(InputError):
        save_profile(db, bob.id, level="expert")
    with pytest.raises(InputError):
        save_profile(db, bob.id, goal="x" * 301)


def test_educators_see_only_their_classes_and_who_needs_help(world):
    db, users, practice, _ = world
    teacher, other, alice, bob = (users[n] for n in ("teacher", "other_teacher", "alice", "bob"))
    group = create_class(db, teacher, "Monday group", "demo")
    add_student(db, teacher, group.id, "alice")
    add_student(db, teacher, group.id, "ALICE")  # twice is once
    add_student(db, teacher, group.id, "bob")
    with pytest.raises(InputError):
        add_student(db, teacher, group.id, "other_teacher")  # not a student
    with pytest.raises(ClassNotFound):
        add_student(db, other, group.id, "alice")
    with pytest.raises(ClassNotFound):
        class_heatmap(db, other, group.id, practice.catalog("demo"))
    assert [c.size for c in list_classes(db, teacher)] == [2] and list_classes(db, other) == []
    assert visible_students(db, alice) == {alice.id}
    assert {alice.id, bob.id} <= visible_students(db, teacher) and alice.id not in visible_students(db, other)
    for _ in range(2):
        record_answer(db, bob.id, "demo", "demo-01-o1", False)
    record_answer(db, alice.id, "demo", "demo-01-o1", True)
    heat = class_heatmap(db, teacher, group.id, practice.catalog("demo"))
    assert [s.username for s in heat.students] == ["alice", "bob"]
    assert heat.mastery[(alice.id, "demo-01-o1")] == pytest.approx(0.6)
    assert heat.mastery[(bob.id, "demo-02-o1")] == pytest.approx(0.2)  # never practised: the prior
    assert [(s.username, oid) for s, oid, _ in needs_help(heat)] == [("bob", "demo-01-o1")]
    admin = create_user(db, "root_admin", PASSWORD, "administrator")
    assert [c.name for c in list_classes(db, get_user(db, admin.id))] == ["Monday group"]


def test_a_quiz_edited_after_the_run_began_skips_only_the_removed_question(world):
    from tutor_app.core.schemas import LearningObjective, Quiz, QuizQuestion
    from tutor_app.studio.saved import StudioStore

    db, users, practice, _ = world
    questions = [
        QuizQuestion(
            kind="true_false",
            question="A few-shot prompt contains worked examples.",
            options=["True", "False"],
            answer="True",
            objective_id="O1",
        ),
        QuizQuestion(
            kind="short_answer",
            question="What do few-shot prompts show before the task?",
            answer="worked examples",
            objective_id="O1",
        ),
    ]
    quiz = Quiz(
        title="Few-shot",
        course="demo",
        objectives=[LearningObjective(id="O1", text="few-shot prompting with examples")],
        questions=questions,
    )
    store = StudioStore(db)
    doc = store.create(users["teacher"].id, quiz)
    alice = users["alice"].id
    run = practice.start(alice, "demo", "demo-01", "en", limit=2)
    step = practice.current(alice, run)
    assert step.item.source == "quiz" and step.item.objective_id == "demo-01-o2" and step.total == 2
    # The educator removes the first question and reorders nothing else: the run skips it, keeps the other.
    store.save_version(users["teacher"].id, doc.id, quiz.model_copy(update={"questions": questions[1:]}))
    step = practice.current(alice, run)
    assert step.skipped == 1 and step.item.question == questions[1].question
    assert practice.answer(alice, run, "worked examples").grade.correct
