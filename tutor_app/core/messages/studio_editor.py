"""Strings of the studio's editing tables: column headers and their tooltips, in English and Simplified Chinese.

Only the editors' own labels live here; the rest of the studio's text is in
``studio.py`` next to this file. Text only.
"""

MESSAGES: dict[str, dict[str, str]] = {
    "studio_col_id": {"en": "ID", "zh": "编号"},
    "studio_col_objective_text": {"en": "Objective", "zh": "学习目标"},
    "studio_col_bloom": {"en": "Bloom level", "zh": "布鲁姆层级"},
    "studio_col_title": {"en": "Title", "zh": "标题"},
    "studio_col_minutes": {"en": "Minutes", "zh": "分钟"},
    "studio_col_description": {"en": "Description", "zh": "说明"},
    "studio_col_objective_ids": {"en": "Objective IDs", "zh": "对应目标编号"},
    "studio_col_chunk_ids": {"en": "Course passage IDs", "zh": "课程段落编号"},
    "studio_col_kind": {"en": "Kind", "zh": "题型"},
    "studio_col_question": {"en": "Question", "zh": "题目"},
    "studio_col_options": {"en": "Options", "zh": "选项"},
    "studio_col_answer": {"en": "Answer", "zh": "答案"},
    "studio_col_explanation": {"en": "Explanation", "zh": "解析"},
    "studio_col_objective_id": {"en": "Objective ID", "zh": "对应目标编号"},
    "studio_col_chunk_id": {"en": "Course passage ID", "zh": "课程段落编号"},
    "studio_col_ids_help": {"en": "Separate several IDs with commas.", "zh": "多个编号之间用逗号分隔。"},
    "studio_col_options_help": {
        "en": "Separate the options with “ | ”. A true/false question has exactly “True | False”; a short answer has none.",
        "zh": "选项之间用“ | ”分隔。判断题的选项固定为“正确 | 错误”，简答题没有选项。",
    },
    "studio_col_answer_help": {
        "en": "For a multiple-choice or true/false question, the answer is one of the options, written the same way.",
        "zh": "选择题和判断题的答案必须是选项之一，写法完全相同。",
    },
    "studio_edit_hint": {
        "en": "Double-click a cell to read or edit its whole text; press Enter to keep the edit.",
        "zh": "双击单元格可查看或编辑完整内容，按回车键保存修改。",
    },
}
