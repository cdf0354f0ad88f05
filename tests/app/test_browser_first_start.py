"""First start on a new TUTOR_HOME, in a real browser: healthy at once, the sample course indexed behind it."""

import time

import pytest

from tests.support.apptest import PASSWORD
from tests.support.browser import SHOTS, browser_page, require_browser, running_app

pytestmark = pytest.mark.slow
playwright_api = require_browser()


def test_a_new_home_is_usable_at_once_and_gets_the_sample_course(tmp_path):
    home = tmp_path / "new-home"
    home.mkdir()
    started = time.monotonic()
    # running_app fails the test if the health check does not answer within timeout_s.
    with running_app(home, {"TUTOR_SAMPLE_COURSE": "true"}, timeout_s=30) as url:
        healthy_after = time.monotonic() - started
        with browser_page(playwright_api, height=900, timeout_ms=60_000) as page:
            page.goto(url)
            page.get_by_label("Username").fill("admin")
            page.get_by_role("textbox", name="Password").fill(PASSWORD)
            page.get_by_role("button", name="Create administrator").click()
            # The administrator lands on the tutor page while the course is still being indexed.
            page.get_by_text("Preparing the sample course", exact=False).first.wait_for(timeout=60_000)
            page.get_by_text("The sample course is being indexed", exact=False).first.wait_for()
            page.screenshot(path=str(SHOTS / "first-start-indexing.png"), full_page=True)
            # When it is done the page refreshes by itself and offers the course.
            page.get_by_placeholder("Ask about the course…").wait_for(timeout=300_000)
            page.screenshot(path=str(SHOTS / "first-start-ready.png"), full_page=True)
            assert "genai-beginners" in page.locator('[data-testid="stSelectbox"]').first.inner_html()
            assert page.get_by_text("Preparing the sample course", exact=False).count() == 0
            assert "Traceback" not in page.content()
    assert healthy_after < 30
    assert (home / "sample-course-indexed").exists()
