"""The claim check of generated answers: which sentences the course passages do not support.

Every sentence of a model's answer that makes a claim (three or more content
terms) is compared with every sentence of the passages it was given: it is
supported when most of its terms appear in one passage sentence (across
languages through the glossary and CC-CEDICT), or when its e5 vector is close
to one passage sentence's. The sentences left over are returned, and
``mark_unsupported`` flags them in the text the learner reads. This module
does not call a language model and does not decide whether to answer.
"""

from __future__ import annotations

import numpy as np

from tutor_app.core.i18n import t
from tutor_app.engine.search.lexical import terms
from tutor_app.engine.sentences import sentences

MIN_TERMS = 3
TERM_SUPPORT = 0.6  # share of the claim's terms found in one passage sentence
MEANING_SUPPORT = 0.9  # e5 cosine between the claim and one passage sentence


def _claim_terms(sentence: str, bilingual) -> list[set[str]]:
    """Each term of the sentence with its translations (any of them counts as found)."""
    out = []
    for term in dict.fromkeys(terms(sentence)):
        variants = {term}
        if bilingual is not None:
            variants |= set(bilingual.translations(term))
        out.append(variants)
    return out


def unsupported_sentences(answer: str, passage_texts: list[str], vectors=None, bilingual=None) -> list[str]:
    """The answer's claims that no passage sentence supports. ``vectors``: an ``extractive.SentenceVectors``."""
    from tutor_app.engine.answers.extractive import strip_citation_marks

    # Sentences are returned as written (with their [n]) so the page can flag them in place.
    claims = [s for s in sentences(answer or "") if len(set(terms(strip_citation_marks(s)))) >= MIN_TERMS]
    sources = [s for text in passage_texts for s in sentences(text)]
    if not claims or not sources:
        return claims
    source_terms = [set(terms(s)) for s in sources]
    leftover = []
    for claim in claims:
        wanted = _claim_terms(strip_citation_marks(claim), bilingual)
        best = max(sum(1 for variants in wanted if variants & found) / len(wanted) for found in source_terms)
        if best < TERM_SUPPORT:
            leftover.append(claim)
    if not leftover or vectors is None:
        return leftover
    closeness = (vectors([strip_citation_marks(c) for c in leftover]) @ vectors(sources).T).max(axis=1)
    return [claim for claim, score in zip(leftover, np.atleast_1d(closeness)) if score < MEANING_SUPPORT]


def mark_unsupported(text: str, unsupported: list[str], lang: str) -> str:
    """``text`` with each unsupported sentence followed by a visible flag."""
    flag = f" ⚠️ _{t('claim_unsupported', lang)}_"
    for claim in unsupported:
        text = text.replace(claim, claim + flag, 1)
    return text
