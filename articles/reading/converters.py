from articles.models.addresses import SLUG_REGEX


class UnicodeSlugConverter:
    """Like Django's `slug`, but letters of any script: /tags/元宇宙/ resolves too."""

    regex = SLUG_REGEX

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value
