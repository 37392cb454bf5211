"""The CSP violation endpoint (newsroom/csp_report.py): logs what browsers report, bounded."""

import json
import logging

import pytest
from django.test import Client

from newsroom import csp_report
from newsroom.csp_report import LineBudget

URL = "/csp-report/"

REPORT_URI_BODY = {
    "csp-report": {
        "document-uri": "https://news.example.com/articles/x/",
        "violated-directive": "style-src-attr",
        "effective-directive": "style-src-attr",
        "blocked-uri": "inline",
        "source-file": "https://news.example.com/static/js/lightbox.js",
        "line-number": 12,
        "script-sample": "",
    }
}
REPORT_TO_BODY = [
    {
        "type": "csp-violation",
        "url": "https://news.example.com/",
        "body": {
            "documentURL": "https://news.example.com/",
            "effectiveDirective": "script-src-elem",
            "blockedURL": "https://evil.example/x.js",
            "sourceFile": "https://news.example.com/",
            "lineNumber": 3,
            "sample": "",
            "disposition": "enforce",
        },
    },
    {"type": "deprecation", "body": {"id": "something-else"}},
]


@pytest.fixture(autouse=True)
def fresh_budget(monkeypatch):
    monkeypatch.setattr(csp_report, "budget", LineBudget(csp_report.LINES_PER_MINUTE))


@pytest.fixture
def browser():
    # Browsers send reports without a CSRF token: the endpoint must not need one.
    return Client(enforce_csrf_checks=True)


def _lines(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "newsroom.csp"]


def _post(client, body, content_type="application/csp-report"):
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post(URL, data, content_type=content_type)


def test_a_report_uri_report_is_logged_at_warning(browser, caplog):
    with caplog.at_level(logging.WARNING, logger="newsroom.csp"):
        response = _post(browser, REPORT_URI_BODY)
    assert response.status_code == 204
    (record,) = [r for r in caplog.records if r.name == "newsroom.csp"]
    assert record.levelno == logging.WARNING
    line = record.getMessage()
    for part in ["/articles/x/", "style-src-attr", "inline", "lightbox.js", "12"]:
        assert part in line


def test_a_report_to_batch_logs_its_csp_violations_only(browser, caplog):
    with caplog.at_level(logging.WARNING, logger="newsroom.csp"):
        response = _post(browser, REPORT_TO_BODY, "application/reports+json")
    assert response.status_code == 204
    (line,) = _lines(caplog)
    assert "script-src-elem" in line and "https://evil.example/x.js" in line


def test_only_post(browser):
    assert browser.get(URL).status_code == 405
    assert browser.put(URL, "{}", content_type="application/csp-report").status_code == 405


@pytest.mark.parametrize(
    "body, content_type, status",
    [
        ("{}", "text/plain", 415),
        ("{}", "application/x-www-form-urlencoded", 415),
        ("not json", "application/csp-report", 400),
        (b"\xff\xfe", "application/json", 400),
        ("x" * (16 * 1024 + 1), "application/csp-report", 413),
        ('{"csp-report": "%s"}' % ("x" * 20000), "application/csp-report", 413),
        ("[]", "application/reports+json", 204),
        ('{"csp-report": 5}', "application/csp-report", 204),
        ("[1, null, {}]", "application/reports+json", 204),
    ],
)
def test_anything_else_is_refused_without_logging(browser, caplog, body, content_type, status):
    with caplog.at_level(logging.WARNING, logger="newsroom.csp"):
        assert _post(browser, body, content_type).status_code == status
    assert _lines(caplog) == []


def test_what_is_logged_is_one_line_and_short(browser, caplog):
    hostile = {
        "csp-report": {
            "document-uri": "https://x/\nFAKE LOG LINE\r\x1b[31m" + "y" * 5000,
            "blocked-uri": "inline\u2028more",
        }
    }
    with caplog.at_level(logging.WARNING, logger="newsroom.csp"):
        assert _post(browser, hostile).status_code == 204
    (line,) = _lines(caplog)
    assert "\n" not in line and "\r" not in line and "\x1b" not in line and "\u2028" not in line
    assert len(line) < 2000


def test_at_most_ten_reports_a_request(browser, caplog):
    batch = [REPORT_TO_BODY[0]] * 50
    with caplog.at_level(logging.WARNING, logger="newsroom.csp"):
        assert _post(browser, batch, "application/reports+json").status_code == 204
    assert len(_lines(caplog)) == csp_report.MAX_REPORTS_PER_REQUEST


def test_a_flood_is_capped_per_minute_and_the_rest_counted(browser, caplog, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(csp_report, "budget", LineBudget(60, clock=lambda: now[0]))
    with caplog.at_level(logging.WARNING, logger="newsroom.csp"):
        for _ in range(100):
            assert _post(browser, REPORT_URI_BODY).status_code == 204
    assert len(_lines(caplog)) == 60
    caplog.clear()
    now[0] += 30  # half a minute refills half the budget
    with caplog.at_level(logging.WARNING, logger="newsroom.csp"):
        for _ in range(40):
            _post(browser, REPORT_URI_BODY)
    lines = _lines(caplog)
    assert lines[0] == "CSP: 40 violation reports not logged (over 60 a minute)"
    assert len([line for line in lines if line.startswith("CSP violation")]) == 30


def test_line_budget_refills_no_higher_than_its_size():
    now = [0.0]
    budget = LineBudget(5, clock=lambda: now[0])
    assert [budget.take()[0] for _ in range(6)] == [True] * 5 + [False]
    now[0] += 3600
    assert [budget.take()[0] for _ in range(6)] == [True] * 5 + [False]
