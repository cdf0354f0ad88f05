"""Strings of reading course files (why a file was not indexed, and what to do), in English and Simplified Chinese.

Each refusal is a problem and a fix, kept apart so the command line and the pages can show both.
"""

MESSAGES = {
    # --- problems ---
    "ingest_binary": {"en": "{name}: looks like binary data, not text.", "zh": "{name}：看起来是二进制数据，不是文本。"},
    "ingest_not_utf8": {
        "en": "{name}: not valid UTF-8 text ({reason} at byte {start}).",
        "zh": "{name}：不是有效的 UTF-8 文本（第 {start} 字节：{reason}）。",
    },
    "ingest_pdf_damaged": {
        "en": "{name}: the PDF is damaged or encrypted ({error}).",
        "zh": "{name}：PDF 已损坏或已加密（{error}）。",
    },
    "ingest_pdf_no_text": {
        "en": "{name}: the PDF has no text layer (it may be scanned images).",
        "zh": "{name}：这个 PDF 没有文字层（可能是扫描的图片）。",
    },
    "ingest_unsupported": {"en": "{name}: unsupported file type '{suffix}'.", "zh": "{name}：不支持的文件类型“{suffix}”。"},
    "ingest_too_big": {
        "en": "{name}: {size} MB is over the {limit} MB limit.",
        "zh": "{name}：文件大小 {size} MB，超过了 {limit} MB 的上限。",
    },
    "ingest_empty": {"en": "{name}: the file is empty.", "zh": "{name}：文件是空的。"},
    "ingest_empty_upload": {"en": "{name}: the file is empty (0 bytes).", "zh": "{name}：文件是空的（0 字节）。"},
    "ingest_invisible_only": {
        "en": "{name}: the file is empty: it holds only blank or invisible characters (zero-width, bidi or tag characters).",
        "zh": "{name}：文件是空的：里面只有空白或不可见字符（零宽字符、双向控制字符或标签字符）。",
    },
    "ingest_not_pdf": {"en": "{name}: named .pdf but is not a PDF file.", "zh": "{name}：扩展名是 .pdf，但内容不是 PDF 文件。"},
    "ingest_no_text_after_cleaning": {
        "en": "{name}: no readable text after cleaning.",
        "zh": "{name}：清理之后没有剩下可读的文字。",
    },
    "ingest_nothing_after_split": {
        "en": "{name}: nothing to index after splitting.",
        "zh": "{name}：切分之后没有可以索引的内容。",
    },
    "ingest_not_document": {
        "en": "{name}: this is a {what} file, not a course document.",
        "zh": "{name}：这是 {what} 文件，不是课程文档。",
    },
    # --- notices: the file was indexed, with a remark ---
    "ingest_note_gb18030": {
        "en": "{name}: decoded as GB18030/GBK; saving it as UTF-8 avoids guessing.",
        "zh": "{name}：已按 GB18030/GBK 编码读取；另存为 UTF-8 就不必猜测编码。",
    },
    "ingest_note_front_matter_not_mapping": {
        "en": "{name}: the front matter between the '---' lines is not a mapping of keys to values; it was left out "
        "(no title, id or objectives from it) and the lesson indexed without it. Fix it with 'key: value' lines.",
        "zh": "{name}：两行“---”之间的前置元数据不是“键: 值”的映射，已被略去（不从中读取标题、编号或学习目标），"
        "课文在没有它的情况下建立了索引。请改写成“key: value”形式的行。",
    },
    "ingest_note_front_matter_yaml": {
        "en": "{name}: the front matter between the '---' lines is malformed YAML ({error}); it was left out "
        "(no title, id or objectives from it) and the lesson indexed without it. Fix it with 'key: value' lines.",
        "zh": "{name}：两行“---”之间的前置元数据不是合法的 YAML（{error}），已被略去（不从中读取标题、编号或学习目标），"
        "课文在没有它的情况下建立了索引。请改写成“key: value”形式的行。",
    },
    "ingest_note_hidden_removed": {
        "en": "{name}: {count} invisible Unicode tag or bidi control character(s) were removed from the text.",
        "zh": "{name}：已从文本中删除 {count} 个不可见的 Unicode 标签字符或双向控制字符。",
    },
    # --- fixes ---
    "ingest_fix_utf8_text": {
        "en": "Save it as UTF-8 text, or upload the original document type.",
        "zh": "请把它另存为 UTF-8 文本，或上传原始格式的文档。",
    },
    "ingest_fix_resave_utf8": {"en": "Re-save the file as UTF-8.", "zh": "请把文件重新另存为 UTF-8 编码。"},
    "ingest_fix_reexport": {"en": "Re-export it from the original document.", "zh": "请从原始文档重新导出。"},
    "ingest_fix_ocr": {
        "en": "Run OCR on it first, or upload the source document.",
        "zh": "请先用 OCR 识别出文字，或者上传原始文档。",
    },
    "ingest_fix_supported": {"en": "Use one of: {supported}.", "zh": "请使用以下类型之一：{supported}。"},
    "ingest_fix_split": {"en": "Split the file, or raise TUTOR_MAX_FILE_MB.", "zh": "请拆分文件，或调大 TUTOR_MAX_FILE_MB。"},
    "ingest_fix_split_operator": {
        "en": "Split the file, or ask the operator to raise TUTOR_MAX_FILE_MB.",
        "zh": "请拆分文件，或请运维人员调大 TUTOR_MAX_FILE_MB。",
    },
    "ingest_fix_add_content": {"en": "Add content or leave it out.", "zh": "请补充内容，或不要上传这个文件。"},
    "ingest_fix_choose_again": {
        "en": "Choose the file again; it may not have finished saving.",
        "zh": "请重新选择这个文件；它可能还没有保存完。",
    },
    "ingest_fix_pdf_or_extension": {
        "en": "Re-export it as PDF or give it its real extension.",
        "zh": "请重新导出为 PDF，或者改用它真正的扩展名。",
    },
    "ingest_fix_has_text": {"en": "Check that the file has text content.", "zh": "请检查文件里是否有文字内容。"},
    "ingest_fix_upload_types": {"en": "Upload Markdown, text, HTML or PDF.", "zh": "请上传 Markdown、纯文本、HTML 或 PDF 文件。"},
}
