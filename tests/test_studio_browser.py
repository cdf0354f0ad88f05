"""Real browser: an educator generates a quiz in the studio and downloads it (Playwright, Debian's Chromium).

The app runs under `streamlit run`; its model is a scripted OpenAI-compatible server on loopback,
so the test is about the page (status, checks, download), not about the model's prose.
"""

import io
import json
import time
from pathlib import Path

import pytest

from tests.browser_support import PASSWORD, SHOTS, browser_page, require_browser, running_app, sign_in
from tests.conftest import write
from tests.scripted_server import ScriptedServer

pytestmark = pytest.mark.slow
playwright_api = require_browser()


def question(kind, bloom, text, answer, wrong=()):
    return {"kind": kind, "bloom": bloom, "question": text, "answer": answer, "wrong_options": list(wrong),
            "explanation": "From the lesson.", "objective": 1 if bloom == "remember" else 2, "passage": 1}


QUIZ = {"title": "Few-shot prompts check",
        "objectives": [{"text": "Recall what a few-shot prompt holds", "bloom": "remember"},
                       {"text": "Explain why examples help", "bloom": "understand"}],
        "questions": [question("multiple_choice", "remember", "What does a few-shot prompt put before the task?",
                               "Worked examples", ["A password", "A GPU", "Nothing"]),
                      question("true_false", "understand", "The model copies the format of the examples.", "True"),
                      question("short_answer", "apply", "Write one example for a sentiment task.", "Input: I love it. Label: positive"),
                      question("multiple_choice", "remember", "How many examples does the lesson suggest?",
                               "Two or three", ["None", "Fifty", "Exactly one hundred"])]}


def activity(title, minutes, objectives):
    return {"title": title, "minutes": minutes, "description": "结合课程段落讲解并练习。", "objectives": objectives, "passages": [1]}


PLAN_ZH = {"title": "少样本提示入门", "objectives": [{"text": "说出少样本提示包含什么", "bloom": "remember"},
                                                  {"text": "解释示例为什么有用", "bloom": "understand"},
                                                  {"text": "为情感分类写两个示例", "bloom": "apply"}],
           "prerequisites": ["用过聊天助手"], "materials": [{"title": "课程笔记", "description": "少样本提示的定义", "passages": [1]}],
           "activities": [activity("导入提问", 5, [1]), activity("讲解示例", 10, [1]), activity("讨论格式", 10, [2]),
                          activity("动手写示例", 15, [3]), activity("出门条", 5, [1, 2, 3])],
           "formative_assessment": "检查每人写的示例。", "support_weaker": "先给一个写好的示例。",
           "challenge_stronger": "比较零样本和少样本的回答。", "homework": "为另一个任务写三个示例。"}


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    from tutor_app.accounts import create_user
    from tutor_app.config import load_settings
    from tutor_app.services import build_services
    from tutor_app.store import default_database_url, open_database

    home = tmp_path_factory.mktemp("home")
    course = tmp_path_factory.mktemp("course")
    write(course / "prompts.md", "# Prompting\n\n## Few-shot prompts\nA few-shot prompt puts two or three worked examples "
          "before the task, so the model copies their format and style.\n")
    settings = load_settings(env={}, home=home)
    assert build_services(settings).ingestor.ingest_paths([course], "demo").ok
    db = open_database(default_database_url(settings))
    create_user(db, "admin", PASSWORD, "administrator")
    create_user(db, "erin", PASSWORD, "educator")
    create_user(db, "liwei", PASSWORD, "educator", language="zh")
    create_user(db, "cora", PASSWORD, "educator")
    model = ScriptedServer([json.dumps(QUIZ)])
    try:
        with running_app(home, {"OPENAI_API_KEY": "test-key", "OPENAI_BASE_URL": model.url,
                                "TUTOR_GROUNDING_THRESHOLD": "0.5", "TUTOR_GROUNDING_FLOOR": "0.5"}) as url:
            yield url, model, home
    finally:
        model.close()


