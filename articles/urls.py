from django.urls import path, re_path, register_converter

from articles.media import uploads
from articles.reading import feeds, views
from articles.reading.converters import UnicodeSlugConverter

register_converter(UnicodeSlugConverter, "uslug")

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("articles/", views.ArticleListView.as_view(), name="article-list"),
    path("articles/<uslug:slug>/", views.ArticleDetailView.as_view(), name="article-detail"),
    path("tags/<uslug:slug>/", views.TagDetailView.as_view(), name="tag-detail"),
    path("sections/<uslug:slug>/", views.SectionDetailView.as_view(), name="section-detail"),
    path("topics/<uslug:slug>/", views.TopicDetailView.as_view(), name="topic-detail"),
    path("authors/<uslug:slug>/", views.AuthorDetailView.as_view(), name="author-detail"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("archive/", views.ArchiveIndexView.as_view(), name="archive"),
    path("archive/<int:year>/", views.ArchiveYearView.as_view(), name="archive-year"),
    re_path(
        r"^archive/(?P<year>[0-9]{4})/(?P<month>0[1-9]|1[0-2])/$",
        views.ArchiveMonthView.as_view(),
        name="archive-month",
    ),
    path("feed/", feeds.LatestArticlesFeed(), name="feed"),
    path("feed/atom/", feeds.LatestArticlesAtomFeed(), name="feed-atom"),
    path("sections/<uslug:slug>/feed/", feeds.SectionFeed(), name="section-feed"),
    path("sections/<uslug:slug>/feed/atom/", feeds.SectionAtomFeed(), name="section-feed-atom"),
    path("topics/<uslug:slug>/feed/", feeds.TopicFeed(), name="topic-feed"),
    path("topics/<uslug:slug>/feed/atom/", feeds.TopicAtomFeed(), name="topic-feed-atom"),
    path("tags/<uslug:slug>/feed/", feeds.TagFeed(), name="tag-feed"),
    path("tags/<uslug:slug>/feed/atom/", feeds.TagAtomFeed(), name="tag-feed-atom"),
    path("authors/<uslug:slug>/feed/", feeds.AuthorFeed(), name="author-feed"),
    path("authors/<uslug:slug>/feed/atom/", feeds.AuthorAtomFeed(), name="author-feed-atom"),
    path("editor/upload/", uploads.editor_upload, name="editor-upload"),
]
