"""Which language a request is answered in.

Public pages are in the language their URL says (newsroom/urls.py: the site's language at /,
the others under their prefix, /en/...), whatever the browser prefers: one URL, one page, which
caches and search engines need. Everything else (the admin, the editor's upload endpoint) is in
the editor's own choice, as Django's LocaleMiddleware picks it without URL prefixes: the
language cookie, then Accept-Language.
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class LocaleByPageMiddleware(LocaleMiddleware):
    def process_request(self, request):
        if request.path_info.startswith(f"/{settings.ADMIN_URL}"):
            language = translation.get_language_from_request(request, check_path=False)
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
            return
        super().process_request(request)
