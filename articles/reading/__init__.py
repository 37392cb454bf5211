"""What readers see: public views, feeds, sitemaps, the taxonomy registry, reading-order
pagination, labels (byline, topics, tags, neighbours in one statement) and related articles."""
