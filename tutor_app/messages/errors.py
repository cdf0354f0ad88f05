"""Model failures as the learner reads them, in English and Simplified Chinese.

``llm.error_kind`` names the failure; ``llm.describe_error`` and the tutor fill
``{where}`` (the server's address) and pick the language.
"""

MESSAGES = {
    "model_error_auth": {
        "en": "The model server at {where} refused the API key. Check OPENAI_API_KEY / AZURE_OPENAI_API_KEY.",
        "zh": "{where} 的模型服务器拒绝了 API 密钥。请检查 OPENAI_API_KEY / AZURE_OPENAI_API_KEY。",
    },
    "model_error_not_found": {
        "en": "The model was not found at {where}. Check TUTOR_CHAT_MODEL (or the Azure deployment name).",
        "zh": "在 {where} 找不到该模型。请检查 TUTOR_CHAT_MODEL（或 Azure 部署名称）。",
    },
    "model_error_rate_limit": {
        "en": "The model server at {where} is rate-limiting requests. Wait a minute and ask again.",
        "zh": "{where} 的模型服务器正在限制请求频率。请等一分钟后再问。",
    },
    "model_error_timeout": {
        "en": "The model server at {where} stopped answering (timed out). Ask again, or check that the server is running.",
        "zh": "{where} 的模型服务器没有响应（超时）。请再问一次，或检查服务器是否在运行。",
    },
    "model_error_connection": {
        "en": "Cannot reach the model server at {where}. Start it (`python -m tutor_app serve-model`) or fix OPENAI_BASE_URL.",
        "zh": "无法连接 {where} 的模型服务器。请启动它（`python -m tutor_app serve-model`）或修正 OPENAI_BASE_URL。",
    },
    "model_error_status": {
        "en": "The model server at {where} answered with an error. Try again later.",
        "zh": "{where} 的模型服务器返回了错误。请稍后再试。",
    },
    "model_error_garbled": {
        "en": "The model server at {where} sent a garbled stream. Ask again; if it repeats, restart the server.",
        "zh": "{where} 的模型服务器发送的数据流已损坏。请再问一次；如果反复出现，请重启服务器。",
    },
    "model_error_dropped": {
        "en": "The answer from {where} was cut off: the server closed the stream. Ask again.",
        "zh": "来自 {where} 的回答被中断：服务器关闭了数据流。请再问一次。",
    },
    "model_error_unfinished": {
        "en": "The answer from {where} was cut off before it finished. Ask again.",
        "zh": "来自 {where} 的回答在完成前被中断。请再问一次。",
    },
    "model_error_other": {
        "en": "The model request to {where} failed. Ask again.",
        "zh": "向 {where} 发出的模型请求失败了。请再问一次。",
    },
    "model_error_empty": {
        "en": "The model returned nothing.",
        "zh": "模型没有返回任何内容。",
    },
}
