"""The article admin's revision pages: history, a diff between two revisions, restore."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from articles.editorial import revisions


def _label(version):
    revision = version.revision
    when = timezone.localtime(revision.date_created).strftime("%Y-%m-%d %H:%M:%S")
    return f"#{version.pk} · {when} · {revision.user or '—'}"


class RevisionAdminMixin:
    def get_urls(self):
        opts = self.model._meta
        name = f"{opts.app_label}_{opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/revisions/",
                wrap(self.revisions_view),
                name=f"{name}_revisions",
            ),
            path(
                "<path:object_id>/revisions/compare/",
                wrap(self.revision_compare_view),
                name=f"{name}_revision_compare",
            ),
            path(
                "<path:object_id>/revisions/<int:version_id>/restore/",
                wrap(self.revision_restore_view),
                name=f"{name}_revision_restore",
            ),
        ] + super().get_urls()

    def _viewable(self, request, object_id):
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404(_("没有这篇文章"))
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def _context(self, request, obj, title):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "title": title,
            "has_change_permission": self.has_change_permission(request, obj),
        }

    def revisions_view(self, request, object_id):
        obj = self._viewable(request, object_id)
        entries = revisions.history(obj)
        context = self._context(request, obj, _("修订历史：%(title)s") % {"title": obj})
        context["entries"] = entries
        return TemplateResponse(request, "admin/articles/article/revisions.html", context)

    def revision_compare_view(self, request, object_id):
        obj = self._viewable(request, object_id)
        versions = list(revisions.versions_of(obj))
        by_id = {str(version.pk): version for version in versions}
        if len(versions) < 2 and not request.GET.get("a"):
            return redirect(reverse("admin:articles_article_revisions", args=[obj.pk]))
        older = by_id.get(request.GET.get("a") or str(versions[1].pk))
        newer = by_id.get(request.GET.get("b") or str(versions[0].pk))
        if older is None or newer is None:
            raise Http404(_("没有这个修订版本"))
        if older.revision.date_created > newer.revision.date_created:
            older, newer = newer, older
        context = self._context(request, obj, _("比较修订：%(title)s") % {"title": obj})
        context.update(
            older=older,
            newer=newer,
            older_label=_label(older),
            newer_label=_label(newer),
            rows=revisions.compare(
                older.field_dict,
                newer.field_dict,
                old_label=_label(older),
                new_label=_label(newer),
            ),
        )
        return TemplateResponse(request, "admin/articles/article/revision_compare.html", context)

    def revision_restore_view(self, request, object_id, version_id):
        obj = self._viewable(request, object_id)
        version = get_object_or_404(revisions.versions_of(obj), pk=version_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        if request.method == "POST":
            with transaction.atomic():
                revisions.restore(article=obj, version=version, by=request.user)
            self.message_user(
                request,
                _("已恢复到 %(label)s 的版本；这次恢复本身也记为一个新修订。")
                % {"label": _label(version)},
                messages.SUCCESS,
            )
            return redirect(reverse("admin:articles_article_change", args=[obj.pk]))
        context = self._context(request, obj, _("恢复修订：%(title)s") % {"title": obj})
        current_label = _("当前版本")
        context.update(
            version=version,
            version_label=_label(version),
            rows=revisions.compare(
                revisions.current_field_dict(obj),
                {**revisions.current_field_dict(obj), **self._restorable(version)},
                old_label=current_label,
                new_label=_label(version),
            ),
        )
        return TemplateResponse(request, "admin/articles/article/revision_restore.html", context)

    @staticmethod
    def _restorable(version):
        data = version.field_dict
        return {
            key: value
            for key, value in data.items()
            if key.removesuffix("_id") in revisions.RESTORED_FIELDS
        }
