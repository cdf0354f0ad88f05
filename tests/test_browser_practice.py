"""A real-browser practice session: sign in, open Practice, answer two questions, see graded feedback."""

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.learning_course import write_course

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
    from tutor_app.items import add_exercise
    from tutor_app.model_server import free_port
    from tutor_app.services import build_services
    from tutor_app.store import default_database_url, open_database

    home = tmp_path_factory.mktemp("home")
    settings = load_settings(env={}, home=home)
    assert build_services(settings).ingestor.ingest_paths([write_course(tmp_path_factory.mktemp("course"))], "demo").ok
    db = open_database(default_database_url(settings))
    create_user(db, "admin", PASSWORD, "administrator")
    teacher = create_user(db, "teacher", PASSWORD, "educator")
    create_user(db, "alice", PASSWORD, "student")
    add_exercise(db, teacher, "demo", "What does a few-shot prompt put before the task?",
                 "Two or three worked examples so the model copies their format.", "demo-01", "demo-01-o2")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_OPENAI_"))}
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
        os.killpg(process.pid, 15)
        pytest.fail("the app did not become healthy within 90 s")
    yield url
    os.killpg(process.pid, 15)
    process.wait(timeout=20)


def test_one_practice_session(app_url):
    SHOTS.mkdir(parents=True, exist_ok=True)
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-quic"])
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.set_default_timeout(90_000)
        try:
            page.goto(app_url)
            page.get_by_label("Username").fill("alice")
            page.get_by_role("textbox", name="Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.get_by_role("heading", name="Tutor").wait_for()
            page.get_by_role("link", name="Practice").click()
            page.get_by_role("heading", name="Practice").wait_for()
            page.get_by_role("button", name="Start practice").click()
            page.get_by_text("Question 1 of", exact=False).wait_for()
            page.get_by_label("Your answer").fill("a longer instruction")
            page.get_by_role("button", name="Check").click()
            page.get_by_text("Not quite", exact=False).wait_for()
            page.get_by_text("Question 2 of", exact=False).wait_for()
            page.screenshot(path=str(SHOTS / "practice-feedback.png"), full_page=True)
            assert page.get_by_text("Mastery of this objective: 20% →", exact=False).count() == 1
            page.get_by_label("Your answer").fill("prompt")  # the generated fill-in-the-blank question
            page.get_by_role("button", name="Check").click()
            page.get_by_text("Correct!", exact=True).wait_for()
            page.screenshot(path=str(SHOTS / "practice-correct.png"), full_page=True)
            assert "Traceback" not in page.content()
        finally:
            browser.close()
