"""Real browser: an educator generates a quiz and a plan in the studio, reads and edits them, and downloads them.

The app runs under `streamlit run`; its model is a scripted OpenAI-compatible server on loopback,
so the test is about the page (status, editors, checks, download), not about the model's prose.
Streamlit's editing tables draw on a canvas (glide-data-grid); the grid mirrors the cells in view into
an accessibility table (``<table role="grid">`` with ``th``/``td`` per visible cell), which is what a
screen reader reads. ``read_grid`` scrolls each grid sideways and reads that table, so a column the page
hides, or a cell it leaves empty, fails the test; ``edit_cell`` activates a cell the way that table does
(Enter on the cell), types into the grid's own cell editor and waits for the grid to show the new text.
"""

import io
import json
import time
from pathlib import Path

import pytest

from tests.support.apptest import add_user, app_database, find_user, index_course
from tests.support.browser import SHOTS, browser_page, require_browser, running_app, sign_in
from tests.support.paths import write
from tests.support.scripted_server import ScriptedServer

pytestmark = pytest.mark.slow
playwright_api = require_browser()


def data_editor(page, name: str):
    """The data editor whose accessible name (its table heading) is ``name``."""
    return page.locator(f'[data-testid="stDataFrame"]:has(div[aria-label="{name}"])')


def read_grid(page, name: str) -> dict[str, list[str]]:
    """Column header → the texts of its cells, for every column of the named grid, as the grid shows them."""
    frame = data_editor(page, name)
    frame.scroll_into_view_if_needed()
    table, scroller = frame.locator('table[role="grid"]'), frame.locator(".dvn-scroller")
    headers, cells = {}, {}
    scroller.evaluate("e => e.scrollTo(0, 0)")
    while True:
        page.wait_for_timeout(250)  # the grid redraws (and re-mirrors) after a scroll
        shown = table.evaluate("""t => ({
            headers: [...t.querySelectorAll('th')].map(h => [+h.getAttribute('aria-colindex'), h.textContent]),
            cells: [...t.querySelectorAll('td')].map(d => [+d.parentElement.getAttribute('aria-rowindex'),
                                                          +d.getAttribute('aria-colindex'), d.textContent])})""")
        headers.update({col: text for col, text in shown["headers"]})
        cells.update({(row, col): text for row, col, text in shown["cells"]})
        if scroller.evaluate("e => e.scrollLeft + e.clientWidth >= e.scrollWidth - 1"):
            break
        scroller.evaluate("e => e.scrollBy(e.clientWidth / 2, 0)")
    scroller.evaluate("e => e.scrollTo(0, 0)")
    page.wait_for_timeout(250)
    assert len(headers) == int(table.get_attribute("aria-colcount")), f"{name}: some columns were never drawn"
    rows = sorted({row for row, _ in cells})
    return {headers[col]: [cells.get((row, col), "") for row in rows] for col in sorted(headers)}


def edit_cell(page, name: str, row: int, header: str, text: str) -> None:
    """Type ``text`` into one cell of the named grid (row counted from 0) and wait until the grid shows it.

    Like a keyboard user: focus the grid, move the selection with the arrow keys (the accessibility table
    marks the selected cell with aria-selected), Enter opens the cell's editor, Enter keeps the edit.
    """
    column = list(read_grid(page, name)).index(header) + 1  # aria-colindex of the column
    frame = data_editor(page, name)
    table = frame.locator('table[role="grid"]')
    table.locator('td[aria-colindex="1"]').first.focus()
    target = (row + 2, column)  # aria-rowindex 1 is the header row
    for _ in range(40):
        page.wait_for_timeout(400)  # the grid re-mirrors its cells 200 ms after the last change
        selected = table.locator('td[aria-selected="true"]')
        if not selected.count():
            continue
        at = (
            int(selected.first.evaluate("d => d.parentElement.getAttribute('aria-rowindex')")),
            int(selected.first.get_attribute("aria-colindex")),
        )
        if at == target:
            break
        page.keyboard.press(
            "ArrowDown"
            if at[0] < target[0]
            else "ArrowUp"
            if at[0] > target[0]
            else "ArrowRight"
            if at[1] < target[1]
            else "ArrowLeft"
        )
    else:
        pytest.fail(f"could not select {header!r} row {row} of {name!r}")
    page.keyboard.press("Enter")
    editor = page.locator("textarea:focus")
    editor.wait_for()
    editor.fill(text)
    assert editor.input_value() == text
    page.keyboard.press("Enter")
    wait_until_idle(page)  # the edit reruns the page; its downloads change with it
    assert read_grid(page, name)[header][row] == text, f"{name}/{header} does not show the edit"


