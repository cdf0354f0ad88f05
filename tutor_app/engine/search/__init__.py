"""Finding passages: embeddings, keyword (BM25) ranking, the English-Chinese bridge, the index, hybrid retrieval and grounding."""
