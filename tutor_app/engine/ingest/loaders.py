"""Read one course file into clean Markdown-like text plus its front matter.

Handles Markdown, plain text, HTML and PDF. The file's content is sniffed (the
extension is not trusted alone): binary data, empty files, files over the size
limit and unreadable PDFs raise ``IngestError`` with a one-line reason.
Text that is not UTF-8 but valid GB18030 (GBK) is decoded with a notice.
HTML text a reader cannot see is dropped, so a hidden instruction never
becomes passage text: comments, <script>, <style>, <template>, <noscript>,
and elements hidden by the ``hidden`` or ``aria-hidden="true"`` attribute or by
their inline style (display:none, visibility:hidden, opacity:0, a zero font
size, a transparent colour or one that matches the background, set on the
element or an ancestor, white by default; off-screen positions). Style sheets
are not read, so text hidden only through a CSS class is kept. The same
hidden elements (and <template>) are removed from inline HTML in Markdown prose,
not from code; there a colour is compared with the element's own background
or white, not with an ancestor's.
This module does not split or chunk; ``chunking`` does.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import yaml

from tutor_app.core.errors import IngestError
from tutor_app.core.schemas import Objective
from tutor_app.engine.text import detect_lang

SUPPORTED_SUFFIXES = {".md", ".markdown", ".txt", ".html", ".htm", ".pdf"}


@dataclass
class LoadedDocument:
    text: str  # Markdown-like: headings as '#' lines
    title: str
    lang: str
    lesson_id: str
    file_hash: str
    objectives: list[Objective] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls > len(sample) * 0.02


def decode_text(data: bytes, name: str) -> tuple[str, list[str]]:
    if _looks_binary(data):
        raise IngestError(
            f"{name}: looks like binary data, not text.", "Save it as UTF-8 text, or upload the original document type."
        )
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise IngestError(
            f"{name}: not valid UTF-8 text ({exc.reason} at byte {exc.start}).", "Re-save the file as UTF-8."
        ) from exc
    return text, [f"{name}: decoded as GB18030/GBK; saving it as UTF-8 avoids guessing."]


_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)", re.S)


def split_front_matter(text: str, name: str) -> tuple[dict, str]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise IngestError(
            f"{name}: the YAML front matter is malformed ({exc.__class__.__name__}).", "Fix the block between the '---' lines."
        ) from exc
    if not isinstance(meta, dict):
        raise IngestError(
            f"{name}: the front matter is not a mapping of keys to values.", "Use 'key: value' lines between the '---' lines."
        )
    return meta, text[match.end() :]


_MD_CLEANUPS = [
    (re.compile(r"<!--.*?-->", re.S), ""),  # HTML comments
    (re.compile(r"\[!\[[^\]]*\]\([^)]*\)\]\([^)]*\)"), ""),  # linked badges (before images)
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # images -> alt text
    (re.compile(r"\[([^\]]*)\]\((?:[^()]|\([^)]*\))*\)"), r"\1"),  # links -> text
    (re.compile(r"</?(?:img|a|br|p|div|span|sup|sub|b|i|em|strong)\b[^>]*>", re.I), ""),
    (re.compile(r"[ \t]+\n"), "\n"),
    (re.compile(r"\n{3,}"), "\n\n"),
]


def clean_markdown(text: str) -> str:
    """Strip Markdown decoration outside fenced code blocks; code samples stay verbatim."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    parts = re.split(r"(^```.*?^```[ \t]*$|^~~~.*?^~~~[ \t]*$)", text, flags=re.S | re.M)
    for i in range(0, len(parts), 2):  # even parts are prose, odd parts are code fences
        parts[i] = drop_hidden_elements(parts[i])
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


def _hides(attrs: dict[str, str | None], background: tuple) -> bool:
    """True when an element with these attributes shows none of its text (see the module docstring)."""
    if "hidden" in attrs or (attrs.get("aria-hidden") or "").strip().lower() == "true":
        return True
    css = _css(attrs.get("style") or "")
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


