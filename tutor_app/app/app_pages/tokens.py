"""Educators and administrators see how an English and a Chinese text split into tokens, side by side.

Per tokenizer (cl100k_base, o200k_base, the built-in model's own): the counts, the pieces (framed, in
alternating colours, each with its token ids in a tooltip, every piece HTML-escaped) and the prompt cost per
priced model. The splitting and pricing happen in ``engine.token_pieces``.
"""

import html

import streamlit as st

from tutor_app.app import ui
from tutor_app.core.endpoints import configured_prices, load_endpoints
from tutor_app.core.errors import TutorError
from tutor_app.engine.token_pieces import EMBEDDED, TOKENIZER_NAMES, analyse_many, embedded_tokenizer

DEFAULTS = {
    "en": "A good prompt names the task, gives one short example and says what the answer should look like.",
    "zh": "好的提示会说明任务，给出一个简短的示例，并说明答案应该是什么样子。",
}
LABELS = {"en": "lab_tokens_english", "zh": "lab_tokens_chinese"}
COLOURS = ("#fde2a7", "#c9e7f8", "#d8f0c8", "#f7d0e1", "#e2dcf7")
_MARKDOWN_SIGNS = set("\\`*_{}[]()#+-.!|~$:<>&\"'")  # written as entities so Markdown and LaTeX leave them alone

user = ui.require_role("educator")
st.title(ui.tr("lab_tokens_page"))
st.caption(ui.tr("lab_tokens_intro"))
LANGS = {lang: ui.tr(f"lab_tokens_lang_{lang}") for lang in DEFAULTS}
columns = dict(zip(DEFAULTS, st.columns(2)))
texts = {lang: columns[lang].text_area(ui.tr(LABELS[lang]), DEFAULTS[lang], key=f"tokens_{lang}") for lang in DEFAULTS}
use_embedded = st.toggle(ui.tr("lab_tokens_use_embedded"), value=True, key="tokens_embedded")
if not any(text.strip() for text in texts.values()):
    st.info(ui.tr("lab_tokens_empty"))
    st.stop()
names = [name for name in TOKENIZER_NAMES if use_embedded or name != EMBEDDED]
try:
    prices = configured_prices(load_endpoints(settings=ui.settings()))  # the [models] list's own prices too
except TutorError as exc:  # a broken [models] list: the built-in prices still work
    st.warning(ui.error_text(exc))
    prices = {}
with st.spinner(ui.tr("lab_tokens_starting")):
    reports = analyse_many(texts, names, embedded=lambda: embedded_tokenizer(ui.settings()), prices=prices)


def escape(text: str) -> str:
    # A space becomes a no-break space so a token's leading space stays visible inside its frame.
    return "".join("&#160;" if c == " " else f"&#{ord(c)};" if c in _MARKDOWN_SIGNS else c for c in text).replace("\n", "↵<br>")


def pieces_html(split) -> str:
    spans = []
    for n, piece in enumerate(split.pieces):
        title = ui.tr("lab_tokens_piece_title", count=len(piece.ids), ids=" ".join(map(str, piece.ids)))
        border = "dashed" if len(piece.ids) > 1 else "solid"
        spans.append(
            f'<span title="{html.escape(title, quote=True)}" style="background:{COLOURS[n % len(COLOURS)]};color:#111;'
            f'border:1px {border} #555;border-radius:3px;padding:0 2px;margin:1px;white-space:pre-wrap;display:inline-block">'
            f"{escape(piece.text)}</span>"
        )
    return '<div style="line-height:1.9">' + "".join(spans) + "</div>"


st.subheader(ui.tr("lab_tokens_counts"))
rows = []
side_by_side = [dict(zip(DEFAULTS, pair)) for pair in zip(*(reports[lang].tokenizers for lang in DEFAULTS))]
for splits in side_by_side:
    row = {ui.tr("lab_tokens_tokenizer"): splits["en"].display_name}
    for lang, split in splits.items():
        chars = len(texts[lang])
        row[ui.tr("lab_tokens_col_tokens", language=LANGS[lang])] = str(split.count) if split.available else "—"
        per_token = f"{chars / split.count:.2f}" if split.available and split.count else "—"
        row[ui.tr("lab_tokens_col_chars", language=LANGS[lang])] = per_token
    rows.append(row)
st.table(rows)

st.subheader(ui.tr("lab_tokens_pieces"))
st.caption(ui.tr("lab_tokens_legend"))
for splits in side_by_side:
    if not splits["en"].available:
        st.warning(ui.tr("lab_tokens_unavailable_page"))
        if user.role == "administrator":  # the server's paths and settings are the administrator's business
            st.caption(splits["en"].error)
        continue
    st.markdown(
        f"**{ui.tr('lab_tokens_split_heading', name=splits['en'].display_name, en=splits['en'].count, zh=splits['zh'].count)}**"
    )
    for lang, column in zip(DEFAULTS, st.columns(2)):
        column.markdown(pieces_html(splits[lang]), unsafe_allow_html=True)

st.subheader(ui.tr("lab_tokens_cost_heading"))
cost_rows = []
for n, line in enumerate(reports["en"].costs):
    row = {ui.tr("lab_tokens_model"): line.model, ui.tr("lab_tokens_tokenizer"): line.tokenizer}
    for lang in DEFAULTS:
        priced = reports[lang].costs[n]
        row[ui.tr("lab_tokens_col_tokens", language=LANGS[lang])] = priced.tokens
        row[ui.tr("lab_tokens_col_usd", language=LANGS[lang])] = f"${priced.usd:.8f}"
    row[ui.tr("lab_tokens_note")] = ui.tr("lab_tokens_stand_in", model=line.model, tokenizer=line.tokenizer) if line.note else ""
    cost_rows.append(row)
st.table(cost_rows)
