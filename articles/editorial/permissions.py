"""Who may do what on the editorial desk.

The groups (Writer, Editor, Moderator, created by migration 0003_roles) carry Django
permissions; these functions turn them into the desk's rules so that the admin, its actions,
the curation desk and the services all ask the same question.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

WRITER = "Writer"
EDITOR = "Editor"
MODERATOR = "Moderator"

# Group names stay English in the database (code and migrations refer to them); people see these.
ROLE_LABELS = {
    WRITER: pgettext_lazy("role", "作者"),
    EDITOR: pgettext_lazy("role", "编辑"),
    MODERATOR: pgettext_lazy("role", "审核"),
}
ROLE_SUMMARIES = {
    WRITER: _("撰写文章，修改自己的草稿；不能发布、定时或撤回，不能改推荐位。"),
    EDITOR: _("修改任何文章；发布、定时发布和撤回；可以提名文章进入推荐位，但不能直接放入。"),
    MODERATOR: _("编辑的全部权限，外加决定推荐位：审批提名、增删推荐、调整顺序和起止时间。"),
}

# Fields only someone who may publish can set.
PUBLISH_FIELDS = ("status", "published_at")
# Fields only someone who decides placements can set: an article's ordering weight lifts it
# above every newer article on every list, a pin in all but name (audited like a placement).
ORDERING_FIELDS = ("weight",)


def role_label(name):
    return ROLE_LABELS.get(name, name)


def can_publish(user):
    return user.has_perm("articles.publish_article")


def can_propose(user):
    return user.has_perm("articles.propose_placement")


def can_moderate(user):
    return user.has_perm("articles.moderate_placement")


def owns(user, article):
    """The article was created by the user, or the user's author profile is on its byline.

    created_by covers everything written in the admin; the byline link covers imported
    articles, which have no creator, once an author profile is tied to a login.
    """
    if not user.is_authenticated or article.pk is None:
        return False
    if article.created_by_id == user.pk:
        return True
    return article.article_authors.filter(author__user=user).exists()


def can_edit_article(user, article):
    """Editors and moderators edit anything; a writer edits only their own drafts."""
    if not user.has_perm("articles.change_article"):
        return False
    if user.has_perm("articles.change_any_article"):
        return True
    return article.status == article.Status.DRAFT and owns(user, article)


def require(allowed, message):
    if not allowed:
        raise PermissionDenied(message)


def can_add_translation(user):
    """Anyone who may write an article may translate one: the translation is a new draft of
    their own (a writer then edits it as they edit their other drafts)."""
    return user.has_perm("articles.add_article")
