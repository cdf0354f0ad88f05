"""Contradictions: whether a short answer says the opposite of the key, by rule, in English and Chinese.

``contradicts(answer, key, question)`` looks for one of five flips about the key's terms (and the
question's, which set context):

- Negation: a term the key states plainly is negated in the answer, or the other way round (not,
  never, without, nothing, rather than, instead of, 不, 没有, 而不是 ...). Only a plain statement
  counts as the other side: in a clause that holds a negation elsewhere ("no group is treated
  worse"), which word the negation bears on is too uncertain to hold against anyone. A negated pole
  or removing verb takes the negation itself ("never remove the system message" keeps it; "不超预算"
  says nothing against the budget).
- Poles of an antonym pair next to the same term: low/high, more/less, keep/remove, oldest/newest,
  低/高, 多/少, 保留/删除, 最早/最新 ...
- Order: before/after, first/then, 先/再, 之前/之后; "after the model answers" contradicts a question
  about what happens before it answers.
- A leading yes or no that differs from the key's.
- Swapped descriptions: when the question names two or more things and the key describes each in a
  clause of its own ("A base model only continues text; an instruct model follows requests"), an
  answer clause about one of them that holds only what the key says of another.

Terms are matched by stem, by containment for Chinese, and through the bilingual dictionary for an
answer in the other language. It also gives the key's terms (``key_terms``), which grading shares.
This module does not grade, weigh meaning or hold thresholds: ``grading`` does.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from tutor_app.engine.search.lexical import _jieba, _jieba_lock, terms
from tutor_app.engine.text import ANSWER_STOP_WORDS, CJK_CHARS, CJK_RUN


def same_term(a: str, b: str) -> bool:
    """Two terms are the same when equal, or when one (of at least 4 letters) starts the other."""
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    return len(short) >= 4 and long.startswith(short)


def key_terms(key: str) -> list[str]:
    """The key's content terms; a Chinese term inside a longer one (两三 in 两三个) is not counted twice."""
    found = [t for t in dict.fromkeys(terms(key)) if t not in ANSWER_STOP_WORDS]
    return [t for t in found if t.isascii() or not any(t != other and t in other for other in found)]


