"""Jobs: runs that start, do one thing over a topic or an index, and end (the reindex)."""
