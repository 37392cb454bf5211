"""Groups and users in the admin, with the editorial roles shown by their Chinese names.

The groups keep their English names (Writer, Editor, Moderator) in the database, where code and
migrations refer to them; editors see 作者 / 编辑 / 审核 next to them.
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from articles.admin.params import CheckedLookupsMixin
from articles.editorial import permissions

User = get_user_model()


@admin.display(description=_("角色"))
def _group_role(group):
    return permissions.role_label(group.name)


@admin.display(description=_("职责"))
def _group_duties(group):
    return permissions.ROLE_SUMMARIES.get(group.name, "—")


class RoleGroupAdmin(CheckedLookupsMixin, GroupAdmin):
    list_display = ["name", _group_role, _group_duties]


@admin.display(description=_("角色"))
def _user_roles(user):
    names = [group.name for group in user.groups.all()]
    return "、".join(str(permissions.role_label(name)) for name in names) or "—"


class RoleUserAdmin(CheckedLookupsMixin, UserAdmin):
    list_display = [*UserAdmin.list_display, _user_roles]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")


for model, model_admin in ((Group, RoleGroupAdmin), (User, RoleUserAdmin)):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
