"""An article's address (articles/models/addresses.py, slug_address()) is reverse()'s, made
from a template reversed once per language: the same text for any slug, the same error for a
slug the URL pattern refuses."""

import pytest
from django.test import override_settings
from django.urls import NoReverseMatch, reverse, set_script_prefix
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from articles.models.addresses import slug_address

SLUGS = [
    "shang-hai-yuan-yu-zhou",
    "元宇宙",
    "web3_0-新闻-2026",
    "Ünïcödé-слово",
    "a",
    "--",
    "__",
    "a b",
    "a/b",
    "100%",
    "?q=1",
    "",
    "#x",
    "slugmarkerslug",
]


def reversed_or_error(write, language, slug):
    try:
        with translation.override(language):
            return write(slug)
    except NoReverseMatch:
        return NoReverseMatch


def by_reverse(slug):
    return reverse("articles:article-detail", kwargs={"slug": slug})


def by_template(slug):
    return slug_address("articles:article-detail", slug=slug)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("slug", SLUGS)
def test_the_address_is_reverses(language, slug):
    assert reversed_or_error(by_template, language, slug) == reversed_or_error(
        by_reverse, language, slug
    )


@given(st.text(max_size=12))
def test_any_slug_gets_reverses_address_or_error(slug):
    for language in ("zh-hans", "en"):
        assert reversed_or_error(by_template, language, slug) == reversed_or_error(
            by_reverse, language, slug
        )


def test_the_language_argument_and_the_script_prefix():
    with translation.override("zh-hans"):
        assert slug_address("articles:article-detail", slug="元宇宙", language="en") == (
            "/en/articles/%E5%85%83%E5%AE%87%E5%AE%99/"
        )
    set_script_prefix("/news/")
    try:
        with override_settings(FORCE_SCRIPT_NAME="/news/"):
            assert by_template("abc") == by_reverse("abc") == "/news/articles/abc/"
    finally:
        set_script_prefix("/")