def test_educator_generates_a_quiz_and_downloads_it(app_url):
    url, model, _ = app_url
    with browser_page(playwright_api, accept_downloads=True) as page:
        sign_in(page, url, "erin")
        page.get_by_role("heading", name="Tutor").wait_for()
        page.get_by_role("link", name="Studio").click()
        page.get_by_role("heading", name="Studio").wait_for()
        page.get_by_text("Quiz", exact=True).first.click()
        page.get_by_text("Number of questions").wait_for()
        page.get_by_role("textbox", name="Topic").fill("few-shot prompts")
        page.get_by_role("button", name="Generate").click()
        page.get_by_role("heading", name="Checks").wait_for(timeout=120_000)
        page.screenshot(path=str(SHOTS / "studio-quiz.png"), full_page=True)
        assert "Traceback" not in page.content()
        assert page.get_by_text("The answer is among the options: passed").count() == 1

        with page.expect_download() as caught:
            page.get_by_role("button", name="JSON").click()
        saved = json.loads(Path(caught.value.path()).read_text(encoding="utf-8"))
        assert caught.value.suggested_filename == "quiz-few-shot-prompts-check.json"
        with page.expect_download() as caught_docx:
            page.get_by_role("button", name="Word (.docx)").click()
        word = Path(caught_docx.value.path()).read_bytes()

    assert saved["title"] == "Few-shot prompts check" and len(saved["questions"]) == 4
    assert saved["questions"][0]["answer"] in saved["questions"][0]["options"]
    import docx

    texts = [paragraph.text for paragraph in docx.Document(io.BytesIO(word)).paragraphs]
    assert "1. What does a few-shot prompt put before the task?" in texts
    assert model.requests and model.requests[0]["response_format"]["type"] == "json_schema"


def test_a_chinese_educator_plans_a_lesson_in_chinese_and_exports_it(app_url):
    url, model, _ = app_url
    model.answers.append(json.dumps(PLAN_ZH, ensure_ascii=False))
    with browser_page(playwright_api, accept_downloads=True) as page:
        sign_in(page, url, "liwei")
        page.get_by_role("link", name="备课工作室").click()
        page.get_by_role("textbox", name="主题").fill("few-shot prompts")
        page.get_by_role("button", name="生成").click()
        page.get_by_role("heading", name="检查结果").wait_for(timeout=120_000)
        page.screenshot(path=str(SHOTS / "studio-plan-zh.png"), full_page=True)
        assert "Traceback" not in page.content()
        for name in ("各环节时间之和等于总时长", "每个学习目标都有评估", "每条引用都指向课程段落"):
            assert page.get_by_text(f"{name}：通过").count() == 1
        with page.expect_download() as caught:
            page.get_by_role("button", name="Markdown").click()
        markdown = Path(caught.value.path()).read_text(encoding="utf-8")
        with page.expect_download() as caught_docx:
            page.get_by_role("button", name="Word（.docx）").click()
        word = Path(caught_docx.value.path()).read_bytes()

    assert markdown.startswith("# 少样本提示入门") and "动手写示例" in markdown
    import docx

    texts = [paragraph.text for paragraph in docx.Document(io.BytesIO(word)).paragraphs]
    assert "少样本提示入门" in texts and any("出门条" in text for text in texts)
    sent = model.requests[-1]["messages"]
    assert "简体中文" in sent[0]["content"] and "Duration: 45" in sent[-1]["content"]


def test_cancel_stops_a_generation_midway_and_saves_nothing(app_url):
    from tutor_app.accounts import list_users
    from tutor_app.config import load_settings
    from tutor_app.store import default_database_url, open_database
    from tutor_app.studio_store import StudioStore

    url, model, home = app_url
    model.answers.append(json.dumps(QUIZ))
    model.delay_s = 0.25  # about 50 s for the whole answer: time enough to click Cancel midway
    try:
        with browser_page(playwright_api) as page:
            sign_in(page, url, "cora")
            page.get_by_role("link", name="Studio").click()
            page.get_by_text("Quiz", exact=True).first.click()
            page.get_by_role("textbox", name="Topic").fill("few-shot prompts")
            page.get_by_role("button", name="Generate").click()
            page.get_by_text("Drafting").first.wait_for()
            page.get_by_role("button", name="Cancel").click()
            page.get_by_text("Generation cancelled. Nothing was saved.").wait_for()
            deadline = time.monotonic() + 20
            while not model.dropped and time.monotonic() < deadline:
                time.sleep(0.2)
            page.screenshot(path=str(SHOTS / "studio-cancelled.png"), full_page=True)
            assert page.get_by_role("heading", name="Checks").count() == 0
            assert "Traceback" not in page.content()
    finally:
        model.delay_s = 0.0
    assert model.dropped == 1, "the model's stream was not closed by the cancel"
    db = open_database(default_database_url(load_settings(env={}, home=home)))
    [cora] = [u for u in list_users(db) if u.username == "cora"]
    assert StudioStore(db).list(cora.id) == []
