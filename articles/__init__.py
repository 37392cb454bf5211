"""Newsroom's one app (label `articles`), in rooms by concern. docs/ARCHITECTURE.md has the map.

The direction of dependencies (an arrow means "may import"; tests/test_architecture.py keeps it):

    jinja, management, demo, urls, apps   -> anything below
    admin     -> hugo, editorial, curation, models, text, media
    reading   -> search, curation, audience, models, pagecache, text, media
    audience  -> models, pagecache
    hugo      -> editorial, curation, models, pagecache, text, media
    search    -> models, pagecache, text
    curation  -> editorial (permissions), models
    editorial -> models, text, media
    models    -> querysets, text, media
    querysets, text, media, pagecache -> nothing in the project

No import circles, and no import placed inside a function to dodge one (AppConfig.ready() aside).
"""
