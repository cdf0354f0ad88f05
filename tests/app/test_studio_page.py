"""The studio page through AppTest, with a scripted OpenAI-compatible model server: generate, check, edit, save, reopen."""

import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from tests.support.apptest import PAGES, add_user, app, app_database, find_user, index_course, page, sign_in
from tests.support.paths import ROOT, write
from tests.support.scripted_server import ScriptedServer
from tutor_app.studio.saved import StudioStore

QUIZ = {
    "title": "Few-shot check",
    "objectives": [{"text": "Explain few-shot prompts", "bloom": "understand"}],
    "questions": [
        {
            "kind": "multiple_choice",
            "bloom": "remember",
            "question": "What comes before the task?",
            "answer": "Worked examples",
            "wrong_options": ["A password", "A GPU", "Nothing"],
            "explanation": "The passage says the examples come first.",
            "objective": 1,
            "passage": 1,
        },
        {
            "kind": "true_false",
            "bloom": "understand",
            "question": "The model copies the examples' format.",
            "answer": "True",
            "wrong_options": [],
            "explanation": "It imitates them.",
            "objective": 1,
            "passage": 1,
        },
    ],
}

PLAN = {
    "title": "Few-shot prompts",
    "objectives": [
        {"text": "Explain a few-shot prompt", "bloom": "understand"},
        {"text": "Write one", "bloom": "apply"},
        {"text": "Compare with zero-shot", "bloom": "analyze"},
    ],
    "prerequisites": ["Has used a chatbot"],
    "materials": [{"title": "Notes", "description": "The section on examples", "passages": [1]}],
    "activities": [
        {"title": "Warm-up", "minutes": 10, "description": "Discuss", "objectives": [1], "passages": [1]},
        {"title": "Practice", "minutes": 20, "description": "Write prompts", "objectives": [2], "passages": [1]},
        {"title": "Compare", "minutes": 10, "description": "Zero vs few", "objectives": [3], "passages": [1]},
    ],
    "formative_assessment": "Exit ticket",
    "support_weaker": "Template",
    "challenge_stronger": "Harder task",
    "homework": "Three examples",
}


@pytest.fixture
def db(isolated_home):
    database = app_database(isolated_home)
    add_user(database, "root", "administrator")
    add_user(database, "erin", "educator")
    add_user(database, "alice", "student")
    add_user(database, "wei", "educator", language="zh")
    return database


@pytest.fixture
def course(course, monkeypatch):
    """The few-shot lesson of tests/app/conftest.py, with every grounding threshold at 0.5."""
    for name in ("GROUNDING_THRESHOLD", "GROUNDING_FLOOR", "CROSS_GROUNDING_THRESHOLD", "CROSS_GROUNDING_FLOOR"):
        monkeypatch.setenv(f"TUTOR_{name}", "0.5")


@pytest.fixture
def model(monkeypatch):
    servers = []

    def start(*answers):
        servers.append(ScriptedServer(list(answers)))
        monkeypatch.setenv("OPENAI_API_KEY", "test-key")
        monkeypatch.setenv("OPENAI_BASE_URL", servers[-1].url)
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def studio(username: str) -> AppTest:
    return sign_in(app(), username).switch_page(str(PAGES / "studio.py")).run()


def shown_tables(at) -> dict[str, dict[str, list[str]]]:
    """What the page's data editors show: editor name → column header → cell texts.

    A column the editor hides (configured as None or ``hidden``, or left out of its column order) fails here:
    it would not be on the page for the educator to read.
    """
    tables = {}
    for editor in at.data_editor:
        config = json.loads(editor.proto.columns or "{}")
        order = list(editor.proto.column_order)
        shown = {}
        for name in editor.value.columns:
            setting = config.get(name) or {}
            assert name in config and not setting.get("hidden"), f"column {name!r} of {editor.proto.alt!r} is hidden"
            assert not order or name in order, f"column {name!r} of {editor.proto.alt!r} is left out of the order"
            assert setting.get("disabled") is not True, f"column {name!r} of {editor.proto.alt!r} cannot be edited"
            shown[setting.get("label") or name] = ["" if v is None else str(v) for v in editor.value[name]]
        tables[editor.proto.alt] = shown
    return tables


def test_student_is_refused(db, course):
    at = page("studio.py", find_user(db, "alice")).run()
    assert not at.exception and "not available" in at.error[0].value
    assert not at.get("button")


