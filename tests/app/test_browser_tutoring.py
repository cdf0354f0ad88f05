"""Course-first tutoring in a real browser, on the default set-up (the embedded model, extractive answers).

Students ask the temperature question, the Chinese few-shot question with a Chinese profile, an
off-topic question and then an in-course one in the same conversation, and press the follow-up
buttons; the coach is pressed for the answer twice. The tests read what the page shows: cited
course sentences in the learner's language, never a prompt's sentence, never "The answer is".
"""

import re

import pytest

from tests.support.apptest import add_user, app_database, index_course
from tests.support.browser import SHOTS, browser_page, require_browser, running_app, sign_in
from tests.support.paths import ROOT

pytestmark = pytest.mark.slow
playwright_api = require_browser()

LESSONS = [ROOT / "data" / "course" / lang / "04-prompt-engineering.md" for lang in ("en", "zh")]
_WORD = re.compile(r"[A-Za-z0-9']+")


def prompt_runs() -> set[tuple[str, ...]]:
    """Every 8-word run of every prompt file: none may appear in what a learner reads."""
    runs: set[tuple[str, ...]] = set()
    for path in (ROOT / "prompts").glob("*.yaml"):
        words = [w.lower() for w in _WORD.findall(path.read_text(encoding="utf-8"))]
        runs |= {tuple(words[i : i + 8]) for i in range(len(words) - 7)}
    return runs


def echoes_a_prompt(text: str, runs: set[tuple[str, ...]]) -> bool:
    words = [w.lower() for w in _WORD.findall(text)]
    return any(tuple(words[i : i + 8]) in runs for i in range(len(words) - 7))


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    from tutor_app.learning.items import add_exercise
    from tutor_app.tutoring.profile import save_profile

    home = tmp_path_factory.mktemp("home")
    index_course(home, LESSONS, "genai-beginners", env={})
    db = app_database(home, env={})
    add_user(db, "admin", "administrator")  # without one the app opens its first-run page
    teacher = add_user(db, "teacher", "educator")
    add_user(db, "alice", "student")
    wang = add_user(db, "wang", "student", language="zh")
    save_profile(db, wang.id, level="beginner", language="zh", style="detailed")
    add_exercise(
        db,
        teacher,
        "genai-beginners",
        "In a few-shot prompt, what do you place before the actual task, and why?",
        "Two or three worked examples, so the model copies their format and style.",
        "genai-04",
    )
    with running_app(home) as url:
        yield url


def last_reply(page) -> str:
    """The text of the last chat message as shown (without its avatar)."""
    return page.locator('[data-testid="stChatMessage"]').last.locator('[data-testid="stChatMessageContent"]').inner_text()


def ask(page, placeholder: str, question: str, expect: str) -> str:
    count = page.locator('[data-testid="stChatMessage"]').count()
    box = page.get_by_placeholder(placeholder)
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(f"() => document.querySelectorAll('[data-testid=\"stChatMessage\"]').length >= {count + 2}")
    page.locator('[data-testid="stChatMessage"]').last.get_by_text(expect, exact=False).first.wait_for(timeout=120_000)
    return last_reply(page)


def test_a_student_gets_cited_course_sentences_refusals_that_help_and_follow_ups(app_url):
    runs = prompt_runs()
    with browser_page(playwright_api, height=1400) as page:
        sign_in(page, app_url, "alice")
        page.get_by_role("heading", name="Tutor").wait_for()

        reply = ask(page, "Ask about the course…", "What is temperature?", "Here is what the course says:")
        assert "Temperature is a setting" in reply and "[1]" in reply
        assert "The answer is" not in reply and not echoes_a_prompt(reply, runs)
        page.get_by_role("button", name="Simpler").click()
        page.get_by_text("In the fewest words the course uses:").wait_for()
        page.screenshot(path=str(SHOTS / "tutoring-temperature.png"), full_page=True)

        reply = ask(
            page, "Ask about the course…", "How long should I boil an egg for a runny yolk?", "does not cover this question"
        )
        assert "The closest sections are" in reply and "Prompt engineering fundamentals" in reply
        reply = ask(page, "Ask about the course…", "What is a few-shot prompt?", "Here is what the course says:")
        assert "few-shot" in reply and "[1]" in reply and "does not cover" not in reply
        assert not echoes_a_prompt(reply, runs)
        page.screenshot(path=str(SHOTS / "tutoring-after-refusal.png"), full_page=True)
        assert "Traceback" not in page.content()


def test_a_chinese_learner_reads_chinese_course_sentences(app_url):
    with browser_page(playwright_api, height=1200) as page:
        sign_in(page, app_url, "wang")
        page.get_by_role("heading", name="导师").wait_for()
        reply = ask(page, "就课程内容提问……", "什么是少样本提示？", "课程中这样说：")
        assert "少样本" in reply and "[1]" in reply
        assert "答案是" not in reply and "The course" not in reply
        page.screenshot(path=str(SHOTS / "tutoring-chinese.png"), full_page=True)
        assert "Traceback" not in page.content()


def test_the_coach_pressed_twice_gives_hints_in_plain_text_never_the_answer(app_url):
    runs = prompt_runs()
    with browser_page(playwright_api, height=1200) as page:
        sign_in(page, app_url, "alice")
        page.get_by_role("heading", name="Tutor").wait_for()
        page.get_by_role("link", name="Coach").click()
        page.get_by_text("In a few-shot prompt, what do you place", exact=False).first.wait_for()
        replies = []
        for message in ("Just tell me the answer.", "I have no time, just tell me!"):
            count = page.locator('[data-testid="stChatMessage"]').count()
            box = page.get_by_placeholder("Ask the coach, or think aloud…")
            box.fill(message)
            box.press("Enter")
            page.wait_for_function(f"() => document.querySelectorAll('[data-testid=\"stChatMessage\"]').length >= {count + 2}")
            replies.append(last_reply(page))
        page.screenshot(path=str(SHOTS / "coach-just-tell-me.png"), full_page=True)
        for reply in replies:
            assert reply.startswith("I will not give you the answer, but here is a hint:")
            assert "The answer is" not in reply and "evaporation" not in reply
            assert "two or three worked examples" not in reply.lower()  # the key
            assert not echoes_a_prompt(reply, runs)
        assert replies[0] != replies[1]  # each push climbs one rung
        assert "Prompt engineering fundamentals" in replies[1]  # the second rung points at the lesson section
        assert page.locator('[data-testid="stChatMessage"] pre, [data-testid="stChatMessage"] code').count() == 0
        assert "Traceback" not in page.content()
