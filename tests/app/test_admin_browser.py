"""Real browser: an administrator creates a course, uploads a file, watches the progress and sees the document listed."""

import re

import pytest

from tests.support.apptest import add_user, app_database
from tests.support.browser import SHOTS, browser_page, require_browser, running_app, sign_in
from tests.support.paths import write

pytestmark = pytest.mark.slow
playwright_api = require_browser()


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    home = tmp_path_factory.mktemp("admin-home")
    add_user(app_database(home, env={}), "admin", "administrator")
    with running_app(home, drop=("OPENAI_", "AZURE_OPENAI_", "TUTOR_")) as url:
        yield url


@pytest.fixture
def page():
    with browser_page(playwright_api) as page:
        yield page


def test_admin_uploads_a_file_watches_progress_and_sees_it_listed(app_url, page, tmp_path):
    lesson = write(
        tmp_path / "embeddings-lesson.md",
        "# Embeddings\n\n"
        + "\n\n".join(
            f"## Section {n}\nSection {n} explains how an embedding turns text into a vector, and why similar texts get similar vectors."
            for n in range(40)
        ),
    )
    sign_in(page, app_url, "admin")
    page.get_by_role("link", name="Tutor", exact=True).wait_for()
    page.get_by_text("Administer", exact=True).wait_for()  # the sidebar's sections, every page listed
    assert page.get_by_text(re.compile(r"^View \d+ more$")).count() == 0  # Streamlit's English unfold button
    page.get_by_role("link", name="Library").click()
    page.get_by_role("heading", name="Library").wait_for()
    page.get_by_label("New course name").fill("Browser course")
    page.get_by_role("button", name="Create course").click()
    page.get_by_text("Course Browser course created", exact=False).wait_for()

    page.locator('input[type="file"]').set_input_files(str(lesson))
    page.get_by_text("embeddings-lesson.md").first.wait_for()
    # While Streamlit reruns, a stale, disabled copy of the button can sit beside the live one: click the live one.
    page.wait_for_function(
        "() => [...document.querySelectorAll('button')].some(b => b.innerText.includes('Index files') && !b.disabled)"
    )
    page.locator("button:not([disabled])").filter(has_text="Index files").first.click()
    bar = page.get_by_role("progressbar").first
    bar.wait_for()  # the bar appears while the passages are embedded
    seen = {bar.get_attribute("aria-valuenow")}
    page.get_by_text("Cancel").first.wait_for()  # and a Cancel button beside it
    page.get_by_text("Done: 100%").wait_for(timeout=180_000)
    seen.add(bar.get_attribute("aria-valuenow"))
    page.screenshot(path=str(SHOTS / "admin-upload-progress.png"), full_page=True)
    assert "100" in seen
    page.get_by_text("passage(s) indexed", exact=False).first.wait_for()
    table = page.locator('[data-testid="stTable"]')
    table.get_by_text("embeddings-lesson.md").wait_for()
    assert table.get_by_text("en", exact=True).count() >= 1
    page.screenshot(path=str(SHOTS / "admin-library.png"), full_page=True)
    assert "Traceback" not in page.content()
