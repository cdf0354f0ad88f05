"""The prompt and model lab in a real browser, against two OpenAI-compatible servers on loopback.

An administrator compares the two servers side by side on one question, then saves a new version of the
student tutor prompt and activates it. A student asks the same question before the save, after the save
(nothing changes: the version is not active) and after the activation; each server's answer names the server
and the first ``LAB-MARK-…`` word of the messages it received, so the test reads the effect of the prompt
where the student reads it.
"""

import json
import re

import pytest

from tests.support.apptest import add_user, app_database, index_course
from tests.support.browser import SHOTS, browser_page, require_browser, running_app, sign_in
from tests.support.lab_servers import LabServer
from tests.support.paths import ROOT

pytestmark = pytest.mark.slow
playwright_api = require_browser()

QUESTION = "What is temperature?"
MARK = "LAB-MARK-V2"


def marker_answer(name: str):
    """An answer that shows which server answered and which marked prompt text reached it."""

    def answer(body: dict) -> str:
        found = re.search(r"LAB-MARK-[A-Z0-9]+", json.dumps(body["messages"], ensure_ascii=False))
        return f"[{name}] {found.group(0) if found else 'no-mark'} Temperature controls how predictable the next word is [1]."

    return answer


@pytest.fixture(scope="module")
def lab_app(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    index_course(home, [ROOT / "data" / "course" / "en" / "04-prompt-engineering.md"], "genai-beginners", env={})
    db = app_database(home, env={})
    add_user(db, "admin", "administrator")
    add_user(db, "alice", "student")
    alpha, beta = LabServer(marker_answer("alpha"), usage=(100, 11)), LabServer(marker_answer("beta"), usage=(100, 11))
    models = [
        {"name": "alpha", "base_url": alpha.url, "model": "alpha-model", "input_price": 1.0, "output_price": 2.0},
        {"name": "beta", "base_url": beta.url, "model": "beta-model"},
    ]
    env = {
        "OPENAI_API_KEY": "sk-FAKE",
        "OPENAI_BASE_URL": alpha.url,
        "TUTOR_CHAT_MODEL": "alpha-model",
        "TUTOR_ANSWER_STYLE": "generative",
        "TUTOR_MODELS": json.dumps(models),
    }
    try:
        with running_app(home, env=env) as url:
            yield url, alpha, beta
    finally:
        alpha.close()
        beta.close()


def pick(page, label: str, option: str, exact: bool = False) -> None:
    """Choose ``option`` in the select box or multiselect whose label is (or starts with) ``label``. A rerun of the
    page may replace the widget while its list is open, so the list is opened again when the option does not show."""
    for attempt in range(4):
        page.get_by_role("combobox", name=label, exact=exact).click()
        choice = page.get_by_role("option", name=option, exact=True)
        try:
            choice.wait_for(timeout=15_000)
            choice.click()
            break
        except playwright_api.Error:
            page.keyboard.press("Escape")
            if attempt == 3:
                raise
    page.keyboard.press("Escape")


def choose_prompt(page, name: str, description: str = 'The student tutor in "explain" mode') -> None:
    """Pick the prompt and wait until the page has rerun for it (its description shows); pick again if not."""
    for attempt in range(3):
        pick(page, "Prompt", name, exact=True)
        try:
            page.get_by_text(description, exact=False).first.wait_for(timeout=20_000)
            return
        except playwright_api.Error:
            if attempt == 2:
                raise


def open_page(page, name: str, path: str) -> None:
    """Follow the sidebar's link to ``path`` (every page is listed: none is folded away)."""
    page.locator('[data-testid="stSidebarNav"] a').first.wait_for()
    page.locator(f'a[href$="/{path}"]').click()
    page.get_by_role("heading", name=name).wait_for()


def student_answer(page, url: str) -> str:
    """Alice asks the question in a fresh conversation; returns the reply as shown."""
    sign_in(page, url, "alice")
    page.get_by_role("heading", name="Tutor").wait_for()
    box = page.get_by_placeholder("Ask about the course…")
    box.fill(QUESTION)
    box.press("Enter")
    reply = page.locator('[data-testid="stChatMessage"]').last.locator('[data-testid="stChatMessageContent"]')
    reply.get_by_text("[alpha]", exact=False).first.wait_for(timeout=60_000)
    page.wait_for_timeout(500)  # the stream's last words
    return reply.inner_text()


def test_compare_two_endpoints_then_a_prompt_version_reaches_students_only_once_active(lab_app):
    url, alpha, beta = lab_app
    with browser_page(playwright_api, height=1400) as page:
        before = student_answer(page, url)
        assert "no-mark" in before and MARK not in before

    with browser_page(playwright_api, height=1600) as page:
        sign_in(page, url, "admin")
        page.get_by_role("heading", name="Tutor").wait_for()
        open_page(page, "Compare models", "compare")
        pick(page, "Models to compare", "alpha · with course retrieval")
        pick(page, "Models to compare", "beta · model alone")
        page.get_by_role("textbox", name="Question", exact=True).fill(QUESTION)
        page.get_by_role("button", name="Compare", exact=True).click()
        page.get_by_text("[beta]", exact=False).first.wait_for(timeout=60_000)
        page.get_by_text("[alpha]", exact=False).first.wait_for(timeout=60_000)
        page.get_by_text("First token", exact=False).nth(1).wait_for()
        shown = page.locator('[data-testid="stMain"]').inner_text()
        page.screenshot(path=str(SHOTS / "lab-compare.png"), full_page=True)
        assert "alpha" in shown and "beta" in shown and "with course retrieval" in shown and "model alone" in shown
        assert shown.count("First token") >= 2 and "Traceback" not in shown
        # Retrieval on sent the course passages to alpha; retrieval off sent none to beta.
        assert "Temperature" in json.dumps(alpha.requests[-1]["messages"]) and beta.requests[-1]["model"] == "beta-model"

        open_page(page, "Prompts", "prompts")
        choose_prompt(page, "student_tutor")
        editor = page.get_by_label("Prompt (YAML)")
        playwright_api.expect(editor).to_have_value(re.compile("You are a patient tutor"), timeout=60_000)
        text = editor.input_value()
        assert "You are a patient tutor" in text
        editor.fill(text.replace("You are a patient tutor", f"{MARK} You are a patient tutor", 1))
        page.get_by_label("Note (what changed and why)").fill("marker for the browser test")
        page.get_by_role("button", name="Save as new version").click()
        page.get_by_text("Saved as version 1 (not active yet)", exact=False).wait_for()
        assert f"{MARK} You are a patient tutor" in page.locator('[data-testid="stCode"]').first.inner_text()  # the diff
        page.screenshot(path=str(SHOTS / "lab-prompt-saved.png"), full_page=True)

    with browser_page(playwright_api, height=1400) as page:  # saved, not active: students see no change
        assert "no-mark" in student_answer(page, url)

    with browser_page(playwright_api, height=1600) as page:
        sign_in(page, url, "admin")
        page.get_by_role("heading", name="Tutor").wait_for()
        open_page(page, "Prompts", "prompts")
        choose_prompt(page, "student_tutor")
        pick(page, "Version to activate or export", "v1")
        page.get_by_role("button", name="Activate / roll back").click()
        page.get_by_text("Version v1 of student_tutor is active", exact=False).wait_for()
        page.screenshot(path=str(SHOTS / "lab-prompt-active.png"), full_page=True)

    with browser_page(playwright_api, height=1400) as page:
        after = student_answer(page, url)
        page.screenshot(path=str(SHOTS / "lab-student-after-activation.png"), full_page=True)
        assert MARK in after and "[alpha]" in after
