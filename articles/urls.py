from django.urls import path, re_path, register_converter

from articles.audience.beacon import ReadBeacon
from articles.media import uploads
from articles.reading import feeds, indexes, share, views
from articles.reading.converters import UnicodeSlugConverter
from articles.reading.taxonomies import TAXONOMIES
from newsroom.client_ip import client_ip

register_converter(UnicodeSlugConverter, "uslug")

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("articles/", views.ArticleListView.as_view(), name="article-list"),
    path("articles/<uslug:slug>/", views.ArticleDetailView.as_view(), name="article-detail"),
    path("articles/<uslug:slug>/qr.svg", share.article_qr, name="article-qr"),
    path("search/", views.SearchView.as_view(), name="search"),
    # The article page's script counts a view here (articles/audience/beacon.py).
    path(
        "read/<int:article_id>/",
        ReadBeacon.as_view(client_address=client_ip),
        name="read-beacon",
    ),
    path("archive/", views.ArchiveIndexView.as_view(), name="archive"),
    re_path(r"^archive/(?P<year>[0-9]{4})/$", views.ArchiveYearView.as_view(), name="archive-year"),
    re_path(
        r"^archive/(?P<year>[0-9]{4})/(?P<month>0[1-9]|1[0-2])/$",
        views.ArchiveMonthView.as_view(),
        name="archive-month",
    ),
    path("feed/", feeds.LatestArticlesFeed(), name="feed"),
    path("feed/atom/", feeds.LatestArticlesAtomFeed(), name="feed-atom"),
    path("editor/upload/", uploads.editor_upload, name="editor-upload"),
    # Index pages (articles/reading/indexes.py); a taxonomy's own pages follow below.
    path("tags/", indexes.TAG_INDEX, name="tag-index"),
    path("sections/", indexes.SECTION_INDEX, name="section-index"),
    path("authors/", indexes.AUTHOR_INDEX, name="author-index"),
    path("topics/", indexes.TopicIndexView.as_view(), name="topic-index"),
    path(
        "vocabularies/<uslug:key>/",
        indexes.VocabularyDetailView.as_view(),
        name="vocabulary-detail",
    ),
]

for taxonomy in TAXONOMIES:
    urlpatterns += [
        path(
            f"{taxonomy.prefix}/<uslug:slug>/",
            views.TaxonomyArticleListView.as_view(taxonomy=taxonomy),
            name=taxonomy.detail_url_name,
        ),
        path(
            f"{taxonomy.prefix}/<uslug:slug>/feed/",
            feeds.TaxonomyFeed(taxonomy),
            name=taxonomy.feed_url_name,
        ),
        path(
            f"{taxonomy.prefix}/<uslug:slug>/feed/atom/",
            feeds.TaxonomyAtomFeed(taxonomy),
            name=taxonomy.atom_url_name,
        ),
    ]
