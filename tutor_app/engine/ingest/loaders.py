"""Read one course file into clean Markdown-like text plus its front matter.

Handles Markdown, plain text, HTML and PDF. The file's content is sniffed (the
extension is not trusted alone): binary data, empty files, files over the size
limit and unreadable PDFs raise ``IngestError`` with a one-line reason.
Text that is not UTF-8 but valid GB18030 (GBK) is decoded with a notice.
HTML text a reader cannot see is dropped, so a hidden instruction never
becomes passage text: comments, <script>, <style>, <template>, <noscript>,
and elements hidden by the ``hidden`` or ``aria-hidden="true"`` attribute or by
their style (display:none, visibility:hidden, opacity:0, a zero font size, a
transparent colour or one that matches the background, set on the element or
an ancestor, white by default; off-screen positions). The style is the inline
one on top of the page's <style> sheets, of which only simple rules are read:
a tag, ``.class``, ``#id`` or a combination such as ``p.note``, in comma lists
(``style_rules``); descendant or pseudo-class selectors, at-rules (@media…) and
print-only sheets are ignored, so they neither hide nor show text. Inside an
element whose background cannot be read (an image, a gradient, a variable) no
colour is judged. The same hidden elements (and <template>, <style>) are removed
from inline HTML in Markdown prose, not from code; there a colour is compared
with the element's own background or white, not with an ancestor's.
Fenced code blocks follow CommonMark (``text.fenced_lines``): a fence closes only
with the same character, at least as many, and nothing after it; an unclosed
fence runs to the end. Hostile text is defused at load: a file with nothing
visible (only blanks, zero-width, bidi or Unicode tag characters) is refused
like an empty one; Unicode tag characters and bidi controls are removed; links
to ``javascript:``, ``vbscript:`` or ``data:`` URLs keep their text and lose
the URL, in Markdown and inline HTML alike, outside code (``neutralise_links``).
Malformed front matter is dropped with a notice and the body kept.
This module does not split or chunk; ``chunking`` does.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import yaml

from tutor_app.core.errors import IngestError
from tutor_app.core.i18n import Notice
from tutor_app.core.schemas import Objective
from tutor_app.engine.text import detect_lang, fenced_lines

SUPPORTED_SUFFIXES = {".md", ".markdown", ".txt", ".html", ".htm", ".pdf"}


@dataclass
class LoadedDocument:
    text: str  # Markdown-like: headings as '#' lines
    title: str
    lang: str
    lesson_id: str
    file_hash: str
    objectives: list[Objective] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)  # indexed, with a remark (a guessed encoding, ...)


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls > len(sample) * 0.02


def decode_text(data: bytes, name: str) -> tuple[str, list[str]]:
    if _looks_binary(data):
        raise IngestError.keyed("ingest_binary", "ingest_fix_utf8_text", name=name)
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise IngestError.keyed(
            "ingest_not_utf8", "ingest_fix_resave_utf8", name=name, reason=exc.reason, start=exc.start
        ) from exc
    return text, [Notice.of("ingest_note_gb18030", name=name)]


_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)", re.S)


def split_front_matter(text: str, name: str, notices: list[Notice] | None = None) -> tuple[dict, str]:
    """(front matter, body). Front matter that is not a YAML mapping is dropped, the body kept, and a notice
    appended to ``notices``: one bad line must not cost the whole lesson."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        meta = yaml.safe_load(match.group(1)) or {}
        problem = None if isinstance(meta, dict) else Notice.of("ingest_note_front_matter_not_mapping", name=name)
    except yaml.YAMLError as exc:
        problem = Notice.of("ingest_note_front_matter_yaml", name=name, error=exc.__class__.__name__)
    if problem is not None:
        if notices is not None:
            notices.append(problem)
        return {}, text[match.end() :]
    return meta, text[match.end() :]