def test_educator_generates_checks_edits_saves_versions_and_reopens(db, course, model):
    server = model(json.dumps(PLAN))
    at = studio("erin")
    assert not at.exception and at.title[0].value == "Studio"
    at.text_input(key="studio_in_topic").input("few-shot prompts")
    at.number_input(key="studio_in_minutes").set_value(40)
    at.button(key="studio_generate").click().run()
    assert not at.exception
    assert server.requests[0]["response_format"]["type"] == "json_schema"
    assert "few-shot" in server.requests[0]["messages"][-1]["content"].lower()
    markdown = " ".join(m.value for m in at.markdown)
    assert "✅ Timings add up to the duration: passed" in markdown
    assert "✅ Every citation points to a course passage: passed" in markdown
    assert at.text_input(key=f"studio_edit_title_{at.session_state['studio_rev']}").value == "Few-shot prompts"
    at.button(key="studio_save").click().run()
    assert not at.exception and "version 1" in at.success[0].value
    store = StudioStore(db)
    [saved] = store.list(find_user(db, "erin").id)
    assert saved.kind == "plan" and store.load(find_user(db, "erin").id, saved.id).duration_minutes == 40
    # Edit the title and save again: a second version.
    at.text_input(key=f"studio_edit_title_{at.session_state['studio_rev']}").input("Few-shot prompts, revised").run()
    at.button(key="studio_save").click().run()
    assert not at.exception and "version 2" in at.success[0].value
    assert [v for v, _, _ in store.versions(find_user(db, "erin").id, saved.id)] == [2, 1]
    assert len([d for d in at.get("download_button")]) == 3
    # A new session lists it and reopens version 1.
    again = studio("erin")
    again.selectbox(key=f"studio_ver_{saved.id}").set_value(1)
    again.button(key="studio_open").click().run()
    assert not again.exception
    assert again.text_input(key=f"studio_edit_title_{again.session_state['studio_rev']}").value == "Few-shot prompts"


def test_timings_failure_is_shown_and_fit_button_fixes_it(db, course, model):
    model(json.dumps(PLAN))
    at = studio("erin")
    at.text_input(key="studio_in_topic").input("few-shot prompts")
    at.number_input(key="studio_in_minutes").set_value(60)
    at.button(key="studio_generate").click().run()
    assert any("take 40 minutes, but the lesson lasts 60" in e.value for e in at.error)
    at.button(key="studio_fit").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "✅ Timings add up to the duration: passed" in " ".join(m.value for m in at.markdown)


@pytest.mark.parametrize(
    "minutes,topic,message",
    [
        (0, "few-shot prompts", "A lesson of 0 minutes cannot be planned"),
        (10080, "few-shot prompts", "A lesson of 10080 minutes cannot be planned"),
        (45, "", "Enter a topic or pick at least one lesson"),
        (45, "x" * 5000, "The topic is 5000 characters"),
    ],
)
def test_bad_input_is_refused_before_any_model_call(db, course, model, minutes, topic, message):
    server = model()
    at = studio("erin")
    at.text_input(key="studio_in_topic").input(topic)
    at.number_input(key="studio_in_minutes").set_value(minutes)
    at.button(key="studio_generate").click().run()
    assert not at.exception and message in at.error[0].value
    assert server.requests == [] and at.session_state["studio_doc"] is None if "studio_doc" in at.session_state else True


def test_uncovered_topic_asks_for_confirmation_then_makes_an_uncited_plan(db, course, model, monkeypatch):
    for name in ("GROUNDING_THRESHOLD", "GROUNDING_FLOOR", "CROSS_GROUNDING_THRESHOLD", "CROSS_GROUNDING_FLOOR"):
        monkeypatch.setenv(f"TUTOR_{name}", "0.999")
    uncited = {
        **PLAN,
        "materials": [{**PLAN["materials"][0], "passages": []}],
        "activities": [{**a, "passages": []} for a in PLAN["activities"]],
    }
    server = model(json.dumps(uncited))
    at = studio("erin")
    at.text_input(key="studio_in_topic").input("how to bake sourdough bread")
    at.button(key="studio_generate").click().run()
    assert not at.exception and "does not cover" in at.warning[0].value and server.requests == []
    at.checkbox(key="studio_in_ungrounded").check()
    at.button(key="studio_generate").click().run()
    assert not at.exception and len(server.requests) == 1
    assert any("without course passages" in w.value for w in at.warning)
    assert at.session_state["studio_doc"].grounded is False


def test_prose_twice_shows_the_failure_and_saves_nothing(db, course, model):
    server = model("I think a good lesson would start with a warm-up.", "Here is my plan: warm up, then practise.")
    at = studio("erin")
    at.text_input(key="studio_in_topic").input("few-shot prompts")
    at.button(key="studio_generate").click().run()
    assert not at.exception and len(server.requests) == 2
    assert "not valid even after one repair" in at.error[0].value and "prose instead of JSON" in at.error[0].value
    assert StudioStore(db).list(find_user(db, "erin").id) == []


