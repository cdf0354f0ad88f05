"""From course files to indexed chunks: loaders, chunking, the ingestion pipeline, the bundled sample course."""
