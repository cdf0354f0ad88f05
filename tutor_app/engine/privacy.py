"""Personal data found and replaced in a learner's text, deterministically, in English and Chinese.

``redact(text)`` replaces e-mail addresses (also spelled out: "name [at] host [dot] com",
"anna dot keller at northfield dot org", "anna 艾特 qq 点 com"), phone numbers
(mainland China mobiles with or without +86, Chinese landlines, international "+NN ..." and
North American "(415) 555-2671" forms, and any 7+ digit run right after a word such as
"phone" or "电话"; also written in Chinese numerals, "一三八一二三四五六七八"), Chinese national ID
numbers (18 characters with a valid birth date and checksum, or the old 15-digit form with a
valid date), street addresses ("221B Baker Street", "上海市徐汇区漕溪北路1200弄3号402室") and a
person's name attached to one of those ("Li Wei's phone is ...", "my classmate anna keller's
number is ...", "张伟的邮箱是 ...") with fixed placeholders such as ``[phone]``. Full-width digits
and letters count as their ASCII twins, and invisible characters (zero-width spaces and joiners,
soft hyphens) are skipped, so a phone with U+200B between its digits is still a phone. Years, small numbers,
version numbers (3.5), dates, token counts (4,096, 128000), short runs of Chinese numerals
("一二三") and "at"/"dot" in ordinary sentences ("temperature at 0.7", "the dot product") are
left alone; a plain "at" makes an e-mail only with a spelled-out dot or an e-mail word before it
and a common ending (.com, .org, .cn ...), so "the model at openai dot com" is redacted. The
word lists live in ``data/safety/personal_data.yaml``.

This module only transforms text: it does not store anything, call a model, or decide what a
page shows. A name on its own (with no contact data attached) is not personal data here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import yaml

from tutor_app.core.config import PROJECT_ROOT
from tutor_app.engine.text import CJK_CHARS

WORDS_FILE = PROJECT_ROOT / "data" / "safety" / "personal_data.yaml"
# The same in both languages: stored text must not depend on the language of the page that wrote it.
PLACEHOLDERS = {
    "email": "[email]",
    "id_number": "[ID number]",
    "phone": "[phone]",
    "address": "[address]",
    "name": "[name]",
}
_ITEM = r"\[(?:email|phone|ID number|address)\]"  # a placeholder a name can be attached to
_ANY_PLACEHOLDER = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS.values()))
# Full-width forms (＠, １３８…) and the ideographic space, mapped one to one so offsets stay valid.
_ASCII_VIEW = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
# Characters that show nothing; the detectors read the text without them ("138\u200b1234\u200b5678").
_INVISIBLE = frozenset("\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff")
# Chinese numerals as digits, one to one, for phone numbers only ("一三八 幺二三四 五六七八"); not for
# addresses, whose place names hold numerals ("三里屯", "五道口").
_HANZI_NUMERALS = "〇○零一幺壹二贰三叁四肆五伍六陆七柒八捌九玖"
_HANZI_DIGITS = str.maketrans(_HANZI_NUMERALS, "0001112233445566778899")
_CHECK_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CODES = "10X98765432"
_NOT_BEFORE = r"(?<![0-9A-Za-z.+])"  # not inside a word, a decimal or a version number
_NOT_AFTER = r"(?![0-9]|\.[0-9])"
ZH_PLACE_CHARS = 30  # how far back from a road a Chinese address may start (province, city, district, road name)


@dataclass(frozen=True)
class Redaction:
    """The text with personal data replaced, and the kinds replaced (first seen first)."""

    text: str
    kinds: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.kinds)


def redact(text: str) -> Redaction:
    """``text`` with every e-mail, phone, ID number, address and attached name replaced by its placeholder."""
    text = text or ""
    view, where = _view(text)
    spans = [(where[start], where[end - 1] + 1, kind) for start, end, kind in _item_spans(view)]
    redacted = _replace(text, spans)
    names = _name_spans(redacted)
    redacted = _replace(redacted, names)
    found = {kind for _, _, kind in spans + names}
    by_token = {token: kind for kind, token in PLACEHOLDERS.items()}
    kinds = (by_token[m.group()] for m in _ANY_PLACEHOLDER.finditer(redacted))  # in order, in the final text
    return Redaction(redacted, tuple(dict.fromkeys(kind for kind in kinds if kind in found)))


def redact_text(text: str) -> str:
    return redact(text).text


def has_placeholder(text: str) -> bool:
    """Whether ``text`` already holds a placeholder (it was redacted before)."""
    return bool(_ANY_PLACEHOLDER.search(text or ""))


# --------------------------------------------------------------------------- spans


Span = tuple[int, int, str]


def _view(text: str) -> tuple[str, list[int] | range]:
    """``text`` as the detectors read it (ASCII twins, no invisible characters), and where each of its characters is."""
    if not _INVISIBLE.intersection(text):
        return text.translate(_ASCII_VIEW), range(len(text))
    where = [i for i, char in enumerate(text) if char not in _INVISIBLE]
    return "".join(text[i] for i in where).translate(_ASCII_VIEW), where


def _item_spans(view: str) -> list[Span]:
    """Non-overlapping spans of personal data in ``view``; earlier detectors win an overlap."""
    taken: list[Span] = []
    for kind, finder in _detectors():
        for start, end in finder(view):
            if all(end <= s or start >= e for s, e, _ in taken):
                taken.append((start, end, kind))
    return taken


def _replace(text: str, spans: list[Span]) -> str:
    for start, end, kind in sorted(spans, reverse=True):
        text = text[:start] + PLACEHOLDERS[kind] + text[end:]
    return text


def _detectors() -> list[tuple[str, Callable[[str], Iterator[tuple[int, int]]]]]:
    return [
        ("email", _emails),
        ("id_number", _id_numbers),
        ("phone", _phones),
        ("address", _addresses),
    ]


def _spans(pattern: re.Pattern, text: str, group: int | str = 0) -> Iterator[tuple[int, int]]:
    for match in pattern.finditer(text):
        yield match.span(group)


# --------------------------------------------------------------------------- e-mails


def _emails(view: str) -> Iterator[tuple[int, int]]:
    yield from _spans(_patterns()["email"], view)
    # Spelled out. A plain "at" is also a word ("temperature at 0.7", "look at openai.com"), so it makes an
    # address only with a common ending and a spelled-out dot ("northfield dot org") or an e-mail word before.
    patterns = _patterns()
    for match in patterns["spelled_email"].finditer(view):
        if match.group("at").strip().lower() == "at":
            if match.group("ending").lower() not in patterns["email_endings"]:
                continue
            if not patterns["spelled_dot"].search(match.group()) and not patterns["email_cue"].search(
                view, max(0, match.start() - 24), match.start()
            ):
                continue
        yield match.span()


# --------------------------------------------------------------------------- ID numbers and phones


def _id_numbers(view: str) -> Iterator[tuple[int, int]]:
    for match in _patterns()["id18"].finditer(view):
        digits = re.sub(r"[ -]", "", match.group()).upper()
        if _valid_birth(digits[6:14]) and _check_digit(digits[:17]) == digits[17]:
            yield match.span()
    for match in _patterns()["id15"].finditer(view):
        if _valid_birth("19" + match.group()[6:12]):
            yield match.span()


def _check_digit(first17: str) -> str:
    return _CHECK_CODES[sum(int(d) * w for d, w in zip(first17, _CHECK_WEIGHTS)) % 11]


def _valid_birth(yyyymmdd: str) -> bool:
    try:
        born = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return 1900 <= born.year <= date.today().year


def _phones(view: str) -> Iterator[tuple[int, int]]:
    yield from _digit_phones(view)
    if _patterns()["hanzi_digits"].search(view):  # "一三八一二三四五六七八": read again with numerals as digits
        yield from _digit_phones(view.translate(_HANZI_DIGITS))


def _digit_phones(view: str) -> Iterator[tuple[int, int]]:
    patterns = _patterns()
    yield from _spans(patterns["cn_mobile"], view)  # first, or "00" inside "139 0012 3456" would start an international one
    for match in patterns["intl_phone"].finditer(view):
        if 8 <= sum(c.isdigit() for c in match.group()) <= 15:
            yield match.span()
    for name in ("cn_landline", "nanp_phone"):
        yield from _spans(patterns[name], view)
    yield from _spans(patterns["cued_phone"], view, "number")


def _addresses(view: str) -> Iterator[tuple[int, int]]:
    yield from _spans(_patterns()["en_address"], view)
    # A Chinese address ends in a road and a number ("建国路88号"); it starts where the place names
    # before the road start. Walking back from the road keeps this linear in the text's length.
    place = _patterns()["zh_place"]
    for match in _patterns()["zh_address_tail"].finditer(view):
        start = match.start()
        while start > 0 and match.start() - start < ZH_PLACE_CHARS and place.match(view, start - 1):
            start -= 1
        if start < match.start():
            yield start, match.end()


# --------------------------------------------------------------------------- names attached to an item


def _name_spans(redacted: str) -> list[Span]:
    """The names attached to a placeholder in ``redacted``, without words that are never names."""
    spans: list[Span] = []
    not_names = {w.lower() for w in _words()["en"]["not_names"]}
    for pattern in _patterns()["names"]:
        for match in pattern.finditer(redacted):
            start, end = match.span("name")
            for word in re.finditer(r"\S+", match.group("name")):
                if word.group().lower() not in not_names:
                    break
                start = match.start("name") + word.end()  # "Call Li Wei" -> "Li Wei"
            start += len(redacted[start:end]) - len(redacted[start:end].lstrip())
            if start < end and all(end <= s or start >= e for s, e, _ in spans):
                spans.append((start, end, "name"))
    for pattern, fewest_words in _patterns()["lowercase_names"]:
        for match in pattern.finditer(redacted):
            span = _lowercase_name(redacted, match, fewest_words)
            if span and all(span[1] <= s or span[0] >= e for s, e, _ in spans):
                spans.append((*span, "name"))
    return spans


def _lowercase_name(redacted: str, match: re.Match, fewest_words: int | None) -> tuple[int, int] | None:
    """The span of a name in any case, without the words before it that are no names ("my classmate anna keller").

    None when a word of it is never a name, or when it has fewer than ``fewest_words`` words and no word such
    as "classmate" or "named" stands right before it (None: that word is always needed).
    """
    words = _words()["en"]
    people = {w.lower() for w in words["person_words"]}
    never = people | {w.lower() for w in words["not_names"] + words["not_lowercase_names"]}
    name = list(re.finditer(r"\S+", match.group("name")))
    cued = False
    while name and name[0].group().lower().rstrip(".") in never:
        cued = name.pop(0).group().lower().rstrip(".") in people
    if not name or any(word.group().lower() in never or "." in word.group() for word in name):
        return None
    if not cued:
        before = _patterns()["word_before"].search(redacted, max(0, match.start("name") - 24), match.start("name"))
        cued = bool(before) and before.group(1).lower() in people
    if not cued and (fewest_words is None or len(name) < fewest_words):
        return None
    return match.start("name") + name[0].start(), match.start("name") + name[-1].end()


# --------------------------------------------------------------------------- patterns, built once from the word lists


@cache
def _words(path: Path = WORDS_FILE) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _any(words: list[str], ignore_case: bool = False) -> str:
    """An alternation of ``words``, longest first, spaces matching any run of spaces."""
    alternation = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(set(words), key=len, reverse=True))
    return f"(?i:{alternation})" if ignore_case else f"(?:{alternation})"


@cache
def _patterns() -> dict:
    en, zh = _words()["en"], _words()["zh"]
    return {
        "email": _email_pattern(),
        "spelled_email": _spelled_email_pattern(),
        "spelled_dot": re.compile(r"\s(?i:dot)\s|[\[({<]\s*(?i:dot)|点"),
        "email_cue": re.compile(r"(?i:e-?mail|mail)|邮箱|邮件|电邮"),
        "email_endings": frozenset(_words()["email"]["spelled_endings"]),
        "hanzi_digits": re.compile(rf"[{_HANZI_NUMERALS}](?:[\s-]?[{_HANZI_NUMERALS}]){{6}}"),  # 7 in a row
        "id18": re.compile(r"(?<![0-9A-Za-z])\d{6}[ -]?\d{8}[ -]?\d{3}[0-9Xx](?![0-9A-Za-z])"),
        "id15": re.compile(r"(?<![0-9A-Za-z])\d{15}(?![0-9A-Za-z])"),
        "intl_phone": re.compile(_NOT_BEFORE + r"(?:\+|00)\d{1,3}(?:[\s.-]?\(?\d{1,4}\)?){2,5}" + _NOT_AFTER),
        "cn_mobile": re.compile(_NOT_BEFORE + r"(?:\(?(?:\+|00)\s?86\)?[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}" + _NOT_AFTER),
        "cn_landline": re.compile(_NOT_BEFORE + r"(?:\(0\d{2,3}\)|0\d{2,3})[\s-]?\d{3,4}[\s-]?\d{4}" + _NOT_AFTER),
        "nanp_phone": re.compile(_NOT_BEFORE + r"(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}" + _NOT_AFTER),
        "cued_phone": re.compile(
            r"(?:(?<![A-Za-z])(?i:phone|tel|mobile|cell|call|text|whatsapp|wechat)|电话|手机|号码|微信|联系方式)"
            + r"[\s:：#=是为]*(?:(?i:number|no\.?|num|is|me|at|on)\b[\s:：#=]*){0,3}"
            + r"(?P<number>(?<![0-9.])(?:\d[\s-]?){6,14}\d)"
            + _NOT_AFTER
        ),
        "en_address": re.compile(_en_address(en)),
        "zh_address_tail": re.compile(_zh_address_tail(zh)),
        "zh_place": re.compile(f"(?![{zh['not_place_chars']}])[{CJK_CHARS}]"),
        "names": _name_patterns(en, zh),
        "lowercase_names": _lowercase_name_patterns(en),
        "word_before": re.compile(r"([A-Za-z-]+)\.?\s+$"),
    }


def _email_pattern() -> re.Pattern:
    label = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    at = r"\s*(?:@|[\[(]\s*(?i:at)\s*[\])])\s*"
    dot = r"(?:\.|\s*[\[(]\s*(?i:dot)\s*[\])]\s*)"
    return re.compile(rf"(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*{at}{label}(?:{dot}{label})*{dot}[A-Za-z]{{2,}}\b")


def _spelled_email_pattern() -> re.Pattern:
    """Addresses spelled out: "anna dot keller at northfield dot org", "anna (at) northfield.org", "anna 艾特 qq 点 com"."""
    label = r"[A-Za-z0-9](?:[A-Za-z0-9_%+-]*[A-Za-z0-9])?"
    dot = r"(?:\.|\s*[\[({<]\s*(?i:dot)\s*[\])}>]\s*|\s+(?i:dot)\s+|\s*点\s*)"
    at = r"(?P<at>\s*[\[({<]\s*(?i:at)\s*[\])}>]\s*|\s+(?i:at)\s+|\s*艾特\s*)"
    return re.compile(
        rf"(?<![A-Za-z0-9._%+-]){label}(?:{dot}{label}){{0,4}}{at}{label}(?:{dot}{label}){{0,3}}{dot}"
        r"(?P<ending>[A-Za-z]{2,6})(?![A-Za-z0-9])"
    )


def _en_address(en: dict) -> str:
    name_word = rf"(?:\d+(?i:st|nd|rd|th)|(?!{_any(en['not_street_name'], True)}\b)[A-Za-z][A-Za-z'.-]*)"
    street = rf"(?:{_any(en['street_words'], True)}|{_any(en['capitalised_street_words'])})"
    unit = rf"(?:,?\s*{_any(en['unit_words'], True)}\.?\s*#?\s*[0-9A-Za-z-]{{1,6}}\b)?"
    return rf"(?<![0-9A-Za-z])\d{{1,5}}[A-Za-z]?(?:-\d{{1,5}})?\s+(?:{name_word}\s+){{1,4}}{street}\b\.?{unit}"


def _zh_address_tail(zh: dict) -> str:
    number = r"[0-9一二三四五六七八九十百零〇]+"
    unit = rf"\s*{number}\s*{_any(zh['unit_words'])}"
    return rf"{_any(zh['road_words'])}{unit}(?:\s*[-—]?{unit})*"


def _name_patterns(en: dict, zh: dict) -> list[re.Pattern]:
    word = r"(?:[A-Z][a-z]*[-'’](?=[A-Z]))?[A-Z][a-z]+"  # "O'Brien", "Jean-Luc"; "Wei's" is "Wei" and "'s"
    name = rf"(?P<name>{word}(?:\s+{word}){{0,2}})"
    full_name = rf"(?P<name>{word}(?:\s+{word}){{1,2}})"
    field = _any(en["field_words"], True)
    is_ = r"\s*(?:(?i:is|was|are)\s+|[:=]\s*|-\s*)?(?:(?i:at|on)\s+)?"
    zh_name = rf"(?P<name>{_any(zh['surnames'])}(?:(?![的是在住])[{CJK_CHARS}]){{1,2}})"
    zh_field = _any(zh["field_words"])
    return [
        re.compile(rf"{name}(?:'s|’s|s')\s+{field}{is_}{_ITEM}"),
        re.compile(rf"{field}\s+(?i:of|for)\s+{name}{is_}{_ITEM}"),
        re.compile(rf"{_any(en['contact_verbs'], True)}\s+{name}\s+(?:(?i:at|on|via|by)\s+|:\s*){_ITEM}"),
        re.compile(rf"{name}\s+{_any(en['live_verbs'], True)}\s+(?:(?i:at|on|in)\s+)?{_ITEM}"),
        re.compile(rf"{full_name}\s*[:,(<-]\s*{_ITEM}"),
        re.compile(rf"{full_name}\s*[,;]\s*{field}\s*[:=]?\s*{_ITEM}"),
        re.compile(rf"{_ITEM}\s+(?i:is|belongs\s+to)\s+{name}(?:'s|’s)?"),
        re.compile(rf"{zh_name}(?:的|\s*[，,、]\s*)?{zh_field}\s*(?:是|为|：|:)?\s*{_ITEM}"),
        re.compile(rf"{zh_name}\s*(?:{_any(zh['live_verbs'])}|是|：|:|，|,|（|\()\s*{_ITEM}"),
        re.compile(rf"{_ITEM}\s*(?:是|属于)\s*{zh_name}"),
    ]


def _lowercase_name_patterns(en: dict) -> list[tuple[re.Pattern, int | None]]:
    """Names in any case next to an item, with the fewest words they need without a word like "classmate" before."""
    word = r"(?!(?i:is|was|at|on|of|for)\b)(?:[A-Za-z][a-z]*[-'’](?=[A-Za-z]))?[A-Za-z][a-z]+"
    name = rf"(?<![A-Za-z'’-])(?P<name>{word}\.?(?:\s+{word}){{0,2}})"  # "mr. smith"
    field = _any(en["field_words"], True)
    is_ = r"\s*(?:(?i:is|was)\s+|[:=]\s*|-\s*)?(?:(?i:at|on)\s+)?"
    return [
        (re.compile(rf"{name}(?:'s|’s)\s+{field}{is_}{_ITEM}"), 1),  # "my classmate anna keller's number is ..."
        (re.compile(rf"{field}\s+(?i:of|for)\s+{name}{is_}{_ITEM}"), 2),  # "email of tom smith: ..."
        (re.compile(rf"{_any(en['contact_verbs'], True)}\s+{name}\s+(?:(?i:at|on|via|by)\s+|:\s*){_ITEM}"), 2),
        (re.compile(rf"{name}\s+{_any(en['lowercase_live_verbs'], True)}\s+(?:(?i:at|on|in)\s+)?{_ITEM}"), 2),
        (re.compile(rf"{name}\s*[:,(<-]\s*{_ITEM}"), None),  # "my friend tom (tom@example.com)"
        (re.compile(rf"{_ITEM}\s+(?i:is|belongs\s+to)\s+{name}(?:'s|’s)"), 1),  # "[phone] is tom's"
    ]
