"""Set-up time and the embedded model server's speed, measured in one run on this machine.

1. Set-up: the project's tracked files copied to a new folder (a fresh clone of the working tree),
   then `bash tutor.sh setup` there with an empty TUTOR_HOME and no virtual environment yet.
   Package caches of this machine (pip's, uv's) are kept, as a user's would be on a second install.
2. Server start-up: `EmbeddedServer.ensure()` with no server running, until /v1/models answers.
3. One request: time to first token and generation speed (tokens/s from the server's usage count).
4. Concurrency: 1, 4 and 8 chat requests sent at once (each generates exactly --tokens tokens),
   against the same 8 sent one after another: wall time, aggregate tokens/s, p50/p95 latency.

Run: .venv/bin/python benchmarks/model_server.py [--slots 4] [--tokens 128] [--skip-setup]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tutor_app.core.config import load_settings  # noqa: E402
from tutor_app.engine.models.chat import StreamEnd, make_chat_model  # noqa: E402
from tutor_app.engine.models.server import EmbeddedServer  # noqa: E402

QUESTIONS = [
    "Explain what a token is in a language model.",
    "什么是提示工程？请简单解释。",
    "Why does a lower temperature make answers more predictable?",
    "请解释检索增强生成（RAG）的基本思路。",
    "What is a few-shot prompt? Give a short example.",
    "什么是大语言模型的幻觉？",
    "How can a teacher use an AI tutor responsibly?",
    "为什么要给模型提供课程资料作为上下文？",
]


def measure_setup() -> float:
    with tempfile.TemporaryDirectory(prefix="tutor-setup-") as tmp:
        clone = Path(tmp) / "clone"
        files = subprocess.run(
            ["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.splitlines()
        for name in files:
            source = ROOT / name
            if source.is_file():
                (clone / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, clone / name)
        env = {k: v for k, v in __import__("os").environ.items() if not k.startswith(("TUTOR_", "OPENAI_", "AZURE_"))}
        env["TUTOR_HOME"] = str(Path(tmp) / "home")
        started = time.perf_counter()
        run = subprocess.run(["bash", "tutor.sh", "setup"], cwd=clone, env=env, capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        if run.returncode != 0:
            sys.exit(f"set-up failed (exit {run.returncode}):\n{run.stdout[-2000:]}\n{run.stderr[-2000:]}")
        return elapsed


def one_request(chat, question: str, tokens: int) -> dict:
    started = time.perf_counter()
    first = None
    end = None
    for item in chat.stream([{"role": "user", "content": question}], max_tokens=tokens):
        if isinstance(item, StreamEnd):
            end = item
        elif first is None:
            first = time.perf_counter()
    finished = time.perf_counter()
    if end is None or not end.complete:
        raise RuntimeError(f"the request failed: {end.error if end else 'no end'}")
    return {
        "first": (first or finished) - started,
        "total": finished - started,
        "tokens": end.completion_tokens,
        "generation_s": finished - (first or started),
    }


def run_batch(chat, n: int, tokens: int, concurrent: bool) -> dict:
    results: list[dict] = [None] * n  # type: ignore[list-item]

    def work(i: int) -> None:
        results[i] = one_request(chat, QUESTIONS[i % len(QUESTIONS)], tokens)

    started = time.perf_counter()
    if concurrent:
        threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    else:
        for i in range(n):
            work(i)
    wall = time.perf_counter() - started
    latencies = sorted(r["total"] for r in results)
    p95 = latencies[min(n - 1, int(round(0.95 * (n - 1))))]
    total_tokens = sum(r["tokens"] for r in results)
    return {
        "wall": wall,
        "tokens": total_tokens,
        "rate": total_tokens / wall,
        "p50": statistics.median(latencies),
        "p95": p95,
        "first_p50": statistics.median(r["first"] for r in results),
    }


def server_peak_mb(server: EmbeddedServer) -> float:
    try:
        status = Path(f"/proc/{server.process.pid}/status").read_text()
    except (OSError, AttributeError):
        return float("nan")  # not Linux, or the server was reused rather than started here
    return next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM")) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--slots", type=int, default=None, help="server slots (default: the setting's default)")
    parser.add_argument("--tokens", type=int, default=128, help="tokens each request generates")
    parser.add_argument("--skip-setup", action="store_true", help="do not time a fresh set-up")
    args = parser.parse_args()

    if not args.skip_setup:
        print("set-up on a fresh copy (empty home, new virtual environment) ...", flush=True)
        setup_s = measure_setup()
        print(
            f"set-up time:                {setup_s:7.1f} s   target < 90 s, limit 240 s -> {'met' if setup_s < 90 else 'MISSED'}"
        )

    with tempfile.TemporaryDirectory(prefix="tutor-bench-home-") as home:
        overrides = {"embedded_parallel": args.slots} if args.slots else {}
        settings = load_settings(env={}, home=Path(home), **overrides)
        server = EmbeddedServer(settings)
        started = time.perf_counter()
        server.ensure()
        start_s = time.perf_counter() - started
        try:
            chat = make_chat_model(settings, server)
            # A fixed length per request, so the figures compare the same amount of work.
            chat.extra_body = {**(chat.extra_body or {}), "ignore_eos": True}
            one_request(chat, "Hello", 8)  # warm-up: the first decode allocates buffers
            single = [one_request(chat, q, args.tokens) for q in QUESTIONS[:4]]
            print(
                f"model: {server.label}; slots {settings.embedded_parallel} x {settings.embedded_context} tokens; "
                f"{args.tokens} tokens per request"
            )
            print(f"server start-up:            {start_s:7.2f} s")
            print(f"first token (warm, 1 req):  {statistics.median(r['first'] for r in single):7.3f} s  (median of 4)")
            speed = statistics.median(r["tokens"] / r["generation_s"] for r in single)
            print(f"tokens/s (1 request):       {speed:7.1f}")
            print()
            print(f"{'load':<16} {'wall s':>8} {'tokens':>7} {'agg tok/s':>10} {'p50 s':>7} {'p95 s':>7} {'1st tok p50':>12}")
            rows = [("1 at once", 1, True), ("4 at once", 4, True), ("8 at once", 8, True), ("8 one by one", 8, False)]
            measured = {}
            for label, n, concurrent in rows:
                m = run_batch(chat, n, args.tokens, concurrent)
                measured[label] = m
                print(
                    f"{label:<16} {m['wall']:8.2f} {m['tokens']:7d} {m['rate']:10.1f} {m['p50']:7.2f} {m['p95']:7.2f} "
                    f"{m['first_p50']:12.3f}",
                    flush=True,
                )
            print(f"server peak memory (VmHWM): {server_peak_mb(server):.0f} MB")
            faster = measured["8 one by one"]["wall"] / measured["8 at once"]["wall"]
            print(f"\n8 at once vs 8 one by one: {faster:.2f}x faster in total time -> {'met' if faster > 1 else 'MISSED'}")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