def test_topic_sent_by_another_page_prefills_the_field(db, course):
    at = page("studio.py", find_user(db, "erin"))
    at.session_state["studio_topic"] = "retrieval-augmented generation"
    at.run()
    assert not at.exception and at.text_input(key="studio_in_topic").value == "retrieval-augmented generation"
    assert "studio_topic" not in at.session_state


def test_chinese_educator_gets_a_chinese_page_and_quiz_settings(db, course):
    at = page("studio.py", find_user(db, "wei"))  # signed in with the Chinese interface
    at.session_state["studio_in_kind"] = "quiz"
    at.run()
    assert not at.exception and at.title[0].value == "备课工作室"
    assert at.number_input(key="studio_in_count").label == "题目数量"
    assert at.multiselect(key="studio_in_kinds").value == ["multiple_choice", "true_false", "short_answer"]


def test_plan_editors_show_every_text_of_the_plan_under_headers_in_the_page_language(db, course, model):
    model(json.dumps(PLAN))
    at = studio("erin")
    at.text_input(key="studio_in_topic").input("few-shot prompts")
    at.button(key="studio_generate").click().run()
    assert not at.exception
    tables = shown_tables(at)
    assert list(tables) == ["Learning objectives", "Activities", "Materials"]
    objectives = tables["Learning objectives"]
    assert objectives["ID"] == ["O1", "O2", "O3"]
    assert objectives["Objective"] == ["Explain a few-shot prompt", "Write one", "Compare with zero-shot"]
    assert objectives["Bloom level"] == ["understand", "apply", "analyze"]
    activities = tables["Activities"]
    assert activities["Title"] == ["Warm-up", "Practice", "Compare"] and activities["Minutes"] == ["10", "20", "10"]
    assert activities["Description"] == ["Discuss", "Write prompts", "Zero vs few"]
    assert activities["Objective IDs"] == ["O1", "O2", "O3"] and all(activities["Course passage IDs"])
    assert tables["Materials"]["Title"] == ["Notes"] and tables["Materials"]["Description"] == ["The section on examples"]
    assert tables["Materials"]["Course passage IDs"] == activities["Course passage IDs"][:1]
    rev = at.session_state["studio_rev"]
    assert at.text_input(key=f"studio_edit_audience_{rev}").value == at.text_input(key="studio_in_audience").value
    fields = {
        key: at.text_area(key=f"studio_edit_{key}_{rev}").value
        for key in ("formative_assessment", "support_weaker", "challenge_stronger", "homework", "pre")
    }
    assert fields == {
        "formative_assessment": "Exit ticket",
        "support_weaker": "Template",
        "challenge_stronger": "Harder task",
        "homework": "Three examples",
        "pre": "Has used a chatbot",
    }