# Antonym pairs, in both languages: pair -> (words of one pole, words of the other).
# Order (before/after) is apart, below: it relates two things rather than qualifying one.
_PAIRS_EN = {
    "level": ("low lower lowest", "high higher highest"),
    "amount": ("less fewer least fewest", "more most"),
    "size": ("small smaller smallest tiny shorter", "large larger largest big bigger huge longer"),
    "change": ("decrease decreases shrink shrinks drops falls", "increase increases grow grows rises doubles"),
    "bound": ("minimum min", "maximum max upper"),
    "speed": ("slow slower slowly", "fast faster quick quicker"),
    "truth": ("false untrue", "true"),
    "who": ("nobody noone", "anyone anybody everyone everybody"),
    "keep": (
        "remove removes removed removing delete deletes deleted deleting drop dropped dropping discard discards discarded",
        "keep keeps kept keeping retain retains retained preserve preserves preserved",
    ),
    "age": ("old older oldest earliest", "new newer newest latest recent"),
}
_PAIRS_ZH = {
    "level": ("低", "高"),
    "amount": ("少", "多"),
    "speed": ("慢", "快"),
    "truth": ("假", "真"),
    "size": ("小 缩小", "大 扩大"),
    "bound": ("最少 最小", "最多 最大"),
    "change": ("减少 减小 降低 下降", "增加 增大 提高"),
    "who": ("没人 没有人", "任何人 谁都"),
    "keep": ("删 删除 删掉 去掉 移除 丢弃 清掉 清除", "保留 留 留着 留下"),
    "age": ("旧 最旧 较旧 早 最早 较早 更早 早期 最老 较老", "新 最新 较新 更新的 最近 近期"),
}
_POLES_EN = {
    word: (pair, side) for pair, sides in _PAIRS_EN.items() for side, words in enumerate(sides) for word in words.split()
}
_POLES_ZH = sorted(
    ((word, (pair, side)) for pair, sides in _PAIRS_ZH.items() for side, words in enumerate(sides) for word in words.split()),
    key=lambda item: -len(item[0]),
)  # a word is read as its longest pole
_ZH_JOIN = {"没人", "没有人", "谁都"}
# Chinese words that hold a pole character without meaning it.
_NOT_POLES_ZH = {
    "多样",
    "多个",
    "多种",
    "多数",
    "大多",
    "许多",
    "很多",
    "多少",
    "大小",
    "大大",
    "大量",
    "大幅",
    "大家",
    "差不多",
    "不少",
    "至少",
    "高兴",
    "多样性",
    "真正",
    "真的",
    "假如",
    "假设",
    "多余",
    "大型",
    "小型",
    "小心",
    "重新",
    "更新",
    "刷新",
    "新增",
    "创新",
    "最近邻",
    "留意",
    "留言",
    "停留",
    "老师",
    "早已",
    "早就",
}
# Verbs that take something away: negated, they keep it ("never remove X", "不落下任何人"),
# so the negation stops at them instead of reaching their object.
_PRIVATIVE_EN = set(
    """remove removes removed removing delete deletes deleted deleting drop dropped dropping discard
    discards discarded lose loses lost losing miss misses missed missing forget forgets forgot forgotten exclude
    excludes excluded excluding skip skips skipped omit omits omitted exceed exceeds exceeded exceeding ignore
    ignores ignored ignoring lack lacks lacked""".split()
)
_PRIVATIVE_ZH = (
    "删",
    "丢",
    "忘",
    "漏",
    "缺",
    "超",
    "排除",
    "落下",
    "去掉",
    "移除",
    "忽略",
    "遗漏",
    "省略",
    "跳过",
    "清除",
    "清掉",
    "失去",
)
# Order words. "X before Y": Y, the reference, comes later. Each entry: (where its reference stands, side given).
_EARLY, _LATE = 0, 1
_ORDER_EN = {
    "before": ("next", _LATE),
    "after": ("next", _EARLY),
    "then": ("rest", _LATE),
    "later": ("prev", _LATE),
    "afterwards": ("prev", _LATE),
    "afterward": ("prev", _LATE),
    "sooner": ("prev", _EARLY),
    "earlier": ("prev", _EARLY),
    "beforehand": ("prev", _EARLY),
    "first": ("prev", _EARLY),
}
_ORDER_ZH = {
    "之前": ("prev", _LATE),
    "以前": ("prev", _LATE),
    "前": ("prev", _LATE),
    "之后": ("prev", _EARLY),
    "以后": ("prev", _EARLY),
    "后": ("prev", _EARLY),
    "先": ("rest", _EARLY),
    "首先": ("rest", _EARLY),
    "再": ("rest", _LATE),
    "然后": ("rest", _LATE),
    "随后": ("rest", _LATE),
    "接着": ("rest", _LATE),
    "最后": ("rest", _LATE),
}
_NEGATORS_EN = {"not", "no", "never", "without", "cannot", "neither", "nor", "barely", "hardly", "scarcely"}
_SUBJECT_NEGATORS_EN = {"nothing", "nobody", "none", "noone"}  # "nothing is retrieved", "changes nothing"
# "X rather than Y", "instead of Y": Y is set aside, and a new statement starts.
_CONTRAST_NEGATORS_EN = {("rather", "than"), ("instead", "of")}
_AUXILIARIES = set("is are was were be been gets got can will would could should does do".split())
# A negation covers a noun phrase; a preposition after its head starts another ("no memory between calls").
_PREPOSITIONS = set(
    "between among within into onto from with for of to in on at by about across through via per than over under".split()
)
_NEGATOR_ZH_PREFIX = ("不", "没", "无", "未", "别", "勿", "非")
_NOT_NEGATORS_ZH = {
    "不同",
    "不断",
    "不少",
    "不仅",
    "不过",
    "不但",
    "不久",
    "不错",
    "非常",
    "未来",
    "别人",
    "别的",
    "无论",
    "不管",
    "没错",
    "无数",
    "非得",
    "差不多",
}
_YES = {"yes", "yeah", "是", "是的", "会", "会的", "对", "能", "可以"}
_NO = {"no", "nope", "不", "不会", "不是", "没有", "否", "不能", "不对"}
# Where one statement ends and the next begins: no pole or negation reaches past these.
_BOUNDARY = {
    ".",
    ";",
    ":",
    "!",
    "?",
    "。",
    "；",
    "：",
    "！",
    "？",
    "and",
    "but",
    "while",
    "whereas",
    "because",
    "so",
    "although",
    "though",
    "yet",
    "however",
    "then",
    "并",
    "但",
    "但是",
    "却",
    "而",
    "再",
    "并且",
    "而且",
    "所以",
    "因此",
    "因为",
    "虽然",
    "然后",
}
_COMMAS = {",", "，"}
_CLAUSE_END = _COMMAS | {
    "、",
    "的",
    "(",
    ")",
    "（",
    "）",
}  # a negation stops here; a pole's term may sit past it (温度低，输出稳定)
# Boundaries that may join two things in one statement ("BM25 and vector search find both"): no clause split there.
_JOINERS = {"and", "并", "并且", "而且"}
_POLE_REACH = 8  # tokens between a pole and the term it qualifies
# Pairs whose poles sit next to their term, in its clause: an adjective (oldest turns, 最早的轮次) or a
# verb and its object (remove the message, 删除块). Further away they qualify something else.
_ADJACENT_PAIRS, _ADJACENT_REACH = {"keep", "age"}, 3
_REFERENCE_REACH = 2  # content tokens that make the reference of before/after
_SUBJECT_REACH = 2  # content tokens at the start of a clause where the thing it is about stands