def _scalar(meta: dict, key: str) -> str:
    """A front matter value as text; lists, mappings and other structures give '' (a title is not a list)."""
    value = meta.get(key)
    return str(value) if isinstance(value, (str, int, float)) and not isinstance(value, bool) else ""


_MD_CLEANUPS = [
    (re.compile(r"<!--.*?-->", re.S), ""),  # HTML comments
    (re.compile(r"\[!\[[^\]]*\]\([^)]*\)\]\([^)]*\)"), ""),  # linked badges (before images)
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # images -> alt text
    (re.compile(r"\[([^\]]*)\]\((?:[^()]|\([^()]*\))*\)"), r"\1"),  # links -> text (inner parentheses: linear time)
    (re.compile(r"</?(?:img|a|br|p|div|span|sup|sub|b|i|em|strong)\b[^<>]*>", re.I), ""),  # [^<>]: linear time
    (re.compile(r"[ \t]+\n"), "\n"),
    (re.compile(r"\n{3,}"), "\n\n"),
]


def split_code_fences(text: str) -> list[str]:
    """``text`` cut into prose (even indexes) and fenced code blocks (odd indexes); joined, they give ``text`` back.

    The line breaks around a code block belong to the prose next to it."""
    lines = text.split("\n")
    flags = fenced_lines(lines)
    parts: list[str] = []
    start = 0
    for end in range(1, len(lines) + 1):
        if end < len(lines) and flags[end] == flags[start]:
            continue
        run = "\n".join(lines[start:end])  # one run of prose or code lines
        if flags[start]:
            if not parts:
                parts.append("")
            elif start:
                parts[-1] += "\n"
            parts.append(run)
        else:
            parts.append(("\n" if start else "") + run)
        start = end
    if len(parts) % 2 == 0:
        parts.append("")
    return parts


_UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:")


def unsafe_url(value: str, anywhere: bool = False) -> bool:
    """True for a ``javascript:``, ``vbscript:`` or ``data:`` URL, read as a browser would (entities decoded,
    blanks and control characters ignored, any case); ``anywhere`` also finds a script URL inside the value
    (``url(javascript:…)`` in a style)."""
    value = re.sub(r"[\x00-\x20\x7f-\x9f]+", "", html.unescape(value)).lower().lstrip("<\"'")
    return value.startswith(_UNSAFE_SCHEMES) or (anywhere and bool(re.search(r"(?:java|vb)script:", value)))


_LINK_START = re.compile(r"(!?)\[([^\[\]\n]*)\]\(")
_REFERENCE = re.compile(r"^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*(\S+)[^\n]*\n?", re.M)
_AUTOLINK = re.compile(r"<([a-zA-Z][a-zA-Z0-9+.\-]{1,31}:[^\s<>]*)>")
_TAG = re.compile(r"""<[a-zA-Z][^\s/<>"']*(?:"[^"]*"|'[^']*'|[^"'<>])*>""")  # quotes may hold '>'
_ATTRIBUTE = re.compile(r"""([\s/]([^\s"'<>/=]+)\s*=\s*)("[^"]*"|'[^']*'|[^\s"'<>`=]+)""")


def _neutralise_attribute(attribute: re.Match) -> str:
    value = attribute.group(3).strip("\"'")
    if attribute.group(2).lower().startswith("on") or unsafe_url(value, anywhere=True):
        return attribute.group(1) + '""'
    return attribute.group(0)


def _neutralise_inline_links(text: str) -> str:
    """``[text](url)`` and ``![alt](url)`` with an unsafe URL become their text; parentheses in the URL may nest."""
    pieces, pos = [], 0
    for match in _LINK_START.finditer(text):
        if match.start() < pos:
            continue
        if not unsafe_url(text[match.end() : match.end() + 200]):  # the scheme comes first: most links stop here
            continue
        depth, end = 1, match.end()
        while end < len(text) and depth and text[end] != "\n":
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            end += 1
        pieces.append(text[pos : match.start()] + match.group(2))  # unclosed, the URL runs to the end of the line
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces)


