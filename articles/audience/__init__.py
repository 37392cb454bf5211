"""阅读量 and 热榜: counting readers without a write per view, and the most-read lists.

A page view is recorded by a beacon the page's script posts (beacon.py), into the shared cache
(counting.py); finished minutes reach the database in one batched statement (flush.py); pages
read the totals and the most-read lists kept for a minute (figures.py). docs/ARCHITECTURE.md,
"View counts".
"""
