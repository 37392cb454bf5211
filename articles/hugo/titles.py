"""Names in other languages: Hugo's language codes as Django's, and a row's translations."""

# Hugo language code (lower case) -> the code Django's LANGUAGES uses.
_CHINESE = {
    "zh": "zh-hans",
    "zh-cn": "zh-hans",
    "zh-sg": "zh-hans",
    "zh-hans": "zh-hans",
    "zh-tw": "zh-hant",
    "zh-hk": "zh-hant",
    "zh-mo": "zh-hant",
    "zh-hant": "zh-hant",
}


def django_language(code):
    """`zh-cn` -> `zh-hans`, `en-us` (any `en*`) -> `en`, others lower-cased as they are."""
    code = str(code).strip().lower().replace("_", "-")
    if code in _CHINESE:
        return _CHINESE[code]
    if code.startswith("en"):
        return "en"
    return code


def merged_translations(current, found):
    """current translations with the languages `found` adds; what an editor wrote stays."""
    merged = {lang: dict(values) for lang, values in (current or {}).items()}
    for lang, values in (found or {}).items():
        have = merged.setdefault(lang, {})
        for key, value in values.items():
            if value and not have.get(key):
                have[key] = value
    return merged
