"""Site search: the query and its plan (query.py) and highlighting of the results (highlight.py)."""
