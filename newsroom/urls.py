from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from articles.sitemaps import SITEMAPS
from articles.uploads import editor_upload

admin.site.site_header = _("元宇宙导航 · 编辑部")
admin.site.site_title = _("编辑部")
admin.site.index_title = _("内容管理")

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # django-ckeditor-5's own upload view stores the file as sent, under the sender's name: its
    # URL name now leads to ours, which re-encodes the image and names the file itself.
    path("ckeditor5/image_upload/", editor_upload, name="ck_editor_5_upload_file"),
    path("sitemap.xml", sitemap_view, {"sitemaps": SITEMAPS}, name="sitemap"),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain; charset=utf-8"),
        name="robots",
    ),
    path("", include("articles.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
