"""How much a Hugo import reads and keeps: every bound in one place (docs/HUGO.md, "Limits").

A file over a bound is reported (under `failed`, with the reason) and skipped; a front-matter
value over a bound is dropped or cut with a warning. The body and description bounds are the editors' too (articles/text/limits.py).
"""

from articles.text.limits import MAX_BODY_BYTES, MAX_DESCRIPTION_CHARS  # noqa: F401 (re-exported)

KB = 1024
MB = 1024 * KB

MAX_FILE_BYTES = 2 * MB  # a content file (import_site(max_file_bytes=...), --max-file-size)
MAX_CONFIG_BYTES = 1 * MB  # the site's hugo.toml / config.yaml ...
MAX_FRONT_MATTER_BYTES = 64 * KB  # the text between the fences (or the JSON object)
MAX_ALIAS_EXPANSION = 64 * KB  # what YAML aliases may add: characters of scalars + nodes
MAX_NESTING = 50  # lists and maps inside each other, in front matter
MAX_EXTRA_BYTES = 64 * KB  # the JSON of an article's `extra`
MAX_SHORTCODE_NESTING = 10  # paired shortcodes inside each other


class LimitError(ValueError):
    """Over a bound; the message is the report's reason, as it is shown."""


def size_text(n):
    """1536 -> "1.5 KB", 2097152 -> "2 MB", 1058000 -> "1.01 MB"."""
    for unit, factor in (("MB", MB), ("KB", KB)):
        if n >= factor:
            return f"{n / factor:.2f}".rstrip("0").rstrip(".") + f" {unit}"
    return f"{n} bytes"


def check_body(text, *, source="HTML"):
    """Raise LimitError when a body (its Markdown or HTML source, or the HTML made of it) is
    over MAX_BODY_BYTES."""
    if len(text) * 4 <= MAX_BODY_BYTES:  # at most 4 UTF-8 bytes a character: no need to count
        return
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_BODY_BYTES:
        raise LimitError(
            f"body too large: {size_text(size)} of {source}, over the "
            f"{size_text(MAX_BODY_BYTES)} limit; not imported"
        )