def _drop_hidden_in(text: str) -> str:
    pieces, pos = [], 0
    while match := _START_TAG.search(text, pos):
        tag = match.group(1).lower()
        hidden = tag == "template" or _hides(_start_tag_attributes(match.group(0)), _WHITE)  # own background only
        if tag in _VOID or match.group(2).rstrip().endswith("/") or not hidden:
            pieces.append(text[pos : match.end()])
            pos = match.end()
            continue
        pieces.append(text[pos : match.start()])
        pos = _element_end(text, tag, match.end())
    pieces.append(text[pos:])
    return "".join(pieces)


def drop_hidden_elements(markdown: str) -> str:
    """Remove inline HTML elements that hide their text (the same rules as HTML files) from Markdown prose.

    Inline code spans are left alone: a lesson may show ``<p hidden>`` as an example."""
    parts = _INLINE_CODE.split(markdown)
    return "".join(part if i % 2 else _drop_hidden_in(part) for i, part in enumerate(parts))


class _HtmlToMarkdown(HTMLParser):
    _SKIP = {"script", "style", "noscript", "template", "head", "nav", "footer"}
    _BLOCK = {"p", "div", "li", "tr", "br", "section", "article", "pre", "table", "ul", "ol"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
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
        if _hides(attrs, background):
            self.hidden = [tag, 1]
        elif (own := _background(_css(attrs.get("style") or "")) or _colour((attrs.get("bgcolor") or "").lower())) and own[3]:
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
    parser = _HtmlToMarkdown()
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
        raise IngestError(
            f"{name}: the PDF is damaged or encrypted ({exc.__class__.__name__}).", "Re-export it from the original document."
        ) from exc
    if not any(pages):
        raise IngestError(
            f"{name}: the PDF has no text layer (it may be scanned images).",
            "Run OCR on it first, or upload the source document.",
        )
    return "\n\n".join(f"## Page {i}\n\n{text}" for i, text in enumerate(pages, 1) if text)


def load_bytes(data: bytes, name: str, max_bytes: int) -> LoadedDocument:
    """Turn the raw bytes of a file called ``name`` into a LoadedDocument."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise IngestError(
            f"{name}: unsupported file type '{suffix or '(none)'}'.", f"Use one of: {', '.join(sorted(SUPPORTED_SUFFIXES))}."
        )
    if len(data) > max_bytes:
        raise IngestError(
            f"{name}: {len(data) / 1048576:.2f} MB is over the {max_bytes / 1048576:g} MB limit.",
            "Split the file, or raise TUTOR_MAX_FILE_MB.",
        )
    if not data.strip():
        raise IngestError(f"{name}: the file is empty.", "Add content or leave it out.")
    notices: list[str] = []
    html_title = ""
    if data.startswith(b"%PDF-"):
        body, meta = pdf_to_text(data, name), {}
    elif suffix == ".pdf":
        raise IngestError(f"{name}: named .pdf but is not a PDF file.", "Re-export it as PDF or give it its real extension.")
    else:
        text, notices = decode_text(data, name)
        meta, body = split_front_matter(text, name)
        if suffix in (".html", ".htm") or re.match(r"\s*(<!doctype html|<html)", body, re.I):
            body, html_title = html_to_markdown(body)
        else:
            body = clean_markdown(body)
    if not body.strip():
        raise IngestError(f"{name}: no readable text after cleaning.", "Check that the file has text content.")
    heading = re.search(r"^#\s+(.+)$", body, re.M)
    title = str(meta.get("title") or html_title or (heading.group(1).strip() if heading else Path(name).stem))
    lang = str(meta.get("lang") or detect_lang(body))
    if lang not in ("en", "zh"):
        lang = detect_lang(body)
    objectives = []
    raw_objectives = meta.get("objectives") or []
    if isinstance(raw_objectives, (str, dict)):
        raw_objectives = [raw_objectives]
    for item in raw_objectives:
        if isinstance(item, dict) and item.get("text"):
            objectives.append(
                Objective(id=str(item.get("id") or ""), text=str(item["text"]), bloom=str(item.get("bloom") or "understand"))
            )
        elif isinstance(item, str):
            objectives.append(Objective(id="", text=item))
    return LoadedDocument(
        text=body,
        title=title,
        lang=lang,
        lesson_id=str(meta.get("id") or Path(name).stem),
        file_hash=hashlib.sha256(data).hexdigest(),
        objectives=objectives,
        notices=notices,
    )
