"""Saved plans and quizzes: versions, owner scoping, duplicate, delete, and the learners' quiz view."""

import pytest

from tests.support.studio_examples import valid_plan, valid_quiz
from tutor_app.accounts.users import create_user
from tutor_app.core.database import StudioVersion, default_database_url, open_database
from tutor_app.studio.saved import NotFound, StudioStore, course_quizzes, load_quiz

PASSWORD = "correct horse battery"


@pytest.fixture
def db(settings):
    return open_database(default_database_url(settings))


@pytest.fixture
def users(db):
    return create_user(db, "erin", PASSWORD, "educator").id, create_user(db, "omar", PASSWORD, "educator").id


def test_versions_keep_every_save_and_load_the_latest_by_default(db, users):
    erin, _ = users
    store = StudioStore(db)
    info = store.create(erin, valid_plan())
    assert info.kind == "plan" and info.latest_version == 1 and info.title == "Few-shot prompts in practice"
    edited = valid_plan(title="Few-shot prompts, revised", duration_minutes=60)
    info2 = store.save_version(erin, info.id, edited, note="edited")
    assert info2.latest_version == 2
    assert store.load(erin, info.id).title == "Few-shot prompts, revised"
    assert store.load(erin, info.id, version=1).duration_minutes == 45
    assert [v for v, _, _ in store.versions(erin, info.id)] == [2, 1]
    assert [d.title for d in store.list(erin)] == ["Few-shot prompts, revised"]


def test_another_educator_cannot_see_load_change_or_delete(db, users):
    erin, omar = users
    store = StudioStore(db)
    info = store.create(erin, valid_quiz())
    assert store.list(omar) == []
    for action in (
        lambda: store.load(omar, info.id),
        lambda: store.save_version(omar, info.id, valid_quiz()),
        lambda: store.duplicate(omar, info.id),
        lambda: store.delete(omar, info.id),
    ):
        with pytest.raises(NotFound):
            action()
    assert store.load(erin, info.id).title == "Few-shot prompts quiz"


def test_duplicate_is_independent_and_delete_removes_versions(db, users):
    erin, _ = users
    store = StudioStore(db)
    original = store.create(erin, valid_plan())
    copy = store.duplicate(erin, original.id)
    assert copy.id != original.id and copy.title.endswith("(copy)") and copy.latest_version == 1
    store.save_version(erin, copy.id, valid_plan(title="Changed copy"))
    assert store.load(erin, original.id).title == "Few-shot prompts in practice"
    store.delete(erin, copy.id)
    assert [d.id for d in store.list(erin)] == [original.id]
    with db.session() as s:
        assert s.query(StudioVersion).filter_by(document_id=copy.id).count() == 0
    with pytest.raises(NotFound):
        store.delete(erin, copy.id)


def test_saving_a_quiz_over_a_plan_is_refused(db, users):
    erin, _ = users
    store = StudioStore(db)
    plan = store.create(erin, valid_plan())
    with pytest.raises(Exception, match="is of another kind"):
        store.save_version(erin, plan.id, valid_quiz())
    assert store.info(erin, plan.id).latest_version == 1


def test_learners_view_lists_a_courses_quizzes_only(db, users):
    erin, omar = users
    store = StudioStore(db)
    store.create(erin, valid_plan())
    q1 = store.create(erin, valid_quiz())
    q2 = store.create(omar, valid_quiz(course="other"))
    assert [d.id for d in course_quizzes(db, "demo")] == [q1.id]
    assert load_quiz(db, q2.id).course == "other"
    plan_id = store.list(erin, kind="plan")[0].id
    with pytest.raises(NotFound):
        load_quiz(db, plan_id)
