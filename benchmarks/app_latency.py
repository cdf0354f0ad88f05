"""App latency: start to a healthy /_stcore/health, and the first streamed token on the page.

Starts the embedded model server first (as a warm deployment would have it), then
`streamlit run`, then drives Debian's Chromium with Playwright: sign in as a
student, ask a question, and time until the first words of the answer appear.
Targets: healthy in under 5 s; first token on the page in under 3 s.
Run: .venv/bin/python benchmarks/app_latency.py  (needs /usr/bin/chromium)
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tutor_app.accounts.users import create_user  # noqa: E402
from tutor_app.core.config import load_settings  # noqa: E402
from tutor_app.core.database import default_database_url, open_database  # noqa: E402
from tutor_app.engine.models.server import EmbeddedServer, free_port  # noqa: E402
from tutor_app.services import build_services  # noqa: E402

PASSWORD = "benchmark password"
QUESTIONS = ["What is a few-shot prompt?", "什么是检索增强生成？", "Why does temperature matter?"]


def wait_healthy(url: str, timeout: float = 60) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).status == 200:
                return time.perf_counter() - started
        except OSError:
            time.sleep(0.05)
    raise SystemExit("the app did not become healthy")


def main() -> None:
    from playwright.sync_api import sync_playwright

    home = Path(tempfile.mkdtemp(prefix="tutor-bench-app-"))
    settings = load_settings(env={}, home=home)
    services = build_services(settings)
    services.ingestor.ingest_paths([ROOT / "data" / "course"], "genai-beginners")
    db = open_database(default_database_url(settings))
    create_user(db, "admin1", PASSWORD, "administrator")
    create_user(db, "student1", PASSWORD, "student")
    server = EmbeddedServer(settings)
    server.ensure()  # warm model server, shared with the app through the state file
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_OPENAI_"))} | {"TUTOR_HOME": str(home)}
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "tutor_app" / "app" / "main.py"),
            "--server.port",
            str(port),
            "--server.headless",
            "true",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        healthy = wait_healthy(url)
        print(f"app start to healthy /_stcore/health: {healthy:.2f} s (target < 5 s)")
        first_tokens = []
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium",
                headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            for n, question in enumerate(QUESTIONS, 1):
                page = browser.new_page()  # a fresh session per question: no waiting for the last answer to end
                page.set_default_timeout(120_000)
                page.goto(url)
                page.get_by_label("Username").fill("student1")
                page.get_by_role("textbox", name="Password").fill(PASSWORD)
                page.get_by_role("button", name="Sign in").click()
                page.get_by_role("heading", name="Tutor").wait_for()
                box = page.get_by_placeholder("Ask about the course…")
                box.fill(question)
                t0 = time.perf_counter()
                box.press("Enter")
                answer = page.locator('[data-testid="stChatMessage"]').nth(1)
                answer.wait_for()
                # The answer's own text, not the "Searching the course…" spinner beside it.
                page.wait_for_function(
                    "el => [...el.querySelectorAll('[data-testid=\"stMarkdownContainer\"]')]"
                    ".some(m => !m.closest('[data-testid=\"stSpinner\"]') && m.innerText.trim().length > 0)",
                    arg=answer.element_handle(),
                )
                first_tokens.append(time.perf_counter() - t0)
                print(f"  question {n}: first text on the page after {first_tokens[-1]:.2f} s")
                page.close()
            browser.close()
        print(
            f"first streamed text on the page: median {statistics.median(first_tokens):.2f} s, "
            f"max {max(first_tokens):.2f} s over {len(first_tokens)} questions (target < 3 s)"
        )
    finally:
        app.terminate()
        app.wait(timeout=20)
        server.stop()


if __name__ == "__main__":
    main()
