"""The article form's live help: who else has it open (articles/editorial/presence.py) and the
browser-side autosave, both run by static/js/editor-presence.js.

The autosave lives in the browser (localStorage, per user and article), so it survives a crashed
browser, a closed tab and an expired session, and never reaches the database or the page cache.
The page tells the script when this user last saved the article (the admin's LogEntry, written
only by a successful save): a kept draft older than that was saved, and is dropped.
"""

import json
import time

from django import forms
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from articles.editorial import presence
from articles.models import Author

AUTOSAVED_FIELDS = ("title", "description", "body")


def display_name(user):
    """The name colleagues know: the author profile's, else the account's full name or login."""
    name = Author.objects.filter(user=user).values_list("name", flat=True).first()
    return name or user.get_full_name() or user.get_username()


def _last_saved_by(user, obj, model):
    entries = LogEntry.objects.filter(
        user=user, content_type=ContentType.objects.get_for_model(model)
    )
    if obj is None:
        entries = entries.filter(action_flag=ADDITION)
    else:
        entries = entries.filter(object_id=str(obj.pk))
    when = entries.order_by("-action_time").values_list("action_time", flat=True).first()
    return when.timestamp() * 1000 if when else 0


class EditingAdminMixin:
    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "<path:object_id>/presence/",
                self.admin_site.admin_view(require_POST(self.presence_view)),
                name=f"{opts.app_label}_{opts.model_name}_presence",
            ),
        ] + super().get_urls()

    @property
    def media(self):
        return super().media + forms.Media(
            js=["js/editor-presence.js"], css={"all": ["css/editor-presence.css"]}
        )

    def presence_view(self, request, object_id):
        """A heartbeat (action=beat), a take-over (action=takeover) or leaving (action=leave)."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        tab, action = request.POST.get("tab", ""), request.POST.get("action", "beat")
        if not presence.valid_tab(tab) or action not in ("beat", "takeover", "leave"):
            return HttpResponseBadRequest()
        if action == "leave":
            presence.leave(article_id=obj.pk, user=request.user, tab=tab)
            return HttpResponse(status=204)
        editing = self.has_change_permission(request, obj)
        name = display_name(request.user)
        if action == "takeover":
            if not editing:
                raise PermissionDenied
            presence.take_over(article_id=obj.pk, user=request.user, name=name, tab=tab)
        state = presence.beat(
            article_id=obj.pk, user=request.user, name=name, tab=tab, editing=editing
        )
        return JsonResponse({**state, "can_take_over": editing})

    def editing_context(self, request, obj):
        form_opts = {
            "user": request.user.pk,
            "article": obj.pk if obj is not None else "new",
            "now": time.time() * 1000,
            "last_saved": _last_saved_by(request.user, obj, self.model),
            "fields": {
                name: str(self.model._meta.get_field(name).verbose_name)
                for name in AUTOSAVED_FIELDS
            },
            "messages": {
                "offer": _("这篇文章有一份没有保存的自动保存内容（%(when)s）。"),
                "saved": _("已保存的版本"),
                "kept": _("自动保存的内容"),
                "restore": _("恢复"),
                "discard": _("丢弃"),
                "restored": _("已恢复自动保存的内容，检查后点保存。"),
                "take_over": _("接管编辑"),
                "session": _(
                    "登录已过期或没有权限：你的修改保存在本浏览器里，重新登录后打开这篇文章即可恢复。"
                ),
            },
        }
        if obj is not None and obj.pk:
            form_opts["presence_url"] = reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_presence", args=[obj.pk]
            )
            form_opts["beat"] = presence.BEAT
        return json.dumps(form_opts, ensure_ascii=False)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["editing_options"] = self.editing_context(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)
