"""export_hugo writes what import_hugo reads: import -> export -> import gives the same."""

import pytest
from django.contrib.redirects.models import Redirect
from django.core.management import call_command

from articles.hugo.frontmatter import decode, split
from articles.hugo.importer import import_site
from articles.models import Article, Author, Section, Tag, Topic
from tests.hugo_sites import DEMO_SITE, page, png, write_site

pytestmark = pytest.mark.django_db

SITE = {
    "news/_index.md": page("资讯", description='"行业新闻"'),
    "news/a/index.md": page(
        "甲文",
        date="2022-07-28T21:38:40+08:00",
        lastmod="2022-07-28T10:20:40+08:00",
        authors='["Cindy", "Bob"]',
        description='"摘要"',
        featuredImage="cover.png",
        tags='["元宇宙", "Web3.0"]',
        categories='["news", "Action Games"]',
        news='["元宇宙", "GameFi"]',
        weight="4",
        lightgallery="false",
        pinned="true",
        recommend="true",
        recommend1="false",
        aliases='["/old/jia/"]',
        toc="\n  enable: true",
        body=(
            "# 标题\n\n![图](inline.png)\n\n![远程](https://example.com/r.jpg)\n\n"
            "```\n{{</* figure src=x */>}}\n```\n\n{{< mermaid >}}\n\n| a |\n|---|\n| 1 |\n"
        ),
    ),
    "news/a/cover.png": png(),
    "news/a/inline.png": png(color=(200, 10, 10)),
    "posts/b.md": page("乙文", draft="true", author='"Ann"', featuredImage="missing.png"),
}


def snapshot():
    rows = {}
    for a in Article.objects.all():
        rows[a.slug] = {
            "title": a.title,
            "description": a.description,
            "body": a.body,
            "status": a.status,
            "published_at": a.published_at,
            "updated_at": a.updated_at,
            "weight": a.weight,
            "lightbox": a.lightbox,
            "extra": a.extra,
            "featured_image": a.featured_image.name,
            "featured_image_alt": a.featured_image_alt,
            "section": a.section and (a.section.name, a.section.slug, a.section.description),
            "topics": sorted((t.name, t.slug) for t in a.topics.all()),
            "tags": sorted((t.name, t.slug) for t in a.tags.all()),
            "authors": [x.name for x in a.byline],
            "slots": sorted(a.placements.values_list("slot__key", flat=True)),
            "redirects": sorted(
                Redirect.objects.filter(new_path=a.get_absolute_url()).values_list(
                    "old_path", flat=True
                )
            ),
        }
    return rows


def wipe():
    for model in [Article, Author, Section, Topic, Tag, Redirect]:
        model.objects.all().delete()


def test_round_trip_gives_the_same_articles(tmp_path):
    site = write_site(tmp_path / "site", SITE)
    first = import_site(site_dir=site)
    assert not first.failed and len(first.created) == 2
    before = snapshot()
    assert before["jia-wen"]["slots"] == ["carousel", "pinned"]
    assert before["jia-wen"]["extra"]["categories"] == ["news", "Action Games"]

    call_command("export_hugo", str(tmp_path / "out"))
    wipe()
    again = import_site(site_dir=tmp_path / "out")
    assert not again.failed, again.failed
    assert sorted(again.created) == ["articles/jia-wen/index.html", "articles/yi-wen/index.html"]
    after = snapshot()
    _print_differences(before, after)
    assert after == before


def test_export_bundle_layout_and_front_matter(tmp_path):
    import_site(site_dir=write_site(tmp_path / "site", SITE))
    call_command("export_hugo", str(tmp_path / "out"))
    bundle = tmp_path / "out" / "content" / "articles" / "jia-wen"
    files = sorted(p.name for p in bundle.iterdir())
    assert len(files) == 3 and "index.html" in files
    meta = split(decode((bundle / "index.html").read_bytes())).meta
    assert meta["title"] == "甲文" and meta["date"] == "2022-07-28T21:38:40+08:00"
    assert meta["authors"] == ["Cindy", "Bob"] and sorted(meta["news"]) == ["GameFi", "元宇宙"]
    assert (meta["pinned"], meta["recommend"], meta["recommend1"]) == (True, True, False)
    assert meta["toc"] == {"enable": True} and meta["weight"] == 4
    assert "/old/jia/" in meta["aliases"] and "/news/a/" in meta["aliases"]
    assert (bundle / meta["featuredImage"]).is_file()
    body = (bundle / "index.html").read_text(encoding="utf-8")
    assert "/media/" not in body  # images point at files in the bundle


def test_seed_round_trip(tmp_path):
    import_site(site_dir=DEMO_SITE)
    before = snapshot()
    call_command("export_hugo", str(tmp_path / "out"))
    wipe()
    assert not import_site(site_dir=tmp_path / "out").failed
    assert snapshot() == before


def _print_differences(a, b):
    for slug in a:
        for key in a[slug]:
            if a[slug][key] != b.get(slug, {}).get(key):
                print("DIFF", slug, key, repr(a[slug][key])[:300], "||", repr(b[slug][key])[:300])
