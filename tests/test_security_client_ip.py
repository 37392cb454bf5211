"""The client address the login throttle counts (newsroom/client_ip.py), with spoofed headers.

The rule: REMOTE_ADDR, unless it is one of TRUSTED_PROXIES; then the X-Forwarded-For entry that
proxy appended (the right-most one), repeated for at most TRUSTED_PROXY_COUNT proxies. What a
client writes into X-Forwarded-For itself is never believed.
"""

import logging

import pytest
from axes.helpers import get_client_ip_address
from django.test import RequestFactory

from newsroom import client_ip as client_ip_module
from newsroom import settings as project
from newsroom.client_ip import client_ip

NGINX = "127.0.0.1"


@pytest.fixture
def one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXIES = ["127.0.0.1/32", "::1/128"]


def request(remote, forwarded=None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/admin/login/", **headers)


def test_without_a_proxy_the_connection_is_the_client(one_proxy):
    assert client_ip(request("203.0.113.7")) == "203.0.113.7"


def test_behind_our_proxy_the_address_it_appended_is_the_client(one_proxy):
    assert client_ip(request(NGINX, "203.0.113.7")) == "203.0.113.7"


@pytest.mark.parametrize(
    "spoofed",
    [
        "127.0.0.1",  # "I am the proxy"
        "10.0.0.99",  # a colleague's address
        "198.51.100.1, 10.0.0.99",
        "not-an-ip",
        "10.0.0.99, 127.0.0.1, ::1",  # a chain of "trusted" hops
    ],
)
def test_what_a_client_writes_before_the_proxy_is_ignored(one_proxy, spoofed):
    # nginx appends the address it saw ($proxy_add_x_forwarded_for) after the client's value.
    assert client_ip(request(NGINX, f"{spoofed}, 203.0.113.7")) == "203.0.113.7"


@pytest.mark.parametrize("spoofed", ["10.0.0.99", "127.0.0.1", "198.51.100.1, 10.0.0.99"])
def test_a_client_talking_to_the_app_directly_cannot_choose_its_address(one_proxy, spoofed):
    assert client_ip(request("203.0.113.7", spoofed)) == "203.0.113.7"


def test_rotating_the_header_does_not_spread_attempts_over_addresses(one_proxy):
    seen = {client_ip(request("203.0.113.7", f"10.0.{n}.1")) for n in range(20)}
    assert seen == {"203.0.113.7"}


def test_a_proxy_count_of_zero_ignores_the_header(settings, one_proxy):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request(NGINX, "203.0.113.7")) == NGINX


def test_two_proxies_read_two_entries_from_the_right_and_no_further(settings):
    # balancer 10.0.0.5 -> nginx 10.0.0.6 -> app
    settings.TRUSTED_PROXY_COUNT = 2
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert client_ip(request("10.0.0.6", "1.2.3.4, 203.0.113.7, 10.0.0.5")) == "203.0.113.7"
    # a client that bypasses the balancer and talks to nginx: nginx's entry is the client
    assert client_ip(request("10.0.0.6", "10.0.0.5, 203.0.113.7")) == "203.0.113.7"
    # and a client claiming to be the balancer itself gets no further than that claim
    assert client_ip(request("10.0.0.6", "1.2.3.4, 10.0.0.5, 10.0.0.5")) == "10.0.0.5"


def test_an_unknown_proxy_is_the_client_and_is_reported_once(settings, caplog):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]
    client_ip_module._warned.clear()
    with caplog.at_level(logging.WARNING, logger="newsroom.client_ip"):
        assert client_ip(request("10.0.0.6", "203.0.113.7")) == "10.0.0.6"
        assert client_ip(request("10.0.0.7", "203.0.113.8")) == "10.0.0.7"
    warnings = [r for r in caplog.records if "TRUSTED_PROXIES" in r.getMessage()]
    assert len(warnings) == 1


def test_a_proxy_that_appended_nothing_usable_leaves_the_proxy(one_proxy):
    assert client_ip(request(NGINX, "")) == NGINX
    assert client_ip(request(NGINX, "203.0.113.7, garbage")) == NGINX


def test_ipv6_and_mapped_ipv4_addresses(one_proxy):
    assert client_ip(request("::1", "2001:db8::7")) == "2001:db8::7"
    assert client_ip(request("::ffff:127.0.0.1", "203.0.113.7")) == "203.0.113.7"
    assert client_ip(request(NGINX, "2001:DB8:0:0::7")) == "2001:db8::7"


def test_axes_uses_it(settings, one_proxy):
    assert settings.AXES_CLIENT_IP_CALLABLE == "newsroom.client_ip.client_ip"
    assert get_client_ip_address(request(NGINX, "10.0.0.99, 203.0.113.7")) == "203.0.113.7"


def test_defaults_trust_the_local_nginx_of_docs_nginx_conf():
    assert project.TRUSTED_PROXY_COUNT == 1
    assert project.TRUSTED_PROXIES == ["127.0.0.1/32", "::1/128"]
    assert project.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
