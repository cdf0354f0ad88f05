"""Performance: ingestion, search latency at scale, answer speed and memory.

Every number printed is measured on this machine in this run:

1. Ingestion of data/course into a fresh temporary TUTOR_HOME, e5 embedding
   throughput alone, and a re-ingest of the unchanged files (which must not
   write anything to the index).
2. Hybrid search latency (query embedding + dense + BM25 + fusion) on the
   sample course index and on synthetic indexes of 10,000 and 100,000 chunks.
3. Time to first token and generation speed of ``tutor.ask`` with the embedded
   llama.cpp model.
4. Peak memory of this process and of the model server.

Run: .venv/bin/python benchmarks/performance.py [--max-chunks N] [--skip-ask]
Progress goes to stderr; results go to stdout.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from common import ROOT, load_questions

from tutor_app.core.config import load_settings
from tutor_app.core.schemas import Chunk
from tutor_app.engine.ingest.pipeline import collect_files
from tutor_app.services import build_services

COURSE = "genai-beginners"
COURSE_DIR = ROOT / "data" / "course"
SYNTHETIC_COURSE = "synthetic"
SCALES = (10_000, 100_000)
DIM = 384
QUESTION_FILES = ("lessons-01-04.yaml", "lessons-05-08.yaml", "course-samples.yaml", "off-topic.yaml")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def out(message: str = "") -> None:
    print(message, flush=True)


def load_note() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min) / {five:.1f} (5 min) on {os.cpu_count()} CPUs"


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=np.float64), q))


def maxrss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


def proc_status_mb(pid: int, field: str) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def fresh_services(tag: str):
    home = Path(tempfile.mkdtemp(prefix=f"tutor-perf-{tag}-"))
    # env={} so a key in the shell cannot switch the provider or the embedder.
    settings = load_settings(env={}, home=home)
    return build_services(settings), home


# --- 1. ingestion ----------------------------------------------------------
def bench_ingestion(services) -> list[Chunk]:
    out(f"== 1. Ingestion == ({load_note()})")
    out(f"TUTOR_HOME (fresh temp): {services.settings.home}")
    files, _ = collect_files([COURSE_DIR])
    log(f"ingesting {len(files)} files ...")
    started = time.perf_counter()
    report = services.ingestor.ingest_paths([COURSE_DIR], COURSE)
    elapsed = time.perf_counter() - started
    chunks_total = services.index.count()
    out(
        f"first ingest: {len(files)} files, {report.added} chunks, {elapsed:.2f} s, "
        f"{report.added / elapsed:.1f} chunks/s  ({report.summary()})"
    )

    chunks = [c for batch in services.index.iter_chunks() for c in batch]
    chunks.sort(key=lambda c: (c.source, c.position))
    sample = [c.embedding_text() for c in chunks[:64]]
    started = time.perf_counter()
    services.index.embedder(sample)
    embed_s = time.perf_counter() - started
    out(
        f"e5 passage embedding alone: {len(sample)} chunks in {embed_s:.2f} s = {len(sample) / embed_s:.1f} chunks/s "
        f"(batch size {services.index.embedder.batch_size})"
    )

    calls = {"upsert": 0, "upsert_items": 0, "delete": 0, "delete_items": 0}
    real_upsert, real_delete = services.index.upsert, services.index.delete

    def counting_upsert(chunks_, embeddings):
        calls["upsert"] += 1
        calls["upsert_items"] += len(chunks_)
        return real_upsert(chunks_, embeddings)

    def counting_delete(ids):
        calls["delete"] += 1
        calls["delete_items"] += len(ids)
        return real_delete(ids)

    services.index.upsert, services.index.delete = counting_upsert, counting_delete
    try:
        before = services.index.count()
        started = time.perf_counter()
        report2 = services.ingestor.ingest_paths([COURSE_DIR], COURSE)
        elapsed2 = time.perf_counter() - started
        after = services.index.count()
    finally:
        del services.index.upsert, services.index.delete  # back to the class's methods
    writes = calls["upsert_items"] + calls["delete_items"]
    out(
        f"re-ingest unchanged: {elapsed2:.2f} s; chunks before {before}, after {after}; "
        f"upsert calls {calls['upsert']} ({calls['upsert_items']} chunks), delete calls {calls['delete']} "
        f"({calls['delete_items']} ids)  ({report2.summary()})"
    )
    verdict = "met" if elapsed2 < 3 and writes == 0 and before == after else "NOT met"
    out(f"writes: {writes}    target: < 3 s, no writes -> {verdict}")
    out(f"chunks in index: {chunks_total}")
    return chunks


# --- 2. search latency -----------------------------------------------------
def pick_queries(n: int = 50, seed: int = 7) -> list[dict]:
    questions = load_questions(*QUESTION_FILES)
    rng = random.Random(seed)
    by_lang = {lang: [q for q in questions if q["lang"] == lang] for lang in ("en", "zh")}
    picked = []
    for pool in by_lang.values():
        rng.shuffle(pool)
        picked.extend(pool[: n // 2])
    rng.shuffle(picked)
    return picked


def measure_search(services, queries: list[dict], course: str) -> dict:
    search = services.retriever.search
    cold_started = time.perf_counter()
    search(queries[0]["question"], course=course)
    cold_ms = (time.perf_counter() - cold_started) * 1000
    for q in queries[1:4]:  # warm-up, not counted
        search(q["question"], course=course)
    times = []
    for q in queries:
        started = time.perf_counter()
        result = search(q["question"], course=course)
        times.append((time.perf_counter() - started) * 1000)
        assert result.hits, f"no hits for {q['question']!r}"
    # Where the time goes: the retriever's parts, called the same way, one at a time.
    from tutor_app.engine.search.index import where_filter

    parts = {"embed": [], "dense": [], "lexical": []}
    index = services.index
    for q in queries:
        t0 = time.perf_counter()
        vector = np.asarray(index.embedder.embed_query([q["question"]])[0], dtype=np.float32)
        t1 = time.perf_counter()
        index.dense_query(vector, 20, where_filter(course, None))
        t2 = time.perf_counter()
        index.lexical.search(q["question"], 20, course=course)
        t3 = time.perf_counter()
        parts["embed"].append((t1 - t0) * 1000)
        parts["dense"].append((t2 - t1) * 1000)
        parts["lexical"].append((t3 - t2) * 1000)
    return {"times": times, "cold_ms": cold_ms, "parts": {k: statistics.median(v) for k, v in parts.items()}}


def print_search(label: str, count: int, m: dict, target: str = "") -> None:
    t = m["times"]
    p = m["parts"]
    line = (
        f"{label:<22} {count:>8,} chunks  n={len(t)}  p50 {percentile(t, 50):6.1f} ms  p95 {percentile(t, 95):6.1f} ms  "
        f"max {max(t):6.1f} ms  (first query {m['cold_ms']:.0f} ms)"
    )
    out(line + (f"    {target}" if target else ""))
    out(f"{'':<22} median parts: query embedding {p['embed']:.1f} ms, dense {p['dense']:.1f} ms, lexical {p['lexical']:.1f} ms")


def vocabulary(chunks: list[Chunk]) -> dict[str, tuple[list[str], list[int], list[Chunk]]]:
    """Per language: every token of the real lessons (so frequencies stay realistic), token counts per chunk."""
    import jieba

    jieba.setLogLevel(60)
    vocab = {}
    for lang in ("en", "zh"):
        mine = [c for c in chunks if c.lang == lang]
        tokens: list[str] = []
        lengths: list[int] = []
        for c in mine:
            words = c.text.split() if lang == "en" else [w for w in jieba.lcut(c.text) if w.strip()]
            tokens.extend(words)
            lengths.append(len(words))
        vocab[lang] = (tokens, lengths, mine)
    return vocab


def synthetic_batch(start: int, size: int, vocab, rng: np.random.Generator) -> tuple[list[Chunk], np.ndarray]:
    langs = ("en", "zh")
    chunks = []
    for i in range(start, start + size):
        lang = langs[i % 2]
        tokens, lengths, templates = vocab[lang]
        k = int(rng.integers(len(templates)))
        template, n_words = templates[k], lengths[k]
        picks = rng.integers(len(tokens), size=n_words)
        text = (" " if lang == "en" else "").join(tokens[j] for j in picks)
        lesson = i // 40
        chunks.append(
            Chunk(
                id=f"syn-{i:07d}",
                text=text,
                course=SYNTHETIC_COURSE,
                source=f"synthetic/{lang}/lesson-{lesson:05d}.md",
                heading=template.heading,
                title=template.title,
                lang=lang,
                lesson_id=f"syn-{lesson:05d}",
                position=i % 40,
                file_hash="synthetic",
            )
        )
    vectors = rng.standard_normal((size, DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return chunks, vectors


def build_synthetic(n: int, vocab, budget_s: float, seed: int = 1234) -> dict:
    services, home = fresh_services(f"{n // 1000}k")
    rng = np.random.default_rng(seed)
    batch = 2_000
    stats = {
        "services": services,
        "home": home,
        "gen_s": 0.0,
        "insert_s": 0.0,
        "lexical_s": 0.0,
        "batches": [],
        "built": 0,
        "over_budget": False,
    }
    lexical = services.index.lexical
    real_add = lexical.add

    def timed_add(items):
        t = time.perf_counter()
        real_add(items)
        stats["lexical_s"] += time.perf_counter() - t

    lexical.add = timed_add
    log(f"building synthetic index of {n:,} chunks in {home} ...")
    try:
        for start in range(0, n, batch):
            t0 = time.perf_counter()
            chunks, vectors = synthetic_batch(start, min(batch, n - start), vocab, rng)
            t1 = time.perf_counter()
            services.index.upsert(chunks, list(vectors))
            t2 = time.perf_counter()
            stats["gen_s"] += t1 - t0
            stats["insert_s"] += t2 - t1
            stats["batches"].append((start + len(chunks), t2 - t1))
            stats["built"] = start + len(chunks)
            if (start // batch) % 5 == 4:
                log(f"  {stats['built']:,}/{n:,} chunks, insert {stats['insert_s']:.0f} s so far")
            if stats["insert_s"] > budget_s and stats["built"] < n:
                stats["over_budget"] = True
                break
    finally:
        del lexical.add
    if not stats["over_budget"]:
        count = services.index.count()
        assert count == n, f"expected {n} chunks, index holds {count}"
    return stats


def bench_search(services, chunks: list[Chunk], max_chunks: int, budget_s: float) -> int:
    """Returns the size of the largest synthetic index built (fully or, over budget, partly)."""
    out(f"\n== 2. Search latency (hybrid: e5 query embedding + Chroma dense + SQLite BM25 + RRF + fetch) == ({load_note()})")
    queries = pick_queries()
    n_en = sum(q["lang"] == "en" for q in queries)
    out(
        f"{len(queries)} queries from data/questions/*.yaml ({n_en} en, {len(queries) - n_en} zh), "
        f"top_k {services.settings.top_k}, course filter on (as tutor.ask does); "
        f"times are wall-clock per retriever.search call"
    )
    m = measure_search(services, queries, COURSE)
    print_search("(a) sample course", services.index.count(), m)

    out(
        "note: the synthetic indexes are not embedded with e5 (embedding 100,000 chunks would take hours on this CPU at the "
        "throughput above); they hold random unit vectors (384-d, float32, seeded) and text made of words drawn from "
        "the real lessons (en and zh, real chunk lengths), so BM25 sees a realistic vocabulary. Query embedding is real e5. "
        "Random vectors have no cluster structure, which is a hard case for the HNSW graph."
    )
    largest = 0
    vocab = vocabulary(chunks)
    out(
        f"vocabulary source: {len(vocab['en'][0]):,} en tokens / {len(set(vocab['en'][0])):,} distinct, "
        f"{len(vocab['zh'][0]):,} zh words / {len(set(vocab['zh'][0])):,} distinct"
    )
    for label, n in zip(("(b)", "(c)"), SCALES):
        if n > max_chunks:
            out(f"{label} synthetic {n:,} chunks: skipped (--max-chunks {max_chunks:,})")
            continue
        st = build_synthetic(n, vocab, budget_s)
        syn, home, insert_s, lexical_s = st["services"], st["home"], st["insert_s"], st["lexical_s"]
        largest = max(largest, st["built"])
        first_n, first_s = st["batches"][0]
        last_n, last_s = st["batches"][-1]
        batch_note = f"per-2,000-chunk batch: {first_s:.1f} s at {first_n:,} chunks -> {last_s:.1f} s at {last_n:,} chunks"
        if st["over_budget"]:
            out(
                f"{label} synthetic {n:,} chunks: skipped, the build passed the --build-budget of {budget_s:.0f} s after "
                f"{st['built']:,} chunks ({insert_s:.0f} s in index.upsert, of which BM25 terms+FTS5 {lexical_s:.0f} s; "
                f"{batch_note}); {load_note()}"
            )
        else:
            out(
                f"{label} synthetic build: {n:,} chunks, text+vector generation {st['gen_s']:.1f} s, "
                f"index.upsert {insert_s:.1f} s = {n / insert_s:,.0f} chunks/s "
                f"(Chroma {insert_s - lexical_s:.1f} s, BM25 terms+FTS5 {lexical_s:.1f} s; {batch_note}); {load_note()}"
            )
            log(f"searching the {n:,}-chunk index ...")
            m = measure_search(syn, queries, SYNTHETIC_COURSE)
            target = ""
            if n == 10_000:
                target = f"target: p95 < 100 ms at 10,000 -> {'met' if percentile(m['times'], 95) < 100 else 'NOT met'}"
            print_search(f"{label} synthetic", n, m, target)
        out(f"{'':<22} process peak RSS so far: {maxrss_mb():.0f} MB")
        syn.close()
        del syn, st
        gc.collect()
        shutil.rmtree(home, ignore_errors=True)
    return largest


# --- 3. ask with the embedded model ----------------------------------------
def pick_ask_questions(services, n_en: int = 3, n_zh: int = 2) -> tuple[dict, list[dict]]:
    """Grounded questions only (an ungrounded one never reaches the model); one extra for warm-up."""
    wanted = {"en": n_en, "zh": n_zh}
    chosen: list[dict] = []
    warm = None
    for q in load_questions("lessons-01-04.yaml", "lessons-05-08.yaml"):
        if not services.retriever.search(q["question"], course=COURSE).grounded:
            continue
        if warm is None:
            warm = q
        elif wanted.get(q["lang"], 0) > 0:
            wanted[q["lang"]] -= 1
            chosen.append(q)
        if warm and not any(wanted.values()):
            break
    return warm, chosen


def record_stream_ends(services) -> list:
    """Keep each answer's StreamEnd (finish reason, usage) by wrapping the model the tutor gets."""
    from tutor_app.engine.models.chat import StreamEnd

    ends: list = []
    real_factory = services.tutor.model_factory

    def factory():
        model = real_factory()
        real_stream = model.stream

        def stream(messages, max_tokens):
            for piece in real_stream(messages, max_tokens):
                if isinstance(piece, StreamEnd):
                    ends.append(piece)
                yield piece

        model.stream = stream
        return model

    services.tutor.model_factory = factory
    return ends


