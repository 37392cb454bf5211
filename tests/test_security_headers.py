"""Production security settings: cookies, HSTS, headers and the Content-Security-Policy."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _policy(response):
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/admin/login/"])
def test_every_response_carries_the_security_headers(client, url):
    response = client.get(url)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"
    policy = _policy(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]


@pytest.mark.django_db
def test_no_inline_script_is_needed_on_the_article_add_page(staff_client):
    """Under script-src 'self' an inline script would be blocked: there must be none."""
    from html.parser import HTMLParser

    class Scripts(HTMLParser):
        inline = []

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "script" and "src" not in attrs:
                if attrs.get("type") not in {"application/json", "application/ld+json"}:
                    self.inline.append(attrs)

    parser = Scripts()
    parser.feed(staff_client.get("/admin/articles/article/add/").content.decode())
    assert parser.inline == []


def _production_settings(**extra):
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "prod-like-" + "k" * 60,
        "ALLOWED_HOSTS": "example.com",
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        **extra,
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, s.SECURE_CONTENT_TYPE_NOSNIFF)"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_production_cookies_are_secure_and_http_only_with_hsts():
    result = _production_settings()
    assert result.returncode == 0, result.stderr
    secure, httponly, csrf_secure, hsts, redirect, nosniff = result.stdout.split()
    assert (secure, httponly, csrf_secure, redirect, nosniff) == ("True",) * 5
    assert int(hsts) >= 31536000


def test_check_deploy_is_clean_with_production_settings():
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "prod-like-" + "k" * 60,
        "ALLOWED_HOSTS": "example.com",
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