def wait_until_idle(page, quiet_s: float = 1.5, timeout_s: float = 60) -> None:
    """Until Streamlit has shown no "Running..." icon for ``quiet_s`` seconds."""
    running = page.locator('[data-testid="stStatusWidgetRunningIcon"]')
    deadline, quiet_since = time.monotonic() + timeout_s, time.monotonic()
    while time.monotonic() - quiet_since < quiet_s:
        assert time.monotonic() < deadline, "the page kept running"
        if running.count():
            quiet_since = time.monotonic()
        page.wait_for_timeout(100)


def question(kind, bloom, text, answer, wrong=()):
    return {
        "kind": kind,
        "bloom": bloom,
        "question": text,
        "answer": answer,
        "wrong_options": list(wrong),
        "explanation": "From the lesson.",
        "objective": 1 if bloom == "remember" else 2,
        "passage": 1,
    }


QUIZ = {
    "title": "Few-shot prompts check",
    "objectives": [
        {"text": "Recall what a few-shot prompt holds", "bloom": "remember"},
        {"text": "Explain why examples help", "bloom": "understand"},
    ],
    "questions": [
        question(
            "multiple_choice",
            "remember",
            "What does a few-shot prompt put before the task?",
            "Worked examples",
            ["A password", "A GPU", "Nothing"],
        ),
        question("true_false", "understand", "The model copies the format of the examples.", "True"),
        question("short_answer", "apply", "Write one example for a sentiment task.", "Input: I love it. Label: positive"),
        question(
            "multiple_choice",
            "remember",
            "How many examples does the lesson suggest?",
            "Two or three",
            ["None", "Fifty", "Exactly one hundred"],
        ),
    ],
}


def activity(title, minutes, objectives):
    return {
        "title": title,
        "minutes": minutes,
        "description": "结合课程段落讲解并练习。",
        "objectives": objectives,
        "passages": [1],
    }


