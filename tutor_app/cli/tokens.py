"""The ``tokens`` command of ``python -m tutor_app``: how a text splits into tokens, and what it costs as a prompt.

``tokens "TEXT"`` prints, per tokenizer (``cl100k_base``, ``o200k_base`` and the embedded
model's own, or those named with ``--tokenizer``), the token count and the pieces, then the
text's cost as input tokens for each priced model. ``--json`` prints one object: ``text``,
``chars``, ``tokenizers`` (each with ``name``, ``label``, ``count``, ``pieces`` of ``text`` and
``ids``, ``available`` and ``error``) and ``costs`` (each with ``model``, ``tokenizer``,
``tokens``, ``usd`` and ``note``). ``--no-embedded`` leaves the embedded model's tokenizer out
(it starts the model server when none runs); when that server cannot start, its entry is
unavailable with the reason and the others are still printed. This module parses and prints;
the work happens in ``engine.token_pieces``.
"""

from __future__ import annotations

import json

from tutor_app.core.i18n import t
from tutor_app.engine.token_pieces import EMBEDDED, TOKENIZER_NAMES, TokenReport

SEPARATOR = "|"


def add_commands(sub) -> None:
    p = sub.add_parser("tokens", help="show how a text splits into tokens and what it costs as a prompt")
    p.add_argument("text", help="the text to split, for example a prompt")
    p.add_argument(
        "--tokenizer",
        action="append",
        choices=TOKENIZER_NAMES,
        dest="tokenizers",
        help="a tokenizer to show; repeat for several (default: all three)",
    )
    p.add_argument("--no-embedded", action="store_true", help="leave out the embedded model's tokenizer")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_tokens)


def cmd_tokens(args, settings) -> int:
    from tutor_app.core.endpoints import configured_prices, load_endpoints
    from tutor_app.core.errors import InputError
    from tutor_app.engine.token_pieces import analyse, embedded_tokenizer

    if not args.text.strip():
        raise InputError.of("lab_tokens_empty")
    names = list(dict.fromkeys(args.tokenizers or TOKENIZER_NAMES))
    if args.no_embedded:
        names = [name for name in names if name != EMBEDDED]
    prices = configured_prices(load_endpoints(settings=settings))  # the [models] list's own prices too
    report = analyse(args.text, names, embedded=lambda: embedded_tokenizer(settings), prices=prices)
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        print(render_plain(report))
    return 0


def _piece_text(text: str, tokens: int) -> str:
    shown = text.replace("\n", "\\n").replace("\t", "\\t")
    return f"{shown}{{{tokens}}}" if tokens > 1 else shown


def render_plain(report: TokenReport) -> str:
    """A readable table: counts per tokenizer, the pieces, then the prompt cost per model."""
    lines = [t("lab_tokens_cli_text", "en", chars=len(report.text)), report.text, ""]
    width = max(len(split.display_name) for split in report.tokenizers) if report.tokenizers else 9
    lines.append(
        f"{t('lab_tokens_tokenizer', 'en'):<{width}}  {t('lab_tokens_count', 'en'):>6}  {t('lab_tokens_per_token', 'en')}"
    )
    for split in report.tokenizers:
        name = split.display_name
        if split.available:
            per_token = f"{len(report.text) / split.count:.2f}" if split.count else "-"
            lines.append(f"{name:<{width}}  {split.count:>6}  {per_token}")
        else:
            lines.append(f"{name:<{width}}  {'-':>6}  {t('lab_tokens_unavailable', 'en')}: {split.error}")
    lines += ["", t("lab_tokens_cli_pieces", "en")]
    for split in report.tokenizers:
        if split.available:
            shown = SEPARATOR.join(_piece_text(piece.text, len(piece.ids)) for piece in split.pieces)
            lines.append(f"{split.display_name}: {SEPARATOR}{shown}{SEPARATOR}")
    if report.costs:
        lines += ["", t("lab_tokens_cost_heading", "en")]
        model_width = max(len(line.model) for line in report.costs)
        lines.append(
            f"{t('lab_tokens_model', 'en'):<{model_width}}  {t('lab_tokens_tokenizer', 'en'):<11}  {t('lab_tokens_count', 'en'):>6}  USD"
        )
        for line in report.costs:
            note = f"  ({line.note})" if line.note else ""
            lines.append(f"{line.model:<{model_width}}  {line.tokenizer:<11}  {line.tokens:>6}  ${line.usd:.8f}{note}")
    return "\n".join(lines)