def _neutralise_prose(text: str) -> str:
    text = _neutralise_inline_links(text)
    text = _REFERENCE.sub(lambda m: "" if unsafe_url(m.group(1)) else m.group(0), text)
    text = _AUTOLINK.sub(lambda m: "" if unsafe_url(m.group(1)) else m.group(0), text)
    return _TAG.sub(lambda tag: _ATTRIBUTE.sub(_neutralise_attribute, tag.group(0)), text)


def neutralise_links(markdown: str) -> str:
    """Drop ``javascript:``, ``vbscript:`` and ``data:`` URLs from prose, keeping the link text.

    Inline links and images keep their text, such reference definitions and autolinks go, and an HTML attribute
    holding one (``href``, ``src``, ``action``, a style's ``url(…)``…) is emptied, as is every event handler
    (``onclick``…). Code blocks and inline code stay verbatim: a lesson may show an attack as an example."""
    parts = split_code_fences(markdown)
    for i in range(0, len(parts), 2):
        spans = _INLINE_CODE.split(parts[i])
        parts[i] = "".join(span if k % 2 else _neutralise_prose(span) for k, span in enumerate(spans))
    return "".join(parts)


def clean_markdown(text: str) -> str:
    """Strip Markdown decoration outside fenced code blocks; code samples stay verbatim."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    parts = split_code_fences(neutralise_links(text))
    rules = style_rules(" ".join(_INLINE_CODE.sub("", part) for part in parts[::2]))
    for i in range(0, len(parts), 2):  # even parts are prose, odd parts are code fences
        parts[i] = drop_hidden_elements(parts[i], rules)
        for pattern, replacement in _MD_CLEANUPS:
            parts[i] = pattern.sub(replacement, parts[i])
    return "".join(parts).strip()


_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_NAMED_COLOURS = {
    "white": (255, 255, 255),
    "black": (0, 0, 0),
    "snow": (255, 250, 250),
    "ivory": (255, 255, 240),
    "whitesmoke": (245, 245, 245),
    "red": (255, 0, 0),
    "green": (0, 128, 0),
    "blue": (0, 0, 255),
    "yellow": (255, 255, 0),
    "gray": (128, 128, 128),
    "grey": (128, 128, 128),
    "silver": (192, 192, 192),
}
_WHITE = (255, 255, 255)
_UNKNOWN = (-1, -1, -1, 1.0)  # a background that cannot be read: no text colour is judged against it
_TOO_CLOSE = 12  # per RGB channel: text this close to its background cannot be read


def _css(style: str) -> dict[str, str]:
    """Inline style declarations, lower-cased, without ``!important``."""
    declarations = {}
    for part in (style or "").split(";"):
        name, _, value = part.partition(":")
        if value.strip():
            declarations[name.strip().lower()] = value.lower().replace("!important", "").strip()
    return declarations


def _colour(value: str) -> tuple | None:
    """(r, g, b, alpha) of a CSS colour, or None when it is not one this module knows."""
    value = value.strip()
    if value == "transparent":
        return (0, 0, 0, 0.0)
    if value in _NAMED_COLOURS:
        return (*_NAMED_COLOURS[value], 1.0)
    if match := re.fullmatch(r"#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})", value):
        digits = match.group(1)
        if len(digits) <= 4:
            digits = "".join(d * 2 for d in digits)
        channels = [int(digits[i : i + 2], 16) for i in range(0, len(digits), 2)]
        return (*channels[:3], channels[3] / 255 if len(channels) == 4 else 1.0)
    if match := re.fullmatch(r"(?:rgba?|hsla?)\((.*)\)", value):
        numbers = re.split(r"[\s,/]+", match.group(1).strip())
        alpha = numbers[3] if len(numbers) > 3 else "1"
        alpha_value = float(alpha.rstrip("%")) / (100 if alpha.endswith("%") else 1) if re.fullmatch(r"[\d.]+%?", alpha) else 1.0
        if value.startswith("hsl"):
            return (-1, -1, -1, alpha_value)  # only its transparency is judged
        try:
            rgb = [round(float(n.rstrip("%")) * (2.55 if n.endswith("%") else 1)) for n in numbers[:3]]
        except ValueError:
            return None
        return (*rgb, alpha_value)
    return None


def _background(css: dict[str, str]) -> tuple | None:
    for name in ("background-color", "background"):
        if re.search(r"url\(|gradient\(|var\(", css.get(name, "")):
            return _UNKNOWN
        if name in css:
            for word in re.findall(r"#[0-9a-f]+|(?:rgba?|hsla?)\([^)]*\)|[a-z]+", css[name]):
                if (colour := _colour(word)) is not None:
                    return colour
    return None


def _zero(value: str) -> bool:
    """'0', '0px', '0.0em', '0%'… (any unit)."""
    return bool(re.fullmatch(r"[+-]?(?:0+\.?0*|\.0+)(?:[a-z]+|%)?", value.strip()))


def _invisible_colour(text: tuple | None, background: tuple) -> bool:
    if text is None:
        return False
    if text[3] < 0.1:
        return True
    return text[0] >= 0 and all(abs(a - b) <= _TOO_CLOSE for a, b in zip(text[:3], background[:3]))


def _off_screen(css: dict[str, str]) -> bool:
    for name in ("left", "top", "text-indent", "margin-left"):
        if match := re.fullmatch(r"-(\d+(?:\.\d+)?)(px|em|rem)", css.get(name, "")):
            if float(match.group(1)) * (1 if match.group(2) == "px" else 16) >= 1000:
                return True
    return False


_SIMPLE_SELECTOR = re.compile(r"([a-zA-Z][a-zA-Z0-9]*)?((?:[.#][\w-]+)*)")
Rule = tuple[int, str, frozenset, str, dict]  # (rank, tag or '', classes, id or '', declarations) of one simple CSS rule
StyleRules = dict[str, list[Rule]]  # filed under the id ('#x'), else a class ('.x'), else the tag each rule names


def _blocks(sheet: str) -> list[tuple[str, str]]:
    """(selectors, declarations) of a style sheet's top-level rules; at-rules (@media, @supports…) are left out."""
    sheet = re.sub(r"/\*.*?\*/", "", sheet, flags=re.S)
    blocks, depth, start, head = [], 0, 0, ""
    for i, char in enumerate(sheet):
        if char == "{":
            if depth == 0:
                head, start = sheet[start:i].rsplit(";", 1)[-1].strip(), i + 1  # after '@import …;' statements
            depth += 1
        elif char == "}" and depth:
            depth -= 1
            if depth == 0:
                if not head.startswith("@"):
                    blocks.append((head, sheet[start:i]))
                start = i + 1
    return blocks


