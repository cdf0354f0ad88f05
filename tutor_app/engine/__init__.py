"""The course engine: text helpers, tokens, ingestion, search and grounding, model access, answers composed from passages."""
