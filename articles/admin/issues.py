"""Content issues: what readers would see broken, said in the editor's language."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from articles.admin.params import CheckedLookupsMixin
from articles.models import ContentIssue


@admin.register(ContentIssue)
class ContentIssueAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    """Found by the Hugo import and by every save; an issue disappears when a save of its
    article fixes it."""

    list_display = ["kind", "article_link", "description", "created_at"]
    list_filter = ["kind"]
    search_fields = ["article__title", "message", "detail"]
    list_select_related = ["article"]
    fields = ["article", "kind", "description", "detail", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("文章"), ordering="article__title")
    def article_link(self, obj):
        url = reverse("admin:articles_article_change", args=[obj.article_id])
        return format_html('<a href="{}">{}</a>', url, obj.article.title)

    @admin.display(description=_("说明"))
    def description(self, obj):
        return obj.description()


def warn_about_issues(request, article):
    """After an editor's save: a warning naming each content issue the article has now."""
    issues = list(article.content_issues.all())
    if not issues:
        return
    listing = (
        reverse("admin:articles_contentissue_changelist") + f"?article__id__exact={article.pk}"
    )
    intro = ngettext(
        "这篇文章有 %(count)d 个读者会看到的问题：",
        "这篇文章有 %(count)d 个读者会看到的问题：",
        len(issues),
    ) % {"count": len(issues)}
    items = format_html_join("", "<li>{}</li>", ((issue.description(),) for issue in issues))
    messages.warning(
        request,
        format_html('{}<ul>{}</ul><a href="{}">{}</a>', intro, items, listing, _("内容问题")),
    )
