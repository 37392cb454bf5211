"""The login throttle behind the real nginx of docs/nginx.conf.

nginx is started on a free port in front of the live test server, with the repository's config
(only paths and ports changed: tests/servers.py). Different clients are different loopback
source addresses (127.0.0.2 and 127.0.0.3: the whole 127/8 answers on Linux), so nginx sees, and
appends to X-Forwarded-For, a different address for each; what the clients put into
X-Forwarded-For themselves must change nothing. Skipped when nginx is not installed.
"""

import http.client
import re
import urllib.parse

import pytest
from axes.models import AccessAttempt

from tests.servers import NGINX, running_nginx

ATTACKER, COLLEAGUE = "127.0.0.2", "127.0.0.3"
PASSWORD = "right-horse-42"

pytestmark = [
    pytest.mark.skipif(NGINX is None, reason="nginx is not installed (apt-get install nginx)"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def nginx(live_server):
    with running_nginx(live_server.thread.port) as port:
        yield port


class Browser:
    """One person at one address: keeps its cookies, talks to nginx from `source`."""

    def __init__(self, port, source):
        self.port, self.source, self.cookies = port, source, {}

    def request(self, method, path, body=None, headers=()):
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=15, source_address=(self.source, 0)
        )
        sent = {"Host": "localhost", **dict(headers)}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";")[0]
        return response.status, text

    def log_in(self, username, password, *, forwarded_for=None):
        status, page = self.request("GET", "/admin/login/")
        assert status == 200, page[:300]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token,
                "username": username,
                "password": password,
                "next": "/admin/",
            }
        )
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if forwarded_for:
            headers["X-Forwarded-For"] = forwarded_for
        status, _page = self.request("POST", "/admin/login/", body, headers)
        return status


@pytest.fixture
def throttled(settings):
    settings.AXES_ENABLED = True
    # the defaults, spelled out: one proxy (nginx), on this machine
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXIES = ["127.0.0.1/32", "::1/128"]


def test_wrong_passwords_from_one_address_lock_out_that_address_only(
    nginx, throttled, django_user_model
):
    django_user_model.objects.create_superuser("admin", "admin@example.com", PASSWORD)
    attacker, colleague = Browser(nginx, ATTACKER), Browser(nginx, COLLEAGUE)

    # Five wrong passwords for admin, each claiming another origin in X-Forwarded-For
    # (the colleague's address, the proxy's, made-up ones): all are counted as the attacker's.
    claims = [COLLEAGUE, "127.0.0.1", "10.1.2.3", f"{COLLEAGUE}, 127.0.0.1", None]
    statuses = [attacker.log_in("admin", "wrong", forwarded_for=claim) for claim in claims]
    assert statuses == [200, 200, 200, 200, 429]
    assert attacker.log_in("admin", PASSWORD) == 429  # locked: even the right password

    # admin, signing in correctly from elsewhere, is not locked out.
    assert colleague.log_in("admin", PASSWORD) == 302
    status, page = colleague.request("GET", "/admin/")
    assert status == 200 and 'id="user-tools"' in page

    # The lock-out is the attacker's address with that username, and stays.
    assert list(AccessAttempt.objects.values_list("username", "ip_address")) == [
        ("admin", ATTACKER)
    ]
    assert attacker.log_in("admin", PASSWORD) == 429
