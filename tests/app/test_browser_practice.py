"""A real-browser practice session: sign in, open Practice, answer two questions, see graded feedback."""

import pytest

from tests.support.apptest import add_user, app_database, index_course
from tests.support.browser import SHOTS, browser_page, require_browser, running_app, sign_in
from tests.support.learning_course import write_course

pytestmark = pytest.mark.slow
playwright_api = require_browser()


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    from tutor_app.learning.items import add_exercise

    home = tmp_path_factory.mktemp("home")
    index_course(home, [write_course(tmp_path_factory.mktemp("course"))], env={})
    db = app_database(home, env={})
    add_user(db, "admin", "administrator")
    teacher = add_user(db, "teacher", "educator")
    add_user(db, "alice", "student")
    add_exercise(
        db,
        teacher,
        "demo",
        "What does a few-shot prompt put before the task?",
        "Two or three worked examples so the model copies their format.",
        "demo-01",
        "demo-01-o2",
    )
    with running_app(home) as url:
        yield url


def test_one_practice_session(app_url):
    with browser_page(playwright_api) as page:
        sign_in(page, app_url, "alice")
        page.get_by_role("heading", name="Tutor").wait_for()
        page.get_by_role("link", name="Practice").click()
        page.get_by_role("heading", name="Practice").wait_for()
        page.get_by_role("button", name="Start practice").click()
        page.get_by_text("Question 1 of", exact=False).wait_for()
        page.get_by_label("Your answer").fill("a longer instruction")
        page.get_by_role("button", name="Check").click()
        page.get_by_text("Not yet", exact=False).wait_for()
        page.get_by_text("Question 2 of", exact=False).wait_for()
        page.screenshot(path=str(SHOTS / "practice-feedback.png"), full_page=True)
        assert page.get_by_text("Mastery of this objective: 20% →", exact=False).count() == 1
        page.get_by_label("Your answer").fill("prompt")  # the generated fill-in-the-blank question
        page.get_by_role("button", name="Check").click()
        page.get_by_text("Correct!", exact=True).wait_for()
        page.screenshot(path=str(SHOTS / "practice-correct.png"), full_page=True)
        assert "Traceback" not in page.content()