def timed_ask(services, question: str, ends: list) -> dict:
    from tutor_app.engine.tokens import count_tokens

    ends.clear()

    t = time.perf_counter()
    services.retriever.search(question, course=COURSE)  # the retrieval part of TTFT, measured on its own
    search_s = time.perf_counter() - t
    started = time.perf_counter()
    stream = services.tutor.ask(question, course=COURSE)
    first = None
    pieces = 0
    for _ in stream:
        if first is None:
            first = time.perf_counter()
        pieces += 1
    end = time.perf_counter()
    result = stream.result
    gen_s = end - (first or end)
    return {
        "search_s": search_s,
        "ttft": (first or end) - started,
        "total": end - started,
        "gen_s": gen_s,
        "tokens": result.completion_tokens,
        "pieces": pieces,
        "complete": result.complete,
        "error": result.error,
        # Tutor falls back to a tiktoken count of the answer when the server reports no usage.
        "fallback": result.completion_tokens == count_tokens(result.answer),
        "tps": result.completion_tokens / gen_s if gen_s > 0 else float("nan"),
        "pps": pieces / gen_s if gen_s > 0 else float("nan"),
        "finish": (ends[-1].finish_reason or "none") if ends else "n/a",
        "usage": ends[-1].completion_tokens if ends else 0,
    }