PLAN_ZH = {
    "title": "少样本提示入门",
    "objectives": [
        {"text": "说出少样本提示包含什么", "bloom": "remember"},
        {"text": "解释示例为什么有用", "bloom": "understand"},
        {"text": "为情感分类写两个示例", "bloom": "apply"},
    ],
    "prerequisites": ["用过聊天助手"],
    "materials": [{"title": "课程笔记", "description": "少样本提示的定义", "passages": [1]}],
    "activities": [
        activity("导入提问", 5, [1]),
        activity("讲解示例", 10, [1]),
        activity("讨论格式", 10, [2]),
        activity("动手写示例", 15, [3]),
        activity("出门条", 5, [1, 2, 3]),
    ],
    "formative_assessment": "检查每人写的示例。",
    "support_weaker": "先给一个写好的示例。",
    "challenge_stronger": "比较零样本和少样本的回答。",
    "homework": "为另一个任务写三个示例。",
}


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    course = tmp_path_factory.mktemp("course")
    write(
        course / "prompts.md",
        "# Prompting\n\n## Few-shot prompts\nA few-shot prompt puts two or three worked examples "
        "before the task, so the model copies their format and style.\n",
    )
    index_course(home, [course], env={})
    db = app_database(home, env={})
    add_user(db, "admin", "administrator")
    add_user(db, "erin", "educator")
    add_user(db, "liwei", "educator", language="zh")
    add_user(db, "cora", "educator")
    model = ScriptedServer([json.dumps(QUIZ)])
    try:
        with running_app(
            home,
            {
                "OPENAI_API_KEY": "test-key",
                "OPENAI_BASE_URL": model.url,
                "TUTOR_GROUNDING_THRESHOLD": "0.5",
                "TUTOR_GROUNDING_FLOOR": "0.5",
            },
        ) as url:
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

        objectives = read_grid(page, "Learning objectives")
        assert objectives == {
            "ID": ["O1", "O2"],
            "Objective": [o["text"] for o in QUIZ["objectives"]],
            "Bloom level": ["remember", "understand"],
        }
        questions = read_grid(page, "Questions")
        assert list(questions) == [
            "Question",
            "Options",
            "Answer",
            "Explanation",
            "Kind",
            "Bloom level",
            "Objective ID",
            "Course passage ID",
        ]
        assert questions["Question"] == [q["question"] for q in QUIZ["questions"]]
        assert questions["Answer"] == [q["answer"] for q in QUIZ["questions"]]
        assert questions["Explanation"] == ["From the lesson."] * 4
        assert questions["Kind"] == [q["kind"] for q in QUIZ["questions"]]
        assert questions["Bloom level"] == [q["bloom"] for q in QUIZ["questions"]]
        assert questions["Objective ID"] == ["O1", "O2", "O2", "O1"] and all(questions["Course passage ID"])
        first_options = questions["Options"][0].split(" | ")
        assert sorted(first_options) == sorted(["Worked examples", "A password", "A GPU", "Nothing"])
        assert questions["Options"][1:3] == ["True | False", ""]

        # The educator rewrites the first question and one of its wrong options in the grid.
        edit_cell(page, "Questions", 0, "Question", "What does a few-shot prompt show the model before the task?")
        edited_options = " | ".join("A graphics card" if o == "A GPU" else o for o in first_options)
        edit_cell(page, "Questions", 0, "Options", edited_options)
        data_editor(page, "Questions").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "studio-quiz-edited.png"))
        assert read_grid(page, "Questions")["Options"][0] == edited_options
        with page.expect_download() as caught_md:
            page.get_by_role("button", name="Markdown").click()
        markdown = Path(caught_md.value.path()).read_text(encoding="utf-8")
        wait_until_idle(page)  # a download reruns the page; during the rerun the old buttons are still shown
        with page.expect_download() as caught:
            page.get_by_role("button", name="JSON").click()
        saved = json.loads(Path(caught.value.path()).read_text(encoding="utf-8"))
        assert caught.value.suggested_filename == "quiz-few-shot-prompts-check.json"
        wait_until_idle(page)
        with page.expect_download() as caught_docx:
            page.get_by_role("button", name="Word (.docx)").click()
        word = Path(caught_docx.value.path()).read_bytes()

    assert "### 1. What does a few-shot prompt show the model before the task?" in markdown
    assert "A graphics card" in markdown and "A GPU" not in markdown
    assert saved["title"] == "Few-shot prompts check" and len(saved["questions"]) == 4
    assert saved["questions"][0]["question"] == "What does a few-shot prompt show the model before the task?"
    assert "A graphics card" in saved["questions"][0]["options"]
    assert saved["questions"][0]["answer"] in saved["questions"][0]["options"]
    assert "two or three worked examples" in saved["questions"][0]["passage"]  # the cited passage, beside its id
    assert saved["passages"][saved["questions"][0]["chunk_id"]]["source"] == "prompts.md"
    import docx

    texts = [paragraph.text for paragraph in docx.Document(io.BytesIO(word)).paragraphs]
    assert "1. What does a few-shot prompt show the model before the task?" in texts  # the Word file has the edits too
    assert any(text.endswith(". A graphics card") for text in texts)
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
        objectives = read_grid(page, "学习目标")
        assert objectives == {
            "编号": ["O1", "O2", "O3"],
            "学习目标": [o["text"] for o in PLAN_ZH["objectives"]],
            "布鲁姆层级": ["remember", "understand", "apply"],
        }
        activities = read_grid(page, "教学活动")
        assert list(activities) == ["标题", "分钟", "说明", "对应目标编号", "课程段落编号"]
        assert activities["标题"] == [a["title"] for a in PLAN_ZH["activities"]]
        assert activities["分钟"] == ["5", "10", "10", "15", "5"]
        assert activities["说明"] == ["结合课程段落讲解并练习。"] * 5
        assert activities["对应目标编号"] == ["O1", "O1", "O2", "O3", "O1, O2, O3"] and all(activities["课程段落编号"])
        materials = read_grid(page, "教学材料")
        assert materials["标题"] == ["课程笔记"] and materials["说明"] == ["少样本提示的定义"]
        assert materials["课程段落编号"] == activities["课程段落编号"][:1]
        for label, text in (("形成性评价", "检查每人写的示例。"), ("课后作业", "为另一个任务写三个示例。")):
            assert page.get_by_label(label).input_value() == text
        data_editor(page, "学习目标").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "studio-plan-zh-editors.png"))
        with page.expect_download() as caught:
            page.get_by_role("button", name="Markdown").click()
        markdown = Path(caught.value.path()).read_text(encoding="utf-8")
        wait_until_idle(page)  # a download reruns the page; during the rerun the old buttons are still shown
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
    from tutor_app.studio.saved import StudioStore

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
    db = app_database(home, env={})
    assert StudioStore(db).list(find_user(db, "cora").id) == []
