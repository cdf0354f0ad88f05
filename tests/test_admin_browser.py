"""Real browser: an administrator creates a course, uploads a file, watches the progress and sees the document listed."""

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT, write

pytestmark = pytest.mark.slow
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct horse battery"
SHOTS = Path(os.environ.get("TUTOR_SCREENSHOTS", "/tmp/tutor-screenshots"))

if not Path(CHROMIUM).exists():
    pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)", allow_module_level=True)
playwright_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (in requirements-dev)")


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    from tutor_app.accounts import create_user
    from tutor_app.config import load_settings
    from tutor_app.model_server import free_port
    from tutor_app.store import default_database_url, open_database

    home = tmp_path_factory.mktemp("admin-home")
    create_user(open_database(default_database_url(load_settings(env={}, home=home))), "admin", PASSWORD, "administrator")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_OPENAI_", "TUTOR_"))}
    env.update(TUTOR_HOME=str(home))
    log = open(home / "streamlit.log", "wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "tutor_app" / "app.py"), "--server.port", str(port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).status == 200:
                break
        except OSError:
            time.sleep(0.3)
    else:
        process.kill()
        pytest.fail("the app did not become healthy within 90 s")
    yield url
    os.killpg(process.pid, 15)
    process.wait(timeout=20)


@pytest.fixture
def page():
    SHOTS.mkdir(parents=True, exist_ok=True)
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-quic"])
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.set_default_timeout(90_000)
        yield page
        browser.close()


def test_admin_uploads_a_file_watches_progress_and_sees_it_listed(app_url, page, tmp_path):
    lesson = write(tmp_path / "embeddings-lesson.md", "# Embeddings\n\n" + "\n\n".join(
        f"## Section {n}\nSection {n} explains how an embedding turns text into a vector, and why similar texts get similar vectors."
        for n in range(40)))
    page.goto(app_url)
    page.get_by_label("Username").fill("admin")
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Library").click()
    page.get_by_role("heading", name="Library").wait_for()
    page.get_by_label("New course name").fill("Browser course")
    page.get_by_role("button", name="Create course").click()
    page.get_by_text("Course Browser course created", exact=False).wait_for()

    page.locator('input[type="file"]').set_input_files(str(lesson))
    page.get_by_text("embeddings-lesson.md").first.wait_for()
    # While Streamlit reruns, a stale, disabled copy of the button can sit beside the live one: click the live one.
    page.wait_for_function("() => [...document.querySelectorAll('button')].some(b => b.innerText.includes('Index files') && !b.disabled)")
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