@dataclass
class _Token:
    text: str
    concepts: set[str] = field(default_factory=set)
    pole: tuple[str, int] | None = None
    negator: str = ""  # "", "plain" (not, 不), "subject" (nothing, nobody), "contrast" (rather than, instead of)
    privative: bool = False  # remove, 删除: a negation stops here
    boundary: bool = False
    comma: bool = False
    stop: bool = False  # ends a negation's reach
    content: bool = False
    scope: int = 0  # which comma-delimited statement the token is in


def contradicts(answer: str, key: str, question: str = "", bilingual=None) -> bool:
    """Whether the answer flips what the key (or the question) says about one of the key's terms.

    ``bilingual`` (a ``bilingual.Bilingual``) matches the answer's words to the key's when they are in
    different languages.
    """
    if _leading_answer(answer) and _leading_answer(key) and _leading_answer(answer) != _leading_answer(key):
        return True
    concepts = list(dict.fromkeys(key_terms(key) + [t for t in terms(question) if t not in ANSWER_STOP_WORDS]))
    key_tokens, answer_tokens = _tokens(key, concepts, None), _tokens(answer, concepts, bilingual)
    said = _polarity(key_tokens, stated=True)
    # The question sets context for order and poles; a negation in it ("never ship") is the question's own.
    for concept_kind, sides in _polarity(_tokens(question, concepts, None)).items():
        if concept_kind[1] != "neg":
            said.setdefault(concept_kind, set()).update(sides)
    prefers = any(t.negator == "contrast" for t in key_tokens)
    if any(_differs(said.get(concept_kind, set()), sides, prefers) for concept_kind, sides in _polarity(answer_tokens).items()):
        return True
    return _swapped(answer_tokens, key_tokens, set(terms(question)))


def _differs(stated: set, given: set, prefers: bool) -> bool:
    """Whether the key and the answer each take one side about a term, and not the same one.

    ``prefers``: the key prefers one thing to another itself (rather than, instead of).
    """
    if len(stated) != 1 or len(given) != 1:
        return False
    (key_side,), (answer_side,) = stated, given
    if key_side is None or answer_side is None or key_side == answer_side:
        return False
    if "contrast" in (key_side, answer_side):
        # "A rather than B" sets B aside without denying it: it flips only a key that prefers one
        # thing to another as well ("a powerful account rather than the user's permissions" against
        # "the user's permissions rather than a powerful account").
        plain = answer_side if key_side == "contrast" else key_side
        return prefers and plain is False
    return True


