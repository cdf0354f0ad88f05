"""The class view's wellbeing alerts through AppTest: who sees a student's self-harm flag, in both languages, and marking it seen."""

import time
from datetime import timedelta

import pytest
from sqlalchemy import update
from streamlit.testing.v1 import AppTest

from tests.support.apptest import PASSWORD, add_user, app_database, find_user, page
from tutor_app.accounts.classes import add_student, create_class
from tutor_app.accounts.users import create_user
from tutor_app.app.ui import LANG_KEY
from tutor_app.core.database import SafetyFlag, utcnow
from tutor_app.tutoring.safety import Screening, record_flag


@pytest.fixture
def school(isolated_home):
    db = app_database(isolated_home)
    teacher = add_user(db, "teacher", "educator")
    add_user(db, "other", "educator")
    add_user(db, "head", "administrator")
    create_user(db, "xiaoming", PASSWORD, "student", display_name="王小明")
    cls = create_class(db, teacher, "Class A")  # no course: the page stops at the course picker, after the alerts
    add_student(db, teacher, cls.id, "xiaoming")
    record_flag(db, find_user(db, "xiaoming").id, Screening("self_harm", "zh"), mode="coach")
    return db


def class_view(username: str, lang: str = "en") -> AppTest:
    at = page("class_view.py", find_user(app_database(), username))
    at.session_state[LANG_KEY] = lang
    at.run()
    assert not at.exception
    return at


def _text(at: AppTest, kinds=("subheader", "markdown", "caption", "warning", "info", "error")) -> str:
    return "\n".join(str(e.value) for kind in kinds for e in at.get(kind))


@pytest.mark.parametrize(
    ("lang", "heading", "where", "action"),
    [
        ("en", "Wellbeing alerts", "in Coach", "Check in with this student in person today"),
        ("zh", "需要关注的学生", "在“引导”中", "请今天当面关心一下这位学生"),
    ],
)
def test_the_class_educator_sees_the_alert_with_the_students_name(school, lang, heading, where, action):
    at = class_view("teacher", lang)
    assert heading in [s.value for s in at.subheader]
    [alert] = at.warning
    assert "王小明" in alert.value and where in alert.value and action in alert.value
    assert "UTC+" in alert.value and ("just now" in alert.value if lang == "en" else "刚刚" in alert.value)  # when, as text
    assert "Needs attention" in alert.value if lang == "en" else "需要关注" in alert.value  # not only a colour


@pytest.mark.parametrize(("lang", "ago"), [("en", "2 hour(s) ago, "), ("zh", "2 小时前，")])
def test_alert_times_read_as_how_long_ago_and_the_local_time(school, monkeypatch, lang, ago):
    raised = utcnow() - timedelta(hours=2, minutes=5)  # stored as naive UTC
    with school.session() as s:
        s.execute(update(SafetyFlag).values(created_at=raised))
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        [alert] = class_view("teacher", lang).warning
        browser = page("class_view.py", find_user(school, "teacher"))
        browser.session_state[LANG_KEY] = lang
        browser.context = {"timezone": "America/Sao_Paulo"}  # the browser's zone wins over the server's
        [in_browser_zone] = browser.run().warning
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert f"{ago}{raised + timedelta(hours=8):%Y-%m-%d %H:%M} UTC+08:00" in alert.value  # Shanghai is UTC+8 all year
    assert f"{ago}{raised - timedelta(hours=3):%Y-%m-%d %H:%M} UTC-03:00" in in_browser_zone.value  # no summer time since 2019


def test_another_educator_sees_no_alert(school):
    at = class_view("other")
    assert "Wellbeing alerts" in [s.value for s in at.subheader]
    assert not at.warning and "王小明" not in _text(at)
    assert "No alerts." in [c.value for c in at.caption]
    assert "暂无提醒。" in [c.value for c in class_view("other", "zh").caption]


def test_marking_an_alert_seen_moves_it_to_the_seen_list(school):
    at = class_view("teacher")
    next(b for b in at.button if b.label == "Mark as seen").click().run()
    assert not at.exception
    assert not at.warning and "No alerts." in [c.value for c in at.caption]
    [seen] = [e for e in at.expander if e.label == "Seen (1)"]
    assert any("王小明" in m.value and "seen by teacher" in m.value for m in seen.markdown)
    # An administrator sees it as seen too, and has nothing left to mark.
    head = class_view("head")
    assert not head.warning and any(e.label == "Seen (1)" for e in head.expander)
    assert not any(b.label == "Mark as seen" for b in head.button)
