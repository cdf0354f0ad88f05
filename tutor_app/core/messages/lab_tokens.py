"""Strings of the prompt and model lab's Tokens page and the ``tokens`` command. Text only."""

MESSAGES = {
    "lab_tokens_page": {"en": "Tokens", "zh": "词元"},
    "lab_tokens_intro": {
        "en": "A model reads tokens, not letters or characters, and a prompt is billed per token. The same meaning "
        "takes a different number of tokens under each tokenizer and in each language: compare them below.",
        "zh": "模型读的是词元（token），而不是字母或汉字；提示也是按词元计费的。同样的意思，"
        "在不同的分词器、不同的语言下需要的词元数并不相同：请在下面对比。",
    },
    "lab_tokens_english": {"en": "English text", "zh": "英文文本"},
    "lab_tokens_chinese": {"en": "Chinese text", "zh": "中文文本"},
    "lab_tokens_use_embedded": {
        "en": "Include the built-in model's own tokenizer (starts its server if needed)",
        "zh": "包括内置模型自己的分词器（必要时会启动模型服务）",
    },
    "lab_tokens_starting": {"en": "Splitting the texts into tokens…", "zh": "正在把文本切分为词元……"},
    "lab_tokens_empty": {
        "en": "There is no text to split. Type or paste a text, for example a prompt.",
        "zh": "没有可切分的文本。请输入或粘贴一段文本，例如一条提示。",
    },
    "lab_tokens_counts": {"en": "Token counts", "zh": "词元数"},
    "lab_tokens_tokenizer": {"en": "tokenizer", "zh": "分词器"},
    "lab_tokens_count": {"en": "tokens", "zh": "词元数"},
    "lab_tokens_per_token": {"en": "characters per token", "zh": "每个词元的字符数"},
    "lab_tokens_col_tokens": {"en": "{language} tokens", "zh": "{language}词元数"},
    "lab_tokens_col_chars": {"en": "{language} characters per token", "zh": "{language}每词元字符数"},
    "lab_tokens_lang_en": {"en": "English", "zh": "英文"},
    "lab_tokens_lang_zh": {"en": "Chinese", "zh": "中文"},
    "lab_tokens_pieces": {"en": "How the texts split", "zh": "文本如何被切分"},
    "lab_tokens_legend": {
        "en": "Each framed piece is one token, or (dashed frame) several tokens that together make whole characters: "
        "a byte-level tokenizer often cuts one Chinese character across 2-3 tokens. Point at a piece to see its token ids.",
        "zh": "每个带框的片段是一个词元；虚线框表示几个词元合起来才构成完整的字符：按字节切分的分词器常把一个汉字拆成 2-3 个词元。"
        "把鼠标停在片段上可以看到它的词元编号。",
    },
    "lab_tokens_piece_title": {"en": "{count} token(s): {ids}", "zh": "{count} 个词元：{ids}"},
    "lab_tokens_split_heading": {
        "en": "{name}: {en} tokens in English, {zh} in Chinese",
        "zh": "{name}：英文 {en} 个词元，中文 {zh} 个词元",
    },
    "lab_tokens_unavailable": {"en": "unavailable", "zh": "不可用"},
    "lab_tokens_unavailable_page": {
        "en": "The built-in model's tokenizer is unavailable: its model server could not start. The other tokenizers still work.",
        "zh": "内置模型的分词器不可用：它的模型服务无法启动。其他分词器仍可使用。",
    },
    "lab_tokens_cost_heading": {
        "en": "Cost as a prompt (input tokens only, US dollars, at the configured prices per 1M tokens)",
        "zh": "作为提示的费用（只计输入词元，美元，按配置的每百万词元价格）",
    },
    "lab_tokens_model": {"en": "model", "zh": "模型"},
    "lab_tokens_col_usd": {"en": "{language} cost (USD)", "zh": "{language}费用（美元）"},
    "lab_tokens_note": {"en": "note", "zh": "说明"},
    "lab_tokens_cli_text": {"en": "Text ({chars} characters):", "zh": "文本（{chars} 个字符）："},
    "lab_tokens_cli_pieces": {
        "en": "Pieces, between | marks ({{n}} after a piece: it is n tokens that only together make whole characters):",
        "zh": "片段，以 | 分隔（片段后的 {{n}}：表示它由 n 个词元合成完整字符）：",
    },
    "lab_tokens_stand_in": {
        "en": "The tokenizer of {model} is not bundled here; counted with {tokenizer} instead.",
        "zh": "这里没有 {model} 的分词器，改用 {tokenizer} 计数。",
    },
}
