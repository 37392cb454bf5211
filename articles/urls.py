from django.urls import path, register_converter

from . import uploads, views
from .converters import UnicodeSlugConverter

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
    path("editor/upload/", uploads.editor_upload, name="editor-upload"),
]