def style_rules(html: str) -> StyleRules:
    """The simple rules of the <style> sheets in ``html`` (see the module docstring), ranked least specific first."""
    found = []
    html = re.sub(r"<!--.*?-->", "", html, flags=re.S)
    for attributes, sheet in re.findall(r"<style\b([^>]*)>(.*?)</style\s*>", html, re.S | re.I):
        if re.search(r"\bmedia\s*=\s*[\"']?\s*(?!all\b|screen\b)", attributes, re.I):
            continue  # a print (or other medium) sheet
        for selectors, body in _blocks(sheet):
            for selector in (s.strip() for s in selectors.split(",")):
                match = _SIMPLE_SELECTOR.fullmatch(selector)
                if not selector or not match:
                    continue
                names = re.findall(r"([.#])([\w-]+)", match.group(2))
                classes = frozenset(n for kind, n in names if kind == ".")
                ids = {n for kind, n in names if kind == "#"}
                if len(ids) <= 1:
                    specificity = (len(ids), len(classes), bool(match.group(1)))
                    found.append((specificity, (match.group(1) or "").lower(), classes, "".join(ids), _css(body)))
    found.sort(key=lambda item: item[0])  # stable: a later rule of the same specificity wins
    rules: StyleRules = {}
    for rank, (_, tag, classes, ident, declarations) in enumerate(found):
        key = f"#{ident}" if ident else f".{min(classes)}" if classes else tag
        rules.setdefault(key, []).append((rank, tag, classes, ident, declarations))
    return rules


