"""What the real-browser tests share: Debian's Chromium, the app under `streamlit run`, signing in.

``require_browser()`` skips the calling test module when Chromium or Playwright
is missing. ``running_app`` serves the app on a free loopback port against a
TUTOR_HOME prepared with ``apptest``'s helpers and stops it afterwards; ``browser_page`` opens one page in
headless Chromium. The tests themselves say what they click and check.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.apptest import APP, PASSWORD
from tests.support.paths import ROOT

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(os.environ.get("TUTOR_SCREENSHOTS", "/tmp/tutor-screenshots"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def require_browser():
    """Playwright's sync API; skips the calling module when Chromium or Playwright is absent."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium; .ci/run does it)", allow_module_level=True)
    return pytest.importorskip("playwright.sync_api", reason="pip install playwright (in requirements-dev)")


@contextmanager
def running_app(
    home: Path, env: dict[str, str] | None = None, drop: tuple[str, ...] = ("OPENAI_", "AZURE_OPENAI_"), timeout_s: float = 90
):
    """The app served by `streamlit run` with TUTOR_HOME=home; yields its URL. Variables starting with
    ``drop`` are removed from this process's environment first, so a developer's key cannot leak in.
    The sample course is not indexed unless ``env`` asks for it."""
    from tutor_app.engine.models.server import free_port

    port = free_port()
    child_env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    # The tests prepare their own courses; the first start's sample ingestion has a test of its own.
    child_env.update({"TUTOR_HOME": str(home), "TUTOR_SAMPLE_COURSE": "false", **(env or {})})
    log = open(Path(home) / "streamlit.log", "wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(APP),
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=child_env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).status == 200:
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"the app did not become healthy within {timeout_s:.0f} s (log: {log.name})")
                time.sleep(0.3)
        yield url
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=20)
        log.close()


@contextmanager
def browser_page(playwright_api, height: int = 1000, timeout_ms: int = 90_000, **page_options):
    """One page in headless Chromium, 1280 pixels wide."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": height}, **page_options)
            page.set_default_timeout(timeout_ms)
            yield page
        finally:
            browser.close()


def sign_in(page, url: str, username: str, password: str = PASSWORD) -> None:
    """Fill the sign-in form; the caller waits for whatever page should follow."""
    page.goto(url)
    page.get_by_label("Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
