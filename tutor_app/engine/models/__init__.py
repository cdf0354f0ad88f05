"""Reaching language models: the chat client, the embedded model server, structured output, prompt files, prices."""