def _element_css(tag: str, attrs: dict[str, str | None], rules: StyleRules) -> dict[str, str]:
    """The declarations the style sheet rules give this element, with its inline style on top."""
    classes = set((attrs.get("class") or "").split())
    keys = [tag, f"#{attrs.get('id')}", *(f".{name}" for name in classes)]
    css: dict[str, str] = {}
    for _, rule_tag, rule_classes, rule_id, declarations in sorted(rule for key in keys for rule in rules.get(key, ())):
        if rule_tag in ("", tag) and rule_classes <= classes and rule_id in ("", attrs.get("id")):
            css.update(declarations)
    css.update(_css(attrs.get("style") or ""))
    return css


def _hides(attrs: dict[str, str | None], css: dict[str, str], background: tuple) -> bool:
    """True when an element with these attributes and declarations shows none of its text (see the module docstring)."""
    if "hidden" in attrs or (attrs.get("aria-hidden") or "").strip().lower() == "true":
        return True
    if css.get("display") == "none" or css.get("visibility") in ("hidden", "collapse"):
        return True
    if _zero(css.get("opacity", "1")) or _zero(css.get("font-size", "1")) or _off_screen(css):
        return True
    text = _colour(css["color"]) if "color" in css else _colour((attrs.get("color") or "").lower())
    return _invisible_colour(text, _background(css) or background)


_START_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)\b([^<>]*)>")
_INLINE_CODE = re.compile(r"(`[^`\n]*`)")


def _start_tag_attributes(tag_text: str) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    parser = HTMLParser()
    parser.handle_starttag = lambda tag, attrs: found.update(attrs)
    parser.feed(tag_text)
    parser.close()
    return found


def _element_end(text: str, tag: str, pos: int) -> int:
    """Where the element opened just before ``pos`` ends; unclosed, it ends with its paragraph."""
    depth = 1
    for match in re.finditer(rf"<(/?){re.escape(tag)}\b[^<>]*>", text[pos:], re.I):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            return pos + match.end()
    blank = text.find("\n\n", pos)
    return blank if blank >= 0 else len(text)


def _drop_hidden_in(text: str, rules: StyleRules) -> str:
    pieces, pos = [], 0
    while match := _START_TAG.search(text, pos):
        tag = match.group(1).lower()
        attrs = _start_tag_attributes(match.group(0))
        hidden = tag in ("template", "style") or _hides(attrs, _element_css(tag, attrs, rules), _WHITE)  # own background
        if tag in _VOID or match.group(2).rstrip().endswith("/") or not hidden:
            pieces.append(text[pos : match.end()])
            pos = match.end()
            continue
        pieces.append(text[pos : match.start()])
        pos = _element_end(text, tag, match.end())
    pieces.append(text[pos:])
    return "".join(pieces)


def drop_hidden_elements(markdown: str, rules: StyleRules | None = None) -> str:
    """Remove inline HTML elements that hide their text (the same rules as HTML files) from Markdown prose.

    ``rules`` come from the document's <style> sheets (``style_rules``). Inline code spans are left alone:
    a lesson may show ``<p hidden>`` as an example."""
    parts = _INLINE_CODE.split(markdown)
    return "".join(part if i % 2 else _drop_hidden_in(part, rules or {}) for i, part in enumerate(parts))


