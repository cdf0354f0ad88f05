"""Administration: the course library, curriculum objectives, coverage, gaps and usage figures."""
