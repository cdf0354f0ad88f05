"""Read one course file into clean Markdown-like text plus its front matter.

Handles Markdown, plain text, HTML and PDF. The file's content is sniffed (the
extension is not trusted alone): binary data, empty files, files over the size
limit and unreadable PDFs raise ``IngestError`` with a one-line reason.
Text that is not UTF-8 but valid GB18030 (GBK) is decoded with a notice.
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
        for pattern, replacement in _MD_CLEANUPS:
            parts[i] = pattern.sub(replacement, parts[i])
    return "".join(parts).strip()


class _HtmlToMarkdown(HTMLParser):
    _SKIP = {"script", "style", "noscript", "head", "nav", "footer"}
    _BLOCK = {"p", "div", "li", "tr", "br", "section", "article", "pre", "table", "ul", "ol"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIP:
            self.skip_depth += 1
        if tag == "title":
            self._in_title = True
        if re.fullmatch(r"h[1-6]", tag):
            self.parts.append("\n\n" + "#" * int(tag[1]) + " ")
        elif tag in self._BLOCK:
            self.parts.append("\n" + ("- " if tag == "li" else ""))

    def handle_endtag(self, tag):
        if tag in self._SKIP and self.skip_depth:
            self.skip_depth -= 1
        if tag == "title":
            self._in_title = False
        if re.fullmatch(r"h[1-6]", tag) or tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if self._in_title:
            self.title += data.strip()
        elif not self.skip_depth:
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