def _leading_answer(text: str) -> str:
    """``yes`` or ``no`` when the text opens with one (a yes/no question's answer)."""
    first = re.match(rf"\s*([A-Za-z]+|[{CJK_CHARS}]{{1,2}}?)(?=[\s,.:;!，。：；！]|$)", text or "")
    word = first.group(1).lower() if first else ""
    return "yes" if word in _YES else "no" if word in _NO else ""


def _surface(text: str) -> list[str]:
    """Words and punctuation in order: jieba words for Chinese runs, lower-cased words for the rest."""
    out: list[str] = []
    text = unicodedata.normalize("NFKC", text or "").replace("’", "'")
    for piece in re.findall(rf"[{CJK_CHARS}]+|[A-Za-z0-9]+(?:'[A-Za-z]+)?|[^\sA-Za-z0-9{CJK_CHARS}]", text):
        if CJK_RUN.fullmatch(piece):
            with _jieba_lock:
                words = [w for w in _jieba().lcut(piece, HMM=False) if w.strip()]
            for word in words:  # 没 + 人 -> 没人: a pole the dictionary splits
                if out and out[-1] + word in _ZH_JOIN:
                    out[-1] += word
                else:
                    out.append(word)
        else:
            out.append(piece.lower())
    return out


def _tokens(text: str, concepts: list[str], bilingual) -> list[_Token]:
    out: list[_Token] = []
    words = _surface(text)
    for i, word in enumerate(words):
        token = _Token(word, boundary=word in _BOUNDARY, comma=word in _COMMAS)
        if (word, words[i + 1] if i + 1 < len(words) else "") in _CONTRAST_NEGATORS_EN:
            token.boundary, token.negator = True, "contrast"
        elif word in ("不是", "非") and i and words[i - 1] == "而":  # 而不是, 而非: rather than
            token.negator = "contrast"
        token.stop = token.boundary or word in _CLAUSE_END
        if word.endswith("n't") or word in _NEGATORS_EN or _zh_negator(word):
            token.negator = token.negator or "plain"
        elif word in _SUBJECT_NEGATORS_EN:
            token.negator = "subject"
        token.pole = _POLES_EN.get(word) if word.isascii() else _zh_pole(word)
        own = word[:-3] if word.endswith("n't") else word[1:] if _zh_negator(word) else word
        token.privative = own in _PRIVATIVE_EN if own.isascii() else own.startswith(_PRIVATIVE_ZH)
        word_terms = (
            []
            if word in _NEGATORS_EN or token.negator and token.boundary
            else [t for t in terms(own) if t not in ANSWER_STOP_WORDS]
        )
        token.content = bool(word_terms) and not token.stop and not token.negator
        token.concepts = _concepts_of(own, word_terms, concepts, bilingual) if word_terms else set()
        if out:
            token.scope = out[-1].scope + (token.boundary or out[-1].comma)
        out.append(token)
    return out


def _zh_negator(word: str) -> bool:
    return not word.isascii() and word.startswith(_NEGATOR_ZH_PREFIX) and word not in _NOT_NEGATORS_ZH


def _zh_pole(word: str) -> tuple[str, int] | None:
    if word in _NOT_POLES_ZH:
        return None
    for morpheme, (pair, side) in _POLES_ZH:
        # A one-character pole counts only in a short word: 高 in 调高, not in 高质量的.
        if morpheme in word and (len(morpheme) > 1 or len(word) <= 3):
            # 不大, 不真实: the word negates its own pole
            return (pair, 1 - side) if _zh_negator(word) and not word.startswith(morpheme) else (pair, side)
    return None


def _concepts_of(word: str, word_terms: list[str], concepts: list[str], bilingual) -> set[str]:
    """The key's (or question's) terms that this word stands for, directly or through a translation."""
    found = {c for c in concepts if any(same_term(c, t) for t in word_terms) or (not c.isascii() and len(c) >= 2 and c in word)}
    if bilingual is not None and not found:
        translated = [x for t in word_terms for tr in bilingual.translations(t) for x in (terms(tr) or [tr])]
        found = {c for c in concepts if any(same_term(c, x) or c == x for x in translated)}
        if not found:
            found = {
                c
                for c in concepts
                for tr in bilingual.translations(c)
                if any(same_term(x, t) for x in (terms(tr) or [tr]) for t in word_terms) or (not tr.isascii() and tr in word)
            }
    return found


