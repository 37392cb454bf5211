"""The byline and tag inlines under the three-way merge (articles/editorial/merge.py).

The article form decides each relation as a whole and leaves the decision on the article
(`relation_merge`): their rows kept, or mine made exactly what the form posts.
"""

from django.contrib import messages
from django.forms import BaseInlineFormSet
from django.utils.translation import gettext as _

from articles.editorial import merge


class MergedRelationFormSet(BaseInlineFormSet):
    relation = None  # "authors" or "tags"

    def _decision(self):
        return getattr(self.instance, "relation_merge", {}).get(self.relation)

    def _should_delete_form(self, form):
        # A row of a stale form that someone else deleted meanwhile is gone already (the
        # admin does not even show it again): neither checked nor saved.
        index = int(form.prefix.rsplit("-", 1)[-1])
        if self.is_bound and index < self.initial_form_count() and form.instance.pk is None:
            return True
        return super()._should_delete_form(form)

    def is_valid(self):
        # Their rows stay: rows of the stale form (one may point at a row they deleted) are
        # neither checked nor saved.
        if self._decision() == merge.THEIRS:
            return True
        return super().is_valid()

    def save(self, commit=True):
        decision = self._decision()
        if decision == merge.THEIRS:
            self.new_objects, self.changed_objects, self.deleted_objects = [], [], []
            return []
        saved = super().save(commit=commit)
        if decision == merge.MINE and commit:
            # Mine as a whole: rows they added meanwhile are not part of it.
            kept = [
                form.instance.pk
                for form in self.forms
                if form.instance.pk and form not in self.deleted_forms
            ]
            self.get_queryset().model._default_manager.filter(
                **{self.fk.name: self.instance}
            ).exclude(pk__in=kept).delete()
        return saved


class AuthorFormSet(MergedRelationFormSet):
    relation = "authors"


def tell_what_was_merged(request, form):
    """After a merged save: which of the colleague's changes were kept."""
    outcome = getattr(form, "merge_outcome", None)
    kept = [*outcome.theirs, *outcome.chosen_theirs] if outcome else []
    if kept:
        messages.info(
            request,
            _("已合并：你打开之后别人保存的这些修改已保留：%(fields)s。")
            % {"fields": "、".join(str(merge.label(name)) for name in kept)},
        )
