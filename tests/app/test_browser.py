"""Real-browser tests: the app served by `streamlit run`, driven by Playwright in Debian's Chromium."""

import pytest

from tests.support.apptest import PASSWORD, add_user, app_database, index_course
from tests.support.browser import SHOTS, browser_page, require_browser, running_app
from tests.support.browser import sign_in as fill_sign_in
from tests.support.paths import write

pytestmark = pytest.mark.slow
playwright_api = require_browser()


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    course = tmp_path_factory.mktemp("course")
    write(
        course / "prompts.md",
        "# Prompting\n\n## Few-shot prompts\nA few-shot prompt puts two or three worked examples before the task, so the model copies their format and style.\n\n## Temperature\nTemperature controls how random the generated tokens are.\n",
    )
    index_course(home, [course], env={})
    db = app_database(home, env={})
    add_user(db, "admin", "administrator")
    add_user(db, "alice", "student")
    add_user(db, "wang", "student", language="zh")
    with running_app(home, {"TUTOR_GROUNDING_THRESHOLD": "0.5", "TUTOR_GROUNDING_FLOOR": "0.5"}, timeout_s=60) as url:
        yield url


@pytest.fixture
def page():
    with browser_page(playwright_api, height=900, timeout_ms=60_000) as page:
        yield page


def sign_in(page, url, username):
    fill_sign_in(page, url, username)
    page.get_by_role("heading", name="Tutor").wait_for()


def test_student_asks_sees_streamed_cited_answer_and_history(app_url, page):
    sign_in(page, app_url, "alice")
    box = page.get_by_placeholder("Ask about the course…")
    box.fill("What is a few-shot prompt?")
    box.press("Enter")
    sources = page.get_by_text("Sources (", exact=False).first
    sources.wait_for(timeout=120_000)
    page.screenshot(path=str(SHOTS / "chat-answer.png"), full_page=True)
    sources.click()
    page.get_by_text("prompts.md", exact=False).first.wait_for()
    page.screenshot(path=str(SHOTS / "chat-sources.png"), full_page=True)
    assert "Traceback" not in page.content()
    # A reload starts a new Streamlit session; the remembered sign-in keeps alice in, and her conversation is there.
    page.reload()
    page.get_by_role("heading", name="Tutor").wait_for()
    assert page.get_by_label("Username").count() == 0
    page.get_by_text("What is a few-shot prompt?").first.click()
    page.get_by_text("Sources (", exact=False).first.wait_for()
    page.screenshot(path=str(SHOTS / "chat-history.png"), full_page=True)
    # Signing out forgets the sign-in: a reload shows the sign-in form again.
    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("Username").wait_for()
    page.reload()
    page.get_by_label("Username").wait_for()
    assert page.get_by_role("heading", name="Tutor", exact=True).count() == 0


def test_student_typing_the_users_url_is_refused(app_url, page):
    # Typing a URL opens a new session; the users page does not exist for it.
    page.goto(f"{app_url}/users")
    page.get_by_role("dialog").wait_for()
    page.screenshot(path=str(SHOTS / "student-users-url.png"), full_page=True)
    assert page.get_by_text("Page not found", exact=False).count() == 1
    page.keyboard.press("Escape")
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_label("Username").fill("alice")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Tutor").wait_for()
    # Typed while signed in: the remembered sign-in brings alice back, and the page still does not exist for her.
    page.goto(f"{app_url}/users")
    page.get_by_role("dialog").wait_for()
    assert page.get_by_text("Page not found", exact=False).count() == 1
    page.wait_for_timeout(1000)
    page.screenshot(path=str(SHOTS / "student-users-url.png"), full_page=True)
    assert page.get_by_role("button", name="Add").count() == 0
    assert page.get_by_text("Add a user").count() == 0


def test_a_chinese_student_gets_a_chinese_page(app_url, page):
    fill_sign_in(page, app_url, "wang")
    page.get_by_role("heading", name="导师", exact=True).wait_for()
    page.get_by_role("button", name="新对话").wait_for()
    page.get_by_role("button", name="退出登录").wait_for()
    box = page.get_by_placeholder("就课程内容提问……")
    box.fill("什么是少样本提示？")
    box.press("Enter")
    try:  # Chinese costs the small model several tokens a character: allow a long answer to finish
        page.get_by_text("来源 (", exact=False).first.wait_for(timeout=240_000)
    finally:
        page.screenshot(path=str(SHOTS / "chat-zh.png"), full_page=True)
    assert "Traceback" not in page.content()
