"""Two app servers on one PostgreSQL and one ``chroma run`` server follow each other's library changes.

Three real servers: Chroma (``chroma run``), and two app processes (``tests/support/two_servers_worker.py``),
each with its own TUTOR_HOME, so each keeps its own keyword index, sharing the Chroma server and a
PostgreSQL app database (``TUTOR_TEST_POSTGRES_URL``; skipped without it). Server B changes the library the
way the library page does; server A, started before and never restarted, must find a new lesson by keyword
and by dense search, a replaced paragraph (same chunk count) and a deletion within ``FOLLOW_S`` seconds of
B's call returning: the first search that sees the change must be sent by then (its answer adds the search's
own time, printed too). The bundled e5 embedder; the measured seconds are printed (``pytest -s``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import ExitStack

import pytest

from tests.support.databases import POSTGRES_URL, SKIP_REASON, empty_database_url
from tests.support.two_servers import CHROMA, AppServer, ChromaServer

pytestmark = pytest.mark.slow

FOLLOW_S = 5.0  # the bound for another server's change to be seen
PATIENCE_S = 30.0  # polled this long, so a failure still reports how late the change was seen

BASE = {
    "gears.md": "# Bicycle gears\n\n## Choosing a gear\nA low gear makes a climb easier: each turn of the pedals "
    "moves the back wheel less far.\n",
    "bread.md": "# Baking bread\n\n## Kneading\nKneading stretches the gluten, so the dough can hold the gas the "
    "yeast gives off.\n",
}
TIDE_POOLS = (
    "# Tide pools\n\n## Reading a tide pool\nA tide pool keeps sea water after the tide goes out. Crabs, anemones "
    "and small fish live in it until the sea comes back; the zorvillium line on the rock shows how long it stays wet.\n"
)
COMPASS = (
    "# Using a compass\n\n## The needle\n{needle}\n\n## Taking a bearing\nHold the compass flat, turn the housing "
    "until the orienting arrow sits under the needle, then read the bearing at the index line.\n"
)
NEEDLE_OLD = "The needle is a thin magnet that swings into line with the Earth's field; early needles were rubbed with magnetite."
NEEDLE_NEW = "The needle rests on a quellenbrook pivot, a jewel bearing that keeps it turning freely even in hard frost."
LANTERNS = (
    "# Paper lanterns\n\n## Folding the frame\nGlimmerwort paper is folded over a thin bamboo frame and glued at the seams.\n"
)


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """(A, B): two app servers on one Chroma server and one PostgreSQL schema; B has indexed BASE."""
    if not POSTGRES_URL:
        pytest.skip(SKIP_REASON)
    if not CHROMA.exists():
        pytest.skip(f"no Chroma command line at {CHROMA} (it comes with the chromadb package)")
    folder = tmp_path_factory.mktemp("two-servers")
    (folder / "chroma").mkdir()
    with ExitStack() as stack:  # stopped in reverse: the app servers, the database schema, then Chroma
        chroma = ChromaServer(folder / "chroma")
        stack.callback(chroma.stop)
        database_url = stack.enter_context(empty_database_url("postgresql", folder))
        a = AppServer("server-a", folder / "a" / "home", chroma.url, database_url)
        stack.callback(a.stop)
        b = AppServer("server-b", folder / "b" / "home", chroma.url, database_url)
        stack.callback(b.stop)
        for name, text in BASE.items():
            assert b.request(op="upload", course="demo", name=name, text=text)["indexed"]
        _wait(a, lambda answer: _sources(answer) == {"gears.md"}, query="gear climb", mode="lexical")
        yield a, b


def _sources(answer: dict) -> set[str]:
    return {hit["source"] for hit in answer["hits"]}


def _follow(server: AppServer, checks: dict[str, tuple[dict, Callable[[dict], bool]]], since: float) -> dict:
    """Run each named search on ``server`` in turn until its check passes.

    Returns {name: (sent, answered)}: the seconds from ``since`` to sending the first search that saw the change
    (how soon the server had noticed: it catches up as a search starts) and to its answer (which adds the
    search's own time, seconds on a loaded machine)."""
    pending, seen = dict(checks), {}
    while pending:
        for name, (search, passes) in list(pending.items()):
            sent = time.monotonic() - since
            answer = server.request(op="search", **search)
            answered = time.monotonic() - since
            if passes(answer):
                seen[name] = (sent, answered)
                del pending[name]
            elif answered > PATIENCE_S:
                pytest.fail(f"{server.name} did not see the change in {PATIENCE_S:.0f} s: {search} -> {answer}")
        time.sleep(0.1)
    return seen


def _report(what: str, seen: dict) -> None:
    """Print the measured seconds and check them against ``FOLLOW_S``."""
    print(
        f"\n{what}: "
        + ", ".join(f"{name} seen by a search sent at {s:.2f} s (answered at {a:.2f} s)" for name, (s, a) in seen.items())
    )
    assert all(sent < FOLLOW_S for sent, _ in seen.values()), seen


def _wait(server: AppServer, passes: Callable[[dict], bool], **search) -> None:
    _follow(server, {"search": (search, passes)}, time.monotonic())


def test_a_lesson_uploaded_through_one_server_is_found_through_the_other(servers):
    a, b = servers
    before = a.request(op="search", query="zorvillium", mode="lexical")
    assert "tide-pools.md" not in _sources(before) and "field-notes" not in before["courses"]

    assert b.request(op="upload", course="field-notes", name="tide-pools.md", text=TIDE_POOLS)["indexed"]
    question = "What lives in the pools of sea water left behind at low tide?"
    checks = {
        "keyword": (
            {"query": "zorvillium", "mode": "lexical", "course": "field-notes"},
            lambda r: _sources(r) == {"tide-pools.md"},
        ),
        "dense": ({"query": question, "mode": "dense"}, lambda r: r["hits"][0]["source"] == "tide-pools.md"),
    }
    seen = _follow(a, checks, time.monotonic())
    assert "field-notes" in a.request(op="search", query="zorvillium", mode="lexical")["courses"]
    _report("new lesson", seen)


def test_a_replaced_paragraph_with_the_same_chunk_count_is_found_through_the_other(servers):
    a, b = servers
    first = b.request(op="upload", course="demo", name="compass.md", text=COMPASS.format(needle=NEEDLE_OLD))
    _wait(a, lambda r: "compass.md" in _sources(r), query="magnetite", mode="lexical")

    second = b.request(op="upload", course="demo", name="compass.md", text=COMPASS.format(needle=NEEDLE_NEW))
    replaced = time.monotonic()
    assert second["indexed"] == first["indexed"] and second["chroma"] == first["chroma"]  # same count: only ids changed
    question = "What keeps a compass needle turning freely in frost?"
    checks = {
        "keyword": (
            {"query": "quellenbrook", "mode": "lexical"},
            lambda r: any("quellenbrook" in hit["text"] for hit in r["hits"]),
        ),
        "dense": ({"query": question, "mode": "dense"}, lambda r: "quellenbrook" in r["hits"][0]["text"]),
    }
    seen = _follow(a, checks, replaced)
    after = a.request(op="search", query="magnetite", mode="lexical")
    assert "compass.md" not in _sources(after) and after["keyword"] == after["chroma"]
    _report("replaced paragraph", seen)


def test_a_deleted_lesson_is_gone_from_both_searches_of_the_other(servers):
    a, b = servers
    assert b.request(op="upload", course="demo", name="lanterns.md", text=LANTERNS)["indexed"]
    _wait(a, lambda r: "lanterns.md" in _sources(r), query="glimmerwort", mode="lexical")

    assert b.request(op="delete", course="demo", source="lanterns.md")["removed"] > 0
    checks = {
        # The other server's keyword index must drop the chunks itself, not only hide ids Chroma no longer has.
        "keyword": (
            {"query": "glimmerwort", "mode": "lexical"},
            lambda r: "lanterns.md" not in _sources(r) and r["keyword"] == r["chroma"],
        ),
        "dense": ({"query": "folding paper lanterns on a frame", "mode": "dense"}, lambda r: "lanterns.md" not in _sources(r)),
    }
    _report("deletion", _follow(a, checks, time.monotonic()))