class _HtmlToMarkdown(HTMLParser):
    _SKIP = {"script", "style", "noscript", "template", "head", "nav", "footer"}
    _BLOCK = {"p", "div", "li", "tr", "br", "section", "article", "pre", "table", "ul", "ol"}

    def __init__(self, rules: StyleRules | None = None) -> None:
        super().__init__(convert_charrefs=True)
        self.rules = rules or {}  # the page's simple <style> rules
        self.parts: list[str] = []
        self.skip_depth = 0
        self.title = ""
        self._in_title = False
        self.hidden: list | None = None  # [tag, open count] of the outermost hidden element
        self.backgrounds: list[list] = []  # [tag, open count, colour] of elements that set a background

    def _track(self, tag: str, attrs: dict[str, str | None]) -> None:
        """Follow hidden elements and backgrounds; counting same-name tags copes with nesting and unclosed siblings."""
        if self.hidden is not None:
            self.hidden[1] += self.hidden[0] == tag
            return
        if self.backgrounds and self.backgrounds[-1][0] == tag:
            self.backgrounds[-1][1] += 1
        if tag in _VOID:
            return
        background = self.backgrounds[-1][2] if self.backgrounds else _WHITE
        css = _element_css(tag, attrs, self.rules)
        if _hides(attrs, css, background):
            self.hidden = [tag, 1]
        elif (own := _background(css) or _colour((attrs.get("bgcolor") or "").lower())) and own[3]:
            self.backgrounds.append([tag, 1, own])

    def _untrack(self, tag: str) -> None:
        if self.hidden is not None:
            self.hidden[1] -= self.hidden[0] == tag
            if self.hidden[1] <= 0:
                self.hidden = None
        elif self.backgrounds and self.backgrounds[-1][0] == tag:
            self.backgrounds[-1][1] -= 1
            if self.backgrounds[-1][1] <= 0:
                self.backgrounds.pop()

    def handle_starttag(self, tag, attrs):
        self._track(tag, dict(attrs))
        if self.hidden is not None:
            return
        if tag in self._SKIP:
            self.skip_depth += 1
        if tag == "title":
            self._in_title = True
        if re.fullmatch(r"h[1-6]", tag):
            self.parts.append("\n\n" + "#" * int(tag[1]) + " ")
        elif tag in self._BLOCK:
            self.parts.append("\n" + ("- " if tag == "li" else ""))

    def handle_endtag(self, tag):
        was_hidden = self.hidden is not None
        self._untrack(tag)
        if was_hidden:  # its start tag was not counted either
            return
        if tag in self._SKIP and self.skip_depth:
            self.skip_depth -= 1
        if tag == "title":
            self._in_title = False
        if re.fullmatch(r"h[1-6]", tag) or tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if self._in_title:
            self.title += data.strip()
        elif not self.skip_depth and self.hidden is None:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_markdown(html: str) -> tuple[str, str]:
    parser = _HtmlToMarkdown(style_rules(html))
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    text = re.sub(r"\n[ \t]+", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip(), parser.title


def pdf_to_text(data: bytes, name: str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [(page.extract_text() or "").strip() for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise IngestError.keyed("ingest_pdf_damaged", "ingest_fix_reexport", name=name, error=exc.__class__.__name__) from exc
    if not any(pages):
        raise IngestError.keyed("ingest_pdf_no_text", "ingest_fix_ocr", name=name)
    return "\n\n".join(f"## Page {i}\n\n{text}" for i, text in enumerate(pages, 1) if text)


# A character a reader can see: not a blank, a control, a zero-width or bidi format character, a variation
# selector, a blank-looking letter (Hangul fillers, the Braille blank) or a Unicode tag character.
_VISIBLE = re.compile(
    "[^\\s\x00-\x1f\x7f-\xa0\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u2000-\u200f\u2028-\u202f"
    "\u205f-\u206f\u2800\u3000\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0000-\U000e0fff]"
)
# Removed from lesson text: Unicode tag characters (invisible ASCII a model still reads) and bidi embeddings,
# overrides and isolates (they make text read differently from how it is stored).
_HIDDEN_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\U000e0000-\U000e007f]")


def has_visible_text(text: str) -> bool:
    return _VISIBLE.search(text) is not None


def remove_hidden_controls(text: str) -> tuple[str, int]:
    """``text`` without Unicode tag characters and bidi controls, and how many were removed."""
    return _HIDDEN_CONTROLS.subn("", text)


def size_values(name: str, data: bytes, max_bytes: int) -> dict[str, str]:
    """The values of an over-the-limit message: the file's size and the limit, in MB."""
    return {"name": name, "size": f"{len(data) / 1048576:.2f}", "limit": f"{max_bytes / 1048576:g}"}


def load_bytes(data: bytes, name: str, max_bytes: int) -> LoadedDocument:
    """Turn the raw bytes of a file called ``name`` into a LoadedDocument."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise IngestError.keyed(
            "ingest_unsupported",
            "ingest_fix_supported",
            name=name,
            suffix=suffix or "—",
            supported=", ".join(sorted(SUPPORTED_SUFFIXES)),
        )
    if len(data) > max_bytes:
        raise IngestError.keyed("ingest_too_big", "ingest_fix_split", **size_values(name, data, max_bytes))
    if not data.strip():
        raise IngestError.keyed("ingest_empty", "ingest_fix_add_content", name=name)
    notices: list[Notice] = []
    html_title = ""
    if data.startswith(b"%PDF-"):
        body, meta = pdf_to_text(data, name), {}
    elif suffix == ".pdf":
        raise IngestError.keyed("ingest_not_pdf", "ingest_fix_pdf_or_extension", name=name)
    else:
        text, notices = decode_text(data, name)
        if not has_visible_text(text):
            raise IngestError.keyed("ingest_invisible_only", "ingest_fix_add_content", name=name)
        meta, body = split_front_matter(text, name, notices)
        if suffix in (".html", ".htm") or re.match(r"\s*(<!doctype html|<html)", body, re.I):
            body, html_title = html_to_markdown(body)
            body = neutralise_links(body)  # the page's text may spell out Markdown links
        else:
            body = clean_markdown(body)
    body, removed = remove_hidden_controls(body)
    html_title = remove_hidden_controls(html_title)[0]
    if removed:
        notices.append(Notice.of("ingest_note_hidden_removed", name=name, count=removed))
    if not has_visible_text(body):
        raise IngestError.keyed("ingest_no_text_after_cleaning", "ingest_fix_has_text", name=name)
    meta = {key: remove_hidden_controls(value)[0] if isinstance(value, str) else value for key, value in meta.items()}
    heading = re.search(r"^#\s+(.+)$", body, re.M)
    title = _scalar(meta, "title") or html_title or (heading.group(1).strip() if heading else Path(name).stem)
    lang = _scalar(meta, "lang") or detect_lang(body)
    if lang not in ("en", "zh"):
        lang = detect_lang(body)
    objectives = []
    raw_objectives = meta.get("objectives") or []
    if isinstance(raw_objectives, (str, dict)):
        raw_objectives = [raw_objectives]
    for item in raw_objectives if isinstance(raw_objectives, list) else []:
        if isinstance(item, dict) and _scalar(item, "text"):
            objectives.append(
                Objective(
                    id=_scalar(item, "id"),
                    text=remove_hidden_controls(_scalar(item, "text"))[0],
                    bloom=_scalar(item, "bloom") or "understand",
                )
            )
        elif isinstance(item, str):
            objectives.append(Objective(id="", text=remove_hidden_controls(item)[0]))
    return LoadedDocument(
        text=body,
        title=title,
        lang=lang,
        lesson_id=_scalar(meta, "id") or Path(name).stem,
        file_hash=hashlib.sha256(data).hexdigest(),
        objectives=objectives,
        notices=notices,
    )