def test_quiz_editor_shows_question_options_answer_explanation_and_takes_an_edit(db, course, model):
    model(json.dumps(QUIZ))
    at = studio("wei")
    at.segmented_control(key="studio_in_kind").set_value("测验").run()  # AppTest picks a choice by its shown label
    at.text_input(key="studio_in_topic").input("few-shot prompts")
    at.selectbox(key="studio_in_lang").set_value("en")
    at.number_input(key="studio_in_count").set_value(2)
    at.multiselect(key="studio_in_kinds").set_value(["单项选择", "判断"])  # by shown label, as above
    at.multiselect(key="studio_in_bloom").set_value(["记忆", "理解"])
    at.button(key="studio_generate").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    tables = shown_tables(at)
    assert list(tables) == ["学习目标", "题目"]  # the page is in Chinese, the quiz in English
    assert tables["学习目标"]["学习目标"] == ["Explain few-shot prompts"]
    questions = tables["题目"]
    assert list(questions) == ["题目", "选项", "答案", "解析", "题型", "布鲁姆层级", "对应目标编号", "课程段落编号"]
    assert questions["题目"] == ["What comes before the task?", "The model copies the examples' format."]
    assert questions["题型"] == ["multiple_choice", "true_false"]
    assert set(questions["选项"][0].split(" | ")) == {"Worked examples", "A password", "A GPU", "Nothing"}
    assert questions["选项"][1] == "True | False"
    assert questions["答案"] == ["Worked examples", "True"]
    assert questions["解析"] == ["The passage says the examples come first.", "It imitates them."]
    assert questions["对应目标编号"] == ["O1", "O1"] and all(questions["课程段落编号"])
    # The educator rewrites the first question and one of its options in the grid, then saves.
    options = questions["选项"][0].replace("A GPU", "A graphics card")
    at.session_state[f"studio_ed_q_{at.session_state['studio_rev']}"] = {
        "edited_rows": {0: {"question": "What does a few-shot prompt put first?", "options": options}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert not at.exception and not any("编辑后的表格无效" in e.value for e in at.error)
    at.button(key="studio_save").click().run()
    [saved] = StudioStore(db).list(find_user(db, "wei").id)
    first = StudioStore(db).load(find_user(db, "wei").id, saved.id).questions[0]
    assert first.question == "What does a few-shot prompt put first?" and "A graphics card" in first.options
    assert "A GPU" not in first.options and first.answer == "Worked examples"


# --------------------------------------------------------------------------- the built-in model: drafts built from the course


@pytest.fixture
def sample_lesson(isolated_home, tmp_path):
    """The sample course's prompt-engineering lesson in both languages, indexed with the real embedder."""
    folder = tmp_path / "sample"
    for lang in ("en", "zh"):
        source = ROOT / "data" / "course" / lang / "04-prompt-engineering.md"
        write(folder / lang / source.name, source.read_text(encoding="utf-8"))
    index_course(isolated_home, [folder], "genai")


def test_on_the_built_in_model_a_quiz_is_built_from_the_course_with_no_model_call(db, sample_lesson):
    at = studio("erin")
    assert "assembled from the course's own sentences" in " ".join(c.value for c in at.caption)
    assert not [s for s in at.segmented_control if s.key == "studio_in_style"]  # no "written by the model" choice
    at.segmented_control(key="studio_in_kind").set_value("quiz").run()
    at.text_input(key="studio_in_topic").input("few-shot prompting")
    at.button(key="studio_generate").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "Made by course text (built)" in " ".join(c.value for c in at.caption)
    questions = shown_tables(at)["Questions"]
    assert len(questions["Question"]) == 4 and all(questions["Question"]) and all(questions["Answer"])
    assert any("few-shot" in text.lower() for text in questions["Question"] + questions["Answer"])
    lesson = (ROOT / "data" / "course" / "en" / "04-prompt-engineering.md").read_text(encoding="utf-8").replace("**", "")
    for explanation in questions["Explanation"]:  # each explanation quotes the lesson's own sentence
        assert explanation.split("“", 1)[1].rstrip("”") in lesson
    markdown = " ".join(m.value for m in at.markdown)
    assert markdown.count("✅") == 9 and "❌" not in markdown


def test_on_the_built_in_model_a_chinese_plan_is_built_from_the_chinese_lesson(db, sample_lesson):
    at = studio("wei")
    at.text_input(key="studio_in_topic").input("少样本提示")
    at.selectbox(key="studio_in_lang").set_value("zh")
    at.button(key="studio_generate").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    tables = shown_tables(at)
    objectives = tables["学习目标"]["学习目标"]
    lesson = (ROOT / "data" / "course" / "zh" / "04-prompt-engineering.md").read_text(encoding="utf-8")
    assert objectives and all(text in lesson for text in objectives)  # the lesson's own objectives
    descriptions = tables["教学活动"]["说明"]
    assert len(set(descriptions)) == len(descriptions) >= 3
    assert all(re.search(r"[\u4e00-\u9fff]", d) and "{" not in d for d in descriptions)
    assert sum(int(m) for m in tables["教学活动"]["分钟"]) == 45
    assert all(tables["教学材料"]["说明"])


def test_on_the_built_in_model_an_uncovered_topic_is_refused_without_an_uncited_option(db, sample_lesson):
    at = studio("erin")
    at.text_input(key="studio_in_topic").input("medieval castle architecture and siege engines")
    at.button(key="studio_generate").click().run()
    assert not at.exception
    assert any("needs course text" in e.value for e in at.error)
    assert not [c for c in at.checkbox if c.key == "studio_in_ungrounded"]


def test_a_model_written_quiz_goes_through_the_content_checks_and_the_page_says_what_is_wrong(db, course, model):
    bad = json.loads(json.dumps(QUIZ))
    bad["questions"][0] |= {
        "question": "Q1. true_false, understand",
        "answer": "A kind of GPU",
        "wrong_options": ["Worked examples", "A password", "Nothing"],
    }
    model(json.dumps(bad))
    at = studio("erin")
    at.segmented_control(key="studio_in_kind").set_value("quiz").run()
    assert at.segmented_control(key="studio_in_style").value == "model"  # a configured provider writes by default
    at.text_input(key="studio_in_topic").input("few-shot prompts")
    at.number_input(key="studio_in_count").set_value(2)
    at.multiselect(key="studio_in_kinds").set_value(["multiple_choice", "true_false"])
    at.button(key="studio_generate").click().run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "No template leftovers" in errors and "Q1" in errors
    assert "Every answer is in its cited passage" in errors and "A kind of GPU" in errors
