"""The media library in the admin: browse, search and filter every uploaded or imported image,
edit its alt text and caption, see which articles use it, and delete it only when none does.

The picker (picker_view) is the same library as a popup the article form opens: a grid of
images to click, which hands the chosen one back to the form (static/js/media-picker.js) as
the featured image or into the body at the cursor.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from articles.admin.params import CheckedLookupsMixin
from articles.models import MediaImage

PICKER_PAGE_SIZE = 24
PICKER_TARGETS = ("featured", "body")


class InUseFilter(admin.SimpleListFilter):
    """Used by an article or not. One EXISTS per image over article bodies: run only when the
    filter is chosen, never for the plain list."""

    title = _("使用情况")
    parameter_name = "use"

    def lookups(self, request, model_admin):
        return [("used", _("有文章在用")), ("unused", _("没有文章在用"))]

    def queryset(self, request, queryset):
        if self.value() == "used":
            return queryset.with_use().filter(in_use=True)
        if self.value() == "unused":
            return queryset.with_use().filter(in_use=False)
        return queryset


def human_size(size):
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


@admin.register(MediaImage)
class MediaImageAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ["thumbnail", "name", "dimensions", "file_size", "uploaded_by", "created_at"]
    list_display_links = ["thumbnail", "name"]
    list_filter = [("created_at", admin.DateFieldListFilter), "uploaded_by", InUseFilter]
    list_select_related = ["uploaded_by"]
    search_fields = ["original_name", "file", "alt", "caption"]
    date_hierarchy = "created_at"
    list_per_page = 40
    fields = [
        "preview",
        "alt",
        "caption",
        "used_by",
        "file_link",
        "original_name",
        "dimensions",
        "file_size",
        "uploaded_by",
        "created_at",
    ]
    readonly_fields = [
        name for name in fields if name not in ("alt", "caption")
    ]  # kept with the file

    class Media:
        css = {"all": ["css/media-library.css"]}

    def has_add_permission(self, request):
        # Images come in through the editor's upload button, the featured image field and the
        # import; each of them registers here.
        return False

    def get_urls(self):
        picker = path(
            "picker/",
            self.admin_site.admin_view(self.picker_view),
            name="articles_mediaimage_picker",
        )
        return [picker, *super().get_urls()]

    # The list and the change page.

    @admin.display(description=_("预览"))
    def thumbnail(self, obj):
        # A link's name: the alt text, else the file name (list_display_links links it).
        return format_html(
            '<img class="media-thumb" src="{}" alt="{}" loading="lazy">', obj.url, obj.alt or obj
        )

    @admin.display(description=_("文件名"), ordering="original_name")
    def name(self, obj):
        return str(obj)

    @admin.display(description=_("尺寸"))
    def dimensions(self, obj):
        return f"{obj.width}×{obj.height}" if obj.width and obj.height else "—"

    @admin.display(description=_("大小"), ordering="size")
    def file_size(self, obj):
        return human_size(obj.size) if obj.size else "—"

    @admin.display(description=_("图片"))
    def preview(self, obj):
        return format_html('<img class="media-preview" src="{}" alt="{}">', obj.url, obj.alt)

    @admin.display(description=_("文件"))
    def file_link(self, obj):
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>', obj.url, obj.file.name
        )

    @admin.display(description=_("使用这张图片的文章"))
    def used_by(self, obj):
        articles = list(obj.used_by().only("pk", "title")[:50])
        if not articles:
            return _("没有文章在用这张图片。")
        return format_html(
            '<ul class="media-used-by">{}</ul>',
            format_html_join(
                "",
                '<li><a href="{}">{}</a></li>',
                (
                    (reverse("admin:articles_article_change", args=[a.pk]), a.title)
                    for a in articles
                ),
            ),
        )

    # Deleting: refused while an article uses the image, with the articles named.

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None and self.has_delete_permission(request, obj):
            titles = list(obj.used_by().values_list("title", flat=True))
            if titles:
                messages.error(request, in_use_message(obj, titles))
                change = reverse("admin:articles_mediaimage_change", args=[obj.pk])
                return HttpResponseRedirect(change)
        return super().delete_view(request, object_id, extra_context)

    def get_deleted_objects(self, objs, request):
        """The delete action's confirmation: images in use are "protected", so nothing is
        deleted and the page names them with their articles
        (templates/admin/articles/mediaimage/delete_selected_confirmation.html)."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        for obj in objs:
            titles = list(obj.used_by().values_list("title", flat=True))
            if titles:
                protected.append(in_use_message(obj, titles))
        return deleted, counts, perms_needed, protected

    def delete_model(self, request, obj):
        if obj.used_by().exists():  # a crafted POST past delete_view's check
            raise PermissionDenied
        super().delete_model(request, obj)
        name = obj.file.name
        transaction.on_commit(lambda: default_storage.delete(name))

    def delete_queryset(self, request, queryset):
        refused = []
        for obj in queryset:
            titles = list(obj.used_by().values_list("title", flat=True))
            if titles:
                refused.append(in_use_message(obj, titles))
            else:
                self.delete_model(request, obj)
        for message in refused:
            messages.error(request, message)

    # The picker: the library as a popup of the article form.

    def picker_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        target = request.GET.get("target")
        target = target if target in PICKER_TARGETS else "body"
        query = (request.GET.get("q") or "").strip()[:100].replace("\x00", "")
        images = MediaImage.objects.select_related("uploaded_by")
        if query:
            images = images.filter(
                Q(original_name__icontains=query)
                | Q(file__icontains=query)
                | Q(alt__icontains=query)
                | Q(caption__icontains=query)
            )
        page = Paginator(images, PICKER_PAGE_SIZE).get_page(request.GET.get("page"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("从媒体库选择图片"),
            "is_popup": True,
            "opts": self.model._meta,
            "page": page,
            "query": query,
            "target": target,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/articles/mediaimage/picker.html", context)


def in_use_message(obj, titles):
    return ngettext(
        "“%(name)s”正在被 %(count)d 篇文章使用（%(titles)s），不能删除。请先在这些文章里换掉或"
        "删去这张图片。",
        "“%(name)s”正在被 %(count)d 篇文章使用（%(titles)s），不能删除。请先在这些文章里换掉或"
        "删去这张图片。",
        len(titles),
    ) % {"name": obj, "count": len(titles), "titles": "、".join(titles[:5])}
