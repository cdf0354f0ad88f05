"""An index that cannot be opened: the page says so in the reader's language, and heals without a restart."""

import logging

import pytest

from tests.support.apptest import add_user, app, app_database
from tutor_app.core.i18n import t


@pytest.fixture
def blocked_index(isolated_home):
    """TUTOR_HOME/chroma is a file, so Chroma cannot start (as on a read-only folder); unlink it to fix it."""
    isolated_home.mkdir(parents=True, exist_ok=True)
    blocker = isolated_home / "chroma"
    blocker.write_text("not a folder")
    return blocker


def test_the_page_explains_and_works_after_the_folder_is_fixed(isolated_home, blocked_index, caplog):
    database = app_database(isolated_home)
    add_user(database, "admin", "administrator")
    student = add_user(database, "alice", "student")
    at = app(student)
    with caplog.at_level(logging.ERROR, logger="tutor_app.app.ui"):
        at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [t("err_index_unavailable_page", "en")]
    shown = " ".join(str(e.value) for kind in (at.error, at.warning, at.info, at.markdown, at.code, at.caption) for e in kind)
    assert str(isolated_home) not in shown and "Traceback" not in shown and "File exists" not in shown
    assert "could not be used" in caplog.text  # the detail is in the server's log
    blocked_index.unlink()  # fixed by the administrator; the same session reruns, no restart
    at.run()
    assert not at.exception and not at.error
    assert at.title[0].value == "Tutor" and at.info[0].value == t("no_course", "en")


def test_a_chinese_reader_gets_the_message_in_chinese(isolated_home, blocked_index):
    database = app_database(isolated_home)
    add_user(database, "admin", "administrator")
    student = add_user(database, "bob", "student", language="zh")
    at = app(student).run()
    assert not at.exception and at.error[0].value == t("err_index_unavailable_page", "zh")


def test_an_administrator_also_sees_what_failed(isolated_home, blocked_index):
    admin = add_user(app_database(isolated_home), "admin", "administrator")
    at = app(admin).run()
    assert not at.exception and at.error[0].value == t("err_index_unavailable_page", "en")
    assert any("File exists" in caption.value for caption in at.caption)
