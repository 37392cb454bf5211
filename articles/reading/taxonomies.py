"""The taxonomies readers browse, in one registry.

Each entry drives its list page, its RSS and Atom feeds, its sitemap, its URL patterns
(articles/urls.py) and the feed links in its pages' <head> (articles/jinja/seo.py). A new
taxonomy is one more entry here.
"""

from dataclasses import dataclass

from articles.models import Author, Section, Tag, Topic


@dataclass(frozen=True)
class Taxonomy:
    name: str  # URL names <name>-detail, <name>-feed and <name>-feed-atom
    model: type
    prefix: str  # /<prefix>/<slug>/
    article_field: str  # how Article points at the model: Article.objects.filter(<field>=obj)
    sitemap: str  # the sitemap section's name
    sitemap_priority: float = 0.5
    # Its page lists the term's articles and nothing else that changes: a change to the newest
    # article refreshes the pages of that article's own terms only (pagecache/terms.py). Not
    # sections: theirs show channels, filters and the most read too.
    term_pages: bool = True

    @property
    def detail_url_name(self):
        return f"{self.name}-detail"

    @property
    def feed_url_name(self):
        return f"{self.name}-feed"

    @property
    def atom_url_name(self):
        return f"{self.name}-feed-atom"


TAXONOMIES = (
    Taxonomy("tag", Tag, "tags", "tags", sitemap="tags"),
    Taxonomy("section", Section, "sections", "section", sitemap="sections", term_pages=False),
    Taxonomy("topic", Topic, "topics", "topics", sitemap="topics"),
    Taxonomy("author", Author, "authors", "authors", sitemap="authors", sitemap_priority=0.3),
)
BY_MODEL = {taxonomy.model: taxonomy for taxonomy in TAXONOMIES}