def _polarity(tokens: list[_Token], stated: bool = False) -> dict[tuple[str, str], set]:
    """For each (concept, kind): the sides the text takes; kind is ``neg``, ``order`` or an antonym pair.

    ``neg``: True (negated), "contrast" (set aside by rather than, instead of), False (stated plainly)
    or None (not negated, but its statement holds a negation that may bear on it). ``stated`` (the key): a mention of the concept without a pole of a
    pair adds None, so a term the key qualifies in one place only is not held to that pole everywhere.
    """
    found: dict[tuple[str, str], set] = {}
    negated = _negated_positions(tokens)
    negated_scopes = {t.scope for t in tokens if t.negator}
    order = _order_positions(tokens)
    mentions: dict[str, list[dict]] = {}
    for i, token in enumerate(tokens):
        for concept in token.concepts:
            plain = None if token.scope in negated_scopes else False
            side = ("contrast" if negated[i] == "contrast" else True) if i in negated else plain
            found.setdefault((concept, "neg"), set()).add(side)
            poles = _poles_near(tokens, i)
            if i in order:
                poles["order"] = next(iter(order[i])) if len(order[i]) == 1 else None
            mentions.setdefault(concept, []).append(poles)
    for concept, each in mentions.items():
        for kind in {k for poles in each for k in poles}:
            sides = {poles.get(kind) for poles in each} if stated else {poles[kind] for poles in each if kind in poles}
            found[(concept, kind)] = sides
    return found


def _negated_positions(tokens: list[_Token]) -> dict[int, str]:
    """Tokens under a negation, with its kind: the next content word (or the one after it, when the
    first is no key term)."""
    out: dict[int, str] = {}
    for i, token in enumerate(tokens):
        if not token.negator or token.privative or (token.pole and not token.boundary):
            continue  # 不删, 不超, 不大: the negation is the word's own
        if token.concepts:  # 不写, doesn't-change: the negated word is inside the token
            out[i] = token.negator
            continue
        if token.negator == "subject" and i and tokens[i - 1].content:
            out[i - 1] = token.negator  # "changes nothing"
        j, seen = i + 1, 0
        reach = len(tokens) if token.negator == "contrast" else 2  # "rather than" sets aside the whole phrase
        while j < len(tokens) and seen < reach and not tokens[j].stop:
            if tokens[j].pole or tokens[j].privative:
                break  # "never remove X", "no more than": the negation turns the pole, not X
            if seen and tokens[j].text in _PREPOSITIONS:
                break
            if token.negator == "subject" and tokens[j].text not in _AUXILIARIES and not tokens[j].content:
                break
            if tokens[j].content:
                out[j] = token.negator
                seen += 1
                if (tokens[j].concepts and token.negator != "contrast") or token.negator == "subject":
                    break
            j += 1
    return out


def _order_positions(tokens: list[_Token]) -> dict[int, set[int]]:
    """Tokens placed early or late by an order word (before/after, 先/再, 之前/之后, sooner/later)."""
    out: dict[int, set[int]] = {}
    for i, token in enumerate(tokens):
        marker = (_ORDER_EN if token.text.isascii() else _ORDER_ZH).get(token.text)
        if not marker:
            continue
        where, side = marker
        if where == "next" and not (i + 1 < len(tokens) and not tokens[i + 1].stop):
            continue  # "as long as before." : an adverb, not a relation
        step = -1 if where == "prev" else 1
        j, seen = i + step, 0
        # 先 and then reach to the end of their statement: in 先写草稿，按清单检查，再修改 the middle step is neither.
        while 0 <= j < len(tokens) and not tokens[j].boundary and not (tokens[j].stop if where != "rest" else tokens[j].comma):
            if tokens[j].content:
                out.setdefault(j, set()).add(side)
                seen += 1
                if where != "rest" and seen >= _REFERENCE_REACH:
                    break
            j += step
    return out


