from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import TemplateView
from django.views.i18n import set_language
from django.views.static import serve as serve_file

from articles.media.uploads import editor_upload
from articles.reading.sitemaps import sitemap, sitemap_index
from newsroom.csp_report import csp_report

admin.site.site_header = _("元宇宙导航 · 编辑部")
admin.site.site_title = _("编辑部")
admin.site.index_title = _("内容管理")

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    # Exempt from CSRF: the switcher is on every page, and anonymous pages come from the page
    # cache (articles/pagecache/middleware.py), so their token cannot match each reader's cookie. Switching
    # someone's language is the only thing a forged request could do.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    # django-ckeditor-5's own upload view stores the file as sent, under the sender's name: its
    # URL name now leads to ours, which re-encodes the image and names the file itself.
    path("ckeditor5/image_upload/", editor_upload, name="ck_editor_5_upload_file"),
    # Browsers report Content-Security-Policy violations here (settings: report-uri, report-to).
    path("csp-report/", csp_report, name="csp-report"),
    path("sitemap.xml", sitemap_index, name="sitemap"),
    path("sitemap-<slug:section>.xml", sitemap, name="sitemap-part"),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain; charset=utf-8"),
        name="robots",
    ),
    path("favicon.ico", lambda request: redirect(static("favicon.svg"), permanent=True)),
]
# The site's language at /, every other language under its prefix (/en/...): each page is in
# one language, whatever the browser asks for (docs/SEARCH.md, "Languages").
urlpatterns += i18n_patterns(path("", include("articles.urls")), prefix_default_language=False)

# An uncaught database error outside a view (a middleware, the 404 page) is a 503 too.
handler500 = "newsroom.unavailable.server_error"

if settings.SERVE_MEDIA:
    # Laptops and tests only: in production the web server (docs/DEPLOYMENT.md) or object
    # storage serves media.
    urlpatterns += [
        re_path(
            rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.*)$",
            serve_file,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]
