"""Empty multiselects read "请选择……" on a Chinese page: Streamlit's own placeholder ("Choose options") is English."""

import pytest

from tests.support.apptest import add_user, app_database, page


@pytest.mark.parametrize("name", ["compare.py", "prompts.py", "studio.py"])
def test_every_multiselect_has_a_placeholder_in_the_page_language(isolated_home, course, name):
    user = add_user(app_database(isolated_home), "wei", "administrator", language="zh")
    at = page(name, user).run()
    assert not at.exception
    placeholders = [box.proto.placeholder for box in at.multiselect]
    assert placeholders and set(placeholders) == {"请选择……"}, placeholders
