"""Set-up for the app tests: Streamlit's caches emptied around each test, and the one-lesson course "demo"."""

import pytest
import streamlit as st

from tests.support.apptest import FEW_SHOT_LESSON, index_course
from tests.support.paths import write


@pytest.fixture(autouse=True)
def fresh_caches():
    """AppTest runs the pages in this process: a cached database or index would outlive its TUTOR_HOME."""
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture
def course(isolated_home, tmp_path):
    """The few-shot lesson indexed as the course "demo"."""
    write(tmp_path / "c" / "prompts.md", FEW_SHOT_LESSON)
    index_course(isolated_home, [tmp_path / "c"])
