"""Simplified Chinese by default, English on request; the catalogue is complete and compiled."""

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from .sitemap_pages import sitemap_text

pytestmark = pytest.mark.django_db

LOCALE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"


def po_entries():
    """(msgid, [msgstr...], flags) for each entry of the English .po file."""
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    entries = []
    for block in text.split("\n\n"):
        fields, current = {}, None
        for line in block.splitlines():
            match = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$', line)
            if match:
                current = match.group(1)
                fields[current] = match.group(2)
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        flags = " ".join(line for line in block.splitlines() if line.startswith("#,"))
        if fields.get("msgid"):
            strs = [v for k, v in fields.items() if k.startswith("msgstr")]
            entries.append((fields["msgid"], strs, flags, fields.get("msgctxt")))
    return entries


def test_every_english_entry_is_translated_and_not_fuzzy():
    entries = po_entries()
    assert len(entries) > 100
    untranslated = [msgid for msgid, strs, _, _context in entries if not all(strs)]
    fuzzy = [msgid for msgid, _, flags, _context in entries if "fuzzy" in flags]
    assert untranslated == [] and fuzzy == []


def test_compiled_catalogue_matches_the_po_file():
    with open(LOCALE / "django.mo", "rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    for msgid, strs, _, context in po_entries():
        if "\\" in msgid:
            continue  # escaped characters: compared by the tests below through Django instead
        found = catalogue.pgettext(context, msgid) if context else catalogue.gettext(msgid)
        assert found == strs[0].replace('\\"', '"'), msgid


def test_site_speaks_simplified_chinese_by_default(client):
    html = client.get("/").text
    assert '<html lang="zh-hans">' in html
    assert "全部文章" in html and "跳到正文" in html


def test_each_language_has_its_own_pages(client):
    html = client.get("/en/").text
    assert '<html lang="en">' in html
    assert "All articles" in html and "Skip to content" in html and "全部文章" not in html
    search = client.get("/en/search/", {"q": "上海"}).text
    assert "0 articles found for “上海”" in search
    # The site's language at /, whatever the browser asks for: a page is in one language.
    chinese = client.get("/", headers={"accept-language": "en"}).text
    assert '<html lang="zh-hans">' in chinese and "全部文章" in chinese


def test_the_language_switch_leads_to_the_same_page_in_the_other_language(client):
    html = client.get("/articles/").text
    assert 'href="/en/articles/" hreflang="en"' in html
    assert 'rel="alternate" hreflang="en" href="http://testserver/en/articles/"' in html
    english = client.get("/en/articles/").text
    assert "All articles" in english and 'href="/articles/" hreflang="zh-hans"' in english


def test_the_switch_on_an_article_leads_to_its_translation_or_that_languages_home(
    client, make_article
):
    chinese = make_article(title="中文版")
    english = make_article(
        title="English version", language="en", translation_group=chinese.translation_group
    )
    alone = make_article(title="只有中文")
    assert english.get_absolute_url().startswith("/en/articles/")
    page = client.get(chinese.get_absolute_url()).text
    assert f'href="{english.get_absolute_url()}" hreflang="en"' in page
    assert f'hreflang="en" href="http://testserver{english.get_absolute_url()}"' in page
    back = client.get(english.get_absolute_url()).text
    assert f'href="{chinese.get_absolute_url()}" hreflang="zh-hans"' in back
    lonely = client.get(alone.get_absolute_url()).text
    assert 'href="/en/" hreflang="en"' in lonely  # no English version: English home
    assert 'rel="alternate" hreflang="en"' not in lonely


def test_lists_feeds_and_search_are_per_language(client, make_article):
    make_article(title="中文新闻", body="<p>共同词 中文</p>")
    make_article(title="English news", language="en", body="<p>共同词 English</p>")
    for path, mine, other in [
        ("/articles/", "中文新闻", "English news"),
        ("/en/articles/", "English news", "中文新闻"),
        ("/feed/", "中文新闻", "English news"),
        ("/en/feed/", "English news", "中文新闻"),
        ("/search/?q=共同词", "中文新闻", "English news"),
        ("/en/search/?q=共同词", "English news", "中文新闻"),
    ]:
        text = client.get(path).text
        assert mine in text and other not in text, path
    sitemap = sitemap_text(client)
    assert "/en/articles/english-news/" in sitemap


def test_the_sitemap_lists_translations_as_hreflang_alternates(client, make_article):
    chinese = make_article(title="中文版")
    make_article(title="English", language="en", translation_group=chinese.translation_group)
    alone = make_article(title="只有中文")
    sitemap = sitemap_text(client)
    entry = sitemap.split(f"{chinese.get_absolute_url()}</loc>")[1].split("</url>")[0]
    assert 'hreflang="en" href="http://testserver/en/articles/english/"' in entry
    assert f'hreflang="zh-hans" href="http://testserver{chinese.get_absolute_url()}"' in entry
    lonely = sitemap.split(f"{alone.get_absolute_url()}</loc>")[1]
    assert "xhtml:link" not in lonely.split("</url>")[0]


def test_english_reading_time_and_archive(client, make_article):
    article = make_article(body="<p>" + "字" * 1200 + "</p>", language="en")
    html = client.get(article.get_absolute_url()).text
    assert "3 min read" in html
    assert "Archive" in client.get("/en" + reverse("articles:archive")).text
