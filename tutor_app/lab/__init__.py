"""The prompt and model lab: model endpoints compared on the course, role prompts versioned and tested."""
