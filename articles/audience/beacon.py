"""POST /read/<article id>/: an article page's script (static/js/reads.js) saying a reader
opened it. The page itself may come from the page cache or nginx, so it cannot count.

Answers 204 whatever happens and is never cached. It reads and writes the cache only
(counting.record_view()); about once a minute per process it also writes the finished minutes
to the database (flush.flush_if_due()). Exempt from CSRF, as the page it comes from is cached
without a token: forging one counts one view per client and article in half an hour at most.
"""

import logging

from django.http import HttpResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from articles.audience.counting import record_view
from articles.audience.flush import flush_if_due

logger = logging.getLogger(__name__)

LARGEST_ID = 2**63 - 1


def _counts(request):
    """Whether the request may be a reader's: sent by one of our pages (browsers say where a
    request comes from), and not a page the browser prefetched without showing it."""
    site = request.headers.get("Sec-Fetch-Site")
    purpose = request.headers.get("Sec-Purpose", "") + request.headers.get("Purpose", "")
    return site in (None, "same-origin") and "prefetch" not in purpose


@method_decorator([csrf_exempt, never_cache], name="dispatch")
class ReadBeacon(View):
    http_method_names = ["post"]
    # request -> the client's address; articles/urls.py gives newsroom.client_ip's, which
    # believes X-Forwarded-For from our own proxies only.
    client_address = None

    def post(self, request, article_id):
        if _counts(request) and 0 < article_id <= LARGEST_ID:
            try:
                record_view(
                    article_id=article_id,
                    address=self.client_address(request),
                    user_agent=request.headers.get("User-Agent", ""),
                )
                flush_if_due()
            except Exception as error:  # noqa: BLE001 - a view not counted is no reader's error
                logger.warning("view of article %s not counted: %s", article_id, error)
        return HttpResponse(status=204)
