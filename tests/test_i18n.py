"""Simplified Chinese by default, English on request; the catalogue is complete and compiled."""

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

LOCALE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"


def po_entries():
    """(msgid, [msgstr...], flags) for each entry of the English .po file."""
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    entries = []
    for block in text.split("\n\n"):
        fields, current = {}, None
        for line in block.splitlines():
            match = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$', line)
            if match:
                current = match.group(1)
                fields[current] = match.group(2)
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        flags = " ".join(line for line in block.splitlines() if line.startswith("#,"))
        if fields.get("msgid"):
            strs = [v for k, v in fields.items() if k.startswith("msgstr")]
            entries.append((fields["msgid"], strs, flags))
    return entries


def test_every_english_entry_is_translated_and_not_fuzzy():
    entries = po_entries()
    assert len(entries) > 100
    untranslated = [msgid for msgid, strs, _ in entries if not all(strs)]
    fuzzy = [msgid for msgid, _, flags in entries if "fuzzy" in flags]
    assert untranslated == [] and fuzzy == []


def test_compiled_catalogue_matches_the_po_file():
    with open(LOCALE / "django.mo", "rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    for msgid, strs, _ in po_entries():
        if "\\" in msgid:
            continue  # escaped characters: compared by the tests below through Django instead
        assert catalogue.gettext(msgid) == strs[0].replace('\\"', '"'), msgid


def test_site_speaks_simplified_chinese_by_default(client):
    html = client.get("/").text
    assert '<html lang="zh-hans">' in html
    assert "全部文章" in html and "跳到正文" in html


def test_english_on_request(client):
    html = client.get("/", headers={"accept-language": "en"}).text
    assert '<html lang="en">' in html
    assert "All articles" in html and "Skip to content" in html and "全部文章" not in html
    search = client.get(
        reverse("articles:search"), {"q": "上海"}, headers={"accept-language": "en"}
    ).text
    assert "0 articles found for “上海”" in search


def test_language_switch_sets_the_language_and_returns(client):
    html = client.get("/articles/").text
    assert 'action="/i18n/setlang/"' in html
    assert 'name="language" value="en"' in html and 'name="language" value="zh-hans"' in html
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/articles/"})
    assert response.status_code == 302 and response["Location"] == "/articles/"
    assert "All articles" in client.get("/articles/").text
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "全部文章" in client.get("/articles/").text


def test_english_reading_time_and_archive(client, make_article):
    article = make_article(body="<p>" + "字" * 1200 + "</p>")
    html = client.get(article.get_absolute_url(), headers={"accept-language": "en"}).text
    assert "3 min read" in html
    assert (
        "Archive" in client.get(reverse("articles:archive"), headers={"accept-language": "en"}).text
    )