def bench_ask(services) -> int | None:
    out(f"\n== 3. ask with the embedded model == ({load_note()})")
    log("starting the embedded model server ...")
    started = time.perf_counter()
    model = services.chat_model()
    start_s = time.perf_counter() - started
    server = services._server
    pid = server.process.pid if server is not None and server.process is not None else None
    out(
        f"model: {model.label}; server start until healthy: {start_s:.1f} s"
        + ("" if pid else " (reused an already running server)")
    )
    warm, questions = pick_ask_questions(services)
    ends = record_stream_ends(services)
    log("warming up ...")
    w = timed_ask(services, warm["question"], ends)
    out(f"warm-up question ({warm['lang']}): first token {w['ttft']:.2f} s, total {w['total']:.2f} s (not counted)")
    out(
        "TTFT = from calling tutor.ask (retrieval included) to its first text piece; search = the same retrieval timed "
        "alone just before; generation time = first piece to end of stream; tok/s = result.completion_tokens / "
        "generation time; pieces/s = streamed text pieces (about one per model token) / generation time; "
        "finish = the server's finish_reason"
    )
    out(
        f"{'lang':<4} {'search s':>8} {'TTFT s':>7} {'total s':>8} {'tokens':>6} {'tok/s':>6} {'pieces':>6} "
        f"{'pieces/s':>8} {'finish':>6}  question"
    )
    runs = []
    for q in questions:
        log(f"asking: {q['question'][:50]}")
        r = timed_ask(services, q["question"], ends)
        runs.append(r)
        short = q["question"] if len(q["question"]) <= 50 else q["question"][:47] + "..."
        out(
            f"{q['lang']:<4} {r['search_s']:>8.2f} {r['ttft']:>7.2f} {r['total']:>8.2f} {r['tokens']:>6} {r['tps']:>6.1f} "
            f"{r['pieces']:>6} {r['pps']:>8.1f} {r['finish']:>6}  {short}"
            + (f"  [incomplete: {r['error']}]" if not r["complete"] else "")
        )
    ttft = statistics.median(r["ttft"] for r in runs)
    tps = statistics.median(r["tps"] for r in runs)
    pps = statistics.median(r["pps"] for r in runs)
    out(f"p50 time to first token: {ttft:.2f} s    target: first token < 2 s warm -> {'met' if ttft < 2 else 'NOT met'}")
    out(
        f"p50 tokens/s: {tps:.1f} (pieces/s {pps:.1f}); max TTFT {max(r['ttft'] for r in runs):.2f} s; "
        f"max_answer_tokens {services.settings.max_answer_tokens}"
    )
    if any(r["finish"] == "length" for r in runs):
        out(
            f"note: finish=length means the model used all {services.settings.max_answer_tokens} answer tokens; "
            "fewer pieces than that means some tokens produced no visible text (e.g. partial UTF-8 bytes)"
        )
    if all(r["fallback"] and not r["usage"] for r in runs):
        out(
            "note: result.completion_tokens equalled the tiktoken (cl100k) count of the answer in every run: the server "
            "sent no usage in its stream, so tok/s counts cl100k tokens, not model tokens; pieces/s is closer to the "
            "model's own rate"
        )
    return pid


