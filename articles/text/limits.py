"""How long an article's text may be, wherever it comes from (the admin, the Hugo import).

A body of several megabytes makes every page and search that reads it slow, so it is refused
at the door: the admin form says so and keeps the editor's text, the import reports the file.
"""

MAX_BODY_BYTES = 1024 * 1024  # a body's HTML, UTF-8
MAX_DESCRIPTION_CHARS = 2000


def body_bytes(text):
    return len((text or "").encode())
