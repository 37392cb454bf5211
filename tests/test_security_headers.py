"""Production security settings: cookies, HSTS, headers and the Content-Security-Policy."""

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from articles.reading.views import HomeView

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


def _inline_style_in(html):
    """style="..." attributes and <style> blocks in a page."""
    return re.findall(r"<style[\s>]|\sstyle\s*=", html, flags=re.I)


@pytest.mark.django_db
def test_public_pages_allow_no_inline_style_and_need_none(client, make_article, section):
    article = make_article(section=section, tags=["元宇宙"], topics=["GameFi"], authors=["Cindy"])
    urls = [
        "/",
        "/articles/",
        article.get_absolute_url(),
        section.get_absolute_url(),
        article.tags.first().get_absolute_url(),
        "/search/?q=文章",
        "/archive/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert _policy(response)["style-src"] == ["'self'"], url
        assert _inline_style_in(response.content.decode()) == [], url
    not_found = client.get("/articles/no-such-article/")
    assert not_found.status_code == 404
    assert _policy(not_found)["style-src"] == ["'self'"]
    assert _inline_style_in(not_found.content.decode()) == []


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/admin/login/", "/admin/articles/article/add/"])
def test_the_admin_keeps_inline_styles_for_ckeditor(client, staff_user, url):
    if url != "/admin/login/":
        client.force_login(staff_user)
    response = client.get(url)
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["script-src"] == ["'self'"]  # styles only: never inline script


@pytest.mark.django_db
def test_only_an_article_page_loading_glightbox_gets_inline_styles(client, make_article):
    image = '<p>正文</p><p><img src="/static/favicon.svg" alt="图"></p>'
    gallery = make_article(title="灯箱", lightbox=True, body=image)
    response = client.get(gallery.get_absolute_url())
    assert "glightbox.min.js" in response.content.decode()
    assert _policy(response)["style-src"] == ["'self'", "'unsafe-inline'"]
    assert _policy(response)["script-src"] == ["'self'"]
    for article in [
        make_article(title="关了灯箱", lightbox=False, body=image),
        make_article(title="没有图片", lightbox=True, body="<p>只有文字</p>"),
    ]:
        response = client.get(article.get_absolute_url())
        assert "glightbox" not in response.content.decode()
        assert _policy(response)["style-src"] == ["'self'"], article.title


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/sitemap.xml", "/feed/", "/feed/atom/", "/robots.txt"])
def test_xml_and_text_keep_inline_styles_for_the_browsers_own_viewer(client, make_article, url):
    """Chromium shows a feed or the sitemap in an XML viewer that styles its tree inline."""
    make_article()
    response = client.get(url)
    assert response.status_code == 200
    assert not response["Content-Type"].startswith("text/html")
    policy = _policy(response)
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["script-src"] == ["'self'"]


@pytest.mark.django_db
def test_the_500_page_keeps_its_style_through_a_hash(client, monkeypatch):
    def broken(view, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(HomeView, "get_context_data", broken)
    client.raise_request_exception = False
    response = client.get("/")
    assert response.status_code == 500
    style_src = _policy(response)["style-src"]
    assert "'unsafe-inline'" not in style_src
    (css,) = re.findall(r"<style>(.*?)</style>", response.content.decode(), flags=re.S)
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    assert style_src == ["'self'", f"'sha256-{digest}'"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/admin/login/"])
def test_violations_are_reported_to_our_endpoint(client, url):
    response = client.get(url)
    policy = _policy(response)
    assert policy["report-uri"] == ["/csp-report/"]
    assert policy["report-to"] == ["csp-endpoint"]
    assert response["Reporting-Endpoints"] == 'csp-endpoint="/csp-report/"'
    report = {"csp-report": {"document-uri": "http://testserver/", "blocked-uri": "inline"}}
    answer = client.post("/csp-report/", json.dumps(report), content_type="application/csp-report")
    assert answer.status_code == 204


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