def _poles_near(tokens: list[_Token], i: int) -> dict[str, int]:
    """For each antonym pair, the side of its nearest pole within the same statement (a negated pole flips)."""
    if tokens[i].pole:  # the term itself is a pole word (更少, 变小, 保留): that is what it says
        return {tokens[i].pole[0]: tokens[i].pole[1]}
    best: dict[str, tuple[int, int]] = {}
    for step in (-1, 1):
        j, distance, crossed = i + step, 1, False
        while 0 <= j < len(tokens) and distance <= _POLE_REACH and not tokens[j].boundary:
            crossed = crossed or tokens[j].comma
            pole = tokens[j].pole
            if pole and not (pole[0] in _ADJACENT_PAIRS and (crossed or distance > _ADJACENT_REACH)):
                side = 1 - pole[1] if j and tokens[j - 1].negator else pole[1]
                if pole[0] not in best or distance < best[pole[0]][0]:
                    best[pole[0]] = (distance, side)
            j, distance = j + step, distance + 1
    found = {pair: side for pair, (_, side) in best.items()}
    if "keep" in found and "age" in found:
        # Keeping the newest is deleting the oldest: together they make one claim, that the two agree.
        found["keep-age"] = int(found.pop("keep") == found.pop("age"))
    return found


# --------------------------------------------------------------------------- swapped descriptions


def _split(tokens: list[_Token], commas: bool) -> list[list[_Token]]:
    """Clauses as written: split at boundaries (not at "and", which may join two subjects), and at commas."""
    out: list[list[_Token]] = [[]]
    for token in tokens:
        if (token.boundary and token.text not in _JOINERS) or (commas and token.comma):
            out.append([])
        else:
            out[-1].append(token)
    return [clause for clause in out if clause]


def _subject(clause: list[_Token], anchors: set[str]) -> str:
    """The anchor a clause is about: one among its first few content words."""
    content = [t for t in clause if t.content or t.concepts][:_SUBJECT_REACH]
    return next((c for t in content for c in sorted(t.concepts) if c in anchors), "")


def _descriptions(tokens: list[_Token], anchors: set[str], key: bool) -> list[tuple[str, list[_Token]]]:
    """Clauses with the anchor each is about. The key's are its statements, and one about no anchor
    continues the statement before it ("... finds paraphrases but misses exact strings"). An answer's
    are split at commas too, and one about no anchor it names is left out: its subject may be a
    word the grader does not know."""
    out: list[tuple[str, list[_Token]]] = []
    for clause in _split(tokens, commas=not key):
        subject = _subject(clause, anchors)
        if subject or not out or not key:
            out.append((subject, clause))
        else:
            out[-1][1].extend(clause)
    return [(subject, clause) for subject, clause in out if subject]


def _swapped(answer: list[_Token], key: list[_Token], asked: set[str]) -> bool:
    """Whether an answer clause about one thing the question names holds only what the key says of another."""
    # The things compared: terms of the question that the key makes the subject of one statement each.
    statements = _split(key, commas=False)
    named = [{c for t in clause for c in t.concepts} for clause in statements]
    anchors = {c for c in set().union(*named) if sum(c in n for n in named) == 1 and any(same_term(c, q) for q in asked)}
    anchors = {_subject(clause, anchors) for clause in statements} - {""}
    described = _descriptions(key, anchors, key=True)
    if len({subject for subject, _ in described}) < 2:
        return False
    key_negated, answer_negated = {t.scope for t in key if t.negator}, {t.scope for t in answer if t.negator}
    owners: dict[str, set[str]] = {}
    for subject, clause in described:
        for token in clause:
            if token.scope in key_negated:
                continue  # what a thing is not ("does not follow requests") is no description to swap
            for concept in token.concepts - anchors:
                if not any(same_term(concept, q) for q in asked):
                    owners.setdefault(concept, set()).add(subject)
    # What the key says of one thing only: concept -> that thing.
    attributes = {concept: next(iter(found)) for concept, found in owners.items() if len(found) == 1}
    for subject, clause in _descriptions(answer, anchors, key=False):
        said = {attributes[c] for t in clause if t.scope not in answer_negated for c in t.concepts if c in attributes}
        if said and subject not in said:
            return True
    return False
