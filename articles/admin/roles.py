"""Groups and users in the admin, in the editor's language.

The groups keep their English names (Writer, Editor, Moderator) in the database, where code and
migrations refer to them; editors see them as 作者 / 编辑 / 审核 (or Writer / Editor /
Moderator in the English admin), with their duties. Permission names are translated when shown:
Django stores them once, at migrate time, from English ("Can add %s") and the model's name in
the language active then, so the stored name suits neither admin. Built here from the codename
and the model's verbose name instead, custom permissions' names through the catalogue.
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from articles.admin.params import CheckedLookupsMixin
from articles.editorial import permissions

User = get_user_model()

PERMISSION_ACTIONS = {
    "add": _("可以添加%(model)s"),
    "change": _("可以修改%(model)s"),
    "delete": _("可以删除%(model)s"),
    "view": _("可以查看%(model)s"),
}


def permission_label(permission):
    """ "内容 | 文章 | 可以添加文章" in the active language."""
    content_type = permission.content_type
    model = content_type.model_class()
    action, _sep, model_name = permission.codename.partition("_")
    if model is not None and action in PERMISSION_ACTIONS and model_name == model._meta.model_name:
        name = PERMISSION_ACTIONS[action] % {"model": model._meta.verbose_name}
    else:
        name = gettext(permission.name)  # a custom permission: its name is a msgid
    return f"{content_type} | {name}"


def role_choice_label(group):
    return str(permissions.role_label(group.name))


def role_help():
    return " ".join(
        _("%(role)s：%(duties)s") % {"role": permissions.role_label(name), "duties": summary}
        for name, summary in permissions.ROLE_SUMMARIES.items()
    )


class TranslatedChoicesMixin:
    """The groups and permissions pickers show role and permission names in the active
    language."""

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name in ("permissions", "user_permissions"):
            field.label_from_instance = permission_label
        elif db_field.name == "groups":
            field.label_from_instance = role_choice_label
            field.help_text = f"{field.help_text} {role_help()}"
        return field


@admin.display(description=_("角色"), ordering="name")
def _group_role(group):
    return permissions.role_label(group.name)


@admin.display(description=_("职责"))
def _group_duties(group):
    return permissions.ROLE_SUMMARIES.get(group.name, "—")


class RoleGroupAdmin(TranslatedChoicesMixin, CheckedLookupsMixin, GroupAdmin):
    list_display = [_group_role, _group_duties]
    list_display_links = [_group_role]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is not None and obj.name in permissions.ROLE_LABELS:
            # Code and migrations look groups up by this name: say what editors call it.
            form.base_fields["name"].help_text = _(
                "后台显示为“%(label)s”：%(duties)s 这个名字被程序引用，请不要修改。"
            ) % {
                "label": permissions.role_label(obj.name),
                "duties": permissions.ROLE_SUMMARIES[obj.name],
            }
        return form


@admin.display(description=_("角色"))
def _user_roles(user):
    names = [group.name for group in user.groups.all()]
    return "、".join(str(permissions.role_label(name)) for name in names) or "—"


class RoleUserAdmin(TranslatedChoicesMixin, CheckedLookupsMixin, UserAdmin):
    list_display = [*UserAdmin.list_display, _user_roles]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")


for model, model_admin in ((Group, RoleGroupAdmin), (User, RoleUserAdmin)):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
