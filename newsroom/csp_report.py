"""Where browsers send Content-Security-Policy violations (`report-uri` and `report-to`).

Each violation becomes one WARNING line on the `newsroom.csp` logger: the page, the directive,
what was blocked and where. The endpoint is public (browsers post without cookies or tokens),
so it is bounded every way: POST only, JSON only, at most 16 KB and 10 reports a request, and
at most 60 lines a minute per process; what is over is counted and said in one line.
"""

import json
import logging
import re
import threading
import time

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

logger = logging.getLogger("newsroom.csp")

MAX_BODY_BYTES = 16 * 1024
MAX_REPORTS_PER_REQUEST = 10
LINES_PER_MINUTE = 60
FIELD_CHARS = 300
CONTENT_TYPES = {"application/csp-report", "application/reports+json", "application/json"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")

# (report-uri field, report-to field) for each thing logged
FIELDS = {
    "page": ("document-uri", "documentURL"),
    "directive": ("effective-directive", "effectiveDirective"),
    "blocked": ("blocked-uri", "blockedURL"),
    "source": ("source-file", "sourceFile"),
    "line": ("line-number", "lineNumber"),
    "sample": ("script-sample", "sample"),
}


class LineBudget:
    """A token bucket: `per_minute` lines, refilled continuously; counts what it refuses."""

    def __init__(self, per_minute, clock=time.monotonic):
        self.per_minute, self.clock = per_minute, clock
        self.tokens, self.updated, self.refused = float(per_minute), clock(), 0
        self.lock = threading.Lock()

    def take(self):
        """(allowed, refused since the last allowed line)."""
        with self.lock:
            now = self.clock()
            self.tokens = min(
                self.per_minute, self.tokens + (now - self.updated) * self.per_minute / 60
            )
            self.updated = now
            if self.tokens < 1:
                self.refused += 1
                return False, 0
            self.tokens -= 1
            refused, self.refused = self.refused, 0
            return True, refused


budget = LineBudget(LINES_PER_MINUTE)


def _clean(value):
    return _CONTROL.sub(" ", str(value))[:FIELD_CHARS]


def violations(data):
    """The violations in either format, as dicts of FIELDS (strings), at most 10."""
    if isinstance(data, dict) and isinstance(data.get("csp-report"), dict):
        found = [(data["csp-report"], 0)]  # report-uri: one report
    elif isinstance(data, list):  # report-to: a list of reports of any type
        found = [
            (item["body"], 1)
            for item in data
            if isinstance(item, dict)
            and item.get("type") == "csp-violation"
            and isinstance(item.get("body"), dict)
        ]
    else:
        found = []
    return [
        {name: _clean(body.get(keys[style], "")) for name, keys in FIELDS.items()}
        for body, style in found[:MAX_REPORTS_PER_REQUEST]
    ]


@csrf_exempt
@require_POST
def csp_report(request):
    content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    if content_type not in CONTENT_TYPES:
        return HttpResponse(status=415)
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return HttpResponse(status=400)
    if declared > MAX_BODY_BYTES:
        return HttpResponse(status=413)
    body = request.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        return HttpResponse(status=413)
    try:
        data = json.loads(body)
    except ValueError:
        return HttpResponse(status=400)
    for violation in violations(data):
        allowed, refused = budget.take()
        if not allowed:
            continue
        if refused:
            logger.warning(
                "CSP: %d violation reports not logged (over %d a minute)", refused, LINES_PER_MINUTE
            )
        logger.warning(
            "CSP violation on %(page)s: %(directive)s blocked %(blocked)s "
            "(%(source)s line %(line)s) %(sample)s",
            violation,
        )
    return HttpResponse(status=204)