# --- main ------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--max-chunks",
        type=int,
        default=max(SCALES),
        help="largest synthetic index to build (default 100000; 10000 skips the 100k one)",
    )
    parser.add_argument("--skip-ask", action="store_true", help="do not start the embedded model")
    parser.add_argument(
        "--build-budget",
        type=float,
        default=900.0,
        help="seconds of index.upsert after which a synthetic build is abandoned and reported as skipped",
    )
    args = parser.parse_args()

    out(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    services, home = fresh_services("course")
    server_pid = None
    largest = 0
    try:
        chunks = bench_ingestion(services)
        out(f"process peak RSS after ingestion: {maxrss_mb():.0f} MB")
        largest = bench_search(services, chunks, args.max_chunks, args.build_budget)
        if args.skip_ask:
            out("\n== 3. ask with the embedded model ==\nskipped (--skip-ask)")
        else:
            server_pid = bench_ask(services)

        out(f"\n== 4. Peak memory == ({load_note()})")
        server_hwm = proc_status_mb(server_pid, "VmHWM") if server_pid else None
    finally:
        services.close()
    out(
        f"this process (ru_maxrss, RUSAGE_SELF): {maxrss_mb():.0f} MB"
        + (f" (this run held synthetic indexes of up to {largest:,} chunks)" if largest else "")
    )
    if args.skip_ask:
        out("model server: not started (--skip-ask)")
    else:
        children = maxrss_mb(resource.RUSAGE_CHILDREN)
        hwm = f"{server_hwm:.0f} MB" if server_hwm is not None else "n/a (server not started by this process)"
        # Linux starts a forked child's high-water mark at the parent's RSS, so RUSAGE_CHILDREN is at
        # least this process's size at fork time; VmHWM is the server's own figure.
        caveat = (
            " (floored at this process's RSS when it forked the server; VmHWM is the server's own peak)"
            if children >= maxrss_mb() - 1
            else ""
        )
        out(
            f"model server (pid {server_pid}): VmHWM before stop {hwm}; "
            f"RUSAGE_CHILDREN ru_maxrss after stop {children:.0f} MB{caveat}"
        )
    shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
